import { DataAccessLevel } from '../data-lake/data-access-level';
import { DEFAULT_COLD_START_TIMEOUT_SECONDS, endpointUrl } from '../workloads/inference-exposure';
import { authSummary } from '../workloads/exposure-auth';
import { describeColdStart } from '../catalog/cold-start';
import { PRICES_AS_OF } from '../catalog/accelerators';
import { formatProblem } from '../definition/problems';
import type { ResolvedDefinition } from '../definition/resolved';
import { PRICED_REGION, SERVICE_PRICES_AS_OF, monthlyInstancePrice } from '../catalog/prices';
import type { IdleCost } from '../definition/cost';
import { pipelineMonthlyCeiling, pipelineRunCeiling } from '../definition/resolve-pipelines';
import { planTrainingRuns, type PlanTrainingRun } from './training-runs';

/** A node pool in the plan. */
export interface PlanPool {
  readonly name: string;
  readonly provisioner: string;
  readonly vendor: string;
  readonly instanceTypes: string[];
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly acceleratorsAtMaxNodes: number;
  /** At minNodes of the cheapest type (0 for a pool that scales to zero). */
  readonly monthlyIdleUsd: number;
  readonly monthlyCeilingUsd: number;
  /** The stack that holds the pool, when the plan was made with its placement (AiPlatform's plan is). */
  readonly stack?: string;
}

/** A workload in the plan. */
export interface PlanWorkload {
  /** `inference`, `training`, `optimization` or `pipeline` (a Ray pipeline). */
  readonly kind: string;
  readonly name: string;
  readonly pool: string;
  readonly namespace: string;
  readonly acceleratorsPerPod: number;
  readonly minPods: number;
  readonly maxPods: number;
  /** Share of the pool's accelerators at maxNodes the workload uses at full scale, in percent. */
  readonly poolSharePercent: number;
  /** The model an inference service serves: `<zone>/<path>` or the hub URI. @default - none named (the image's own) */
  readonly model?: string;
  /** The stack that holds the workload, when the plan was made with its placement. */
  readonly stack?: string;
}

/** An inference service reached from outside the cluster, through its visibility's shared ALB. */
export interface PlanEndpoint {
  readonly service: string;
  /** `internal` or `internet`. */
  readonly visibility: string;
  /** `https://<host>/` or `http://<host>/`; the host is `<ALB DNS name>` when none is set (`kubectl get ingress` shows it). */
  readonly url: string;
  /** The ranges admitted; empty: the VPC (internal services without allowedCidrs), any address (internet with auth). */
  readonly allowedCidrs: string[];
  /** Authentication at the load balancer: `cognito (<on unauthenticated>)`, `jwt (<issuer>)` or `none`. */
  readonly auth: string;
  /** What a request meets when no replica runs: held up to the cold-start timeout (minReplicas 0), or a running replica. */
  readonly firstRequest: string;
  /**
   * At minReplicas 0: the modelled cold start (node launch + image pull + model load, lib/catalog/cold-start.ts; its
   * figures are labelled assumptions) next to the timeout the held request waits.
   */
  readonly coldStart?: PlanColdStart;
}

/** A modelled cold start next to the service's timeout. */
export interface PlanColdStart {
  /** The known parts' sum: the whole cold start when `complete`, else a lower bound. */
  readonly modelledSeconds: number;
  readonly complete: boolean;
  /** `458 s = node launch 240 s + image pull 185 s + model load 33 s` and what is unknown. */
  readonly detail: string;
  readonly timeoutSeconds: number;
}

/** Which stack holds each pool and workload (by name); items not named are in the platform stack. */
export interface PlanPlacement {
  readonly pools: Record<string, string>;
  readonly workloads: Record<string, string>;
}

/** A team in the plan. */
export interface PlanTeam {
  readonly name: string;
  readonly gpuQuota: number;
  readonly neuronQuota: number;
  readonly acceleratorsAtFullScale: number;
}

/** The plan's monthly cost figures. */
export interface PlanCost {
  /** The idle floor, item by item, rounded to dollars. */
  readonly idle: IdleCost;
  readonly monthlyIdleUsd: number;
  readonly monthlyCeilingUsd: number;
  readonly systemNodesUsd: number;
  readonly monthlyBudgetUsd?: number;
  readonly pricesAsOf: string;
  /** The region the prices are list prices of. */
  readonly pricesRegion: string;
}

/** A data-lake zone, and which workloads read or write it. */
export interface PlanDataZone {
  readonly zone: string;
  readonly readers: string[];
  readonly writers: string[];
}

/** A data pipeline in the plan. */
export interface PlanPipeline {
  readonly name: string;
  readonly from: string[];
  readonly to: string;
  /** `schedule <expression>`, `on arrival in <zone>[/<prefix>]` or `by hand`. */
  readonly trigger: string;
  readonly maxVcpu: number;
  readonly maxMemoryGiB: number;
  /** Every scheduled run at full capacity for its whole timeout; undefined when runs follow arriving data. */
  readonly maxMonthlyUsd?: number;
  /** The same bound for one run. */
  readonly maxRunUsd: number;
}

/** Capacity, schedulability and cost of a definition, computed without synthesizing anything. */
export interface PlatformPlan {
  readonly name: string;
  readonly pools: PlanPool[];
  readonly workloads: PlanWorkload[];
  readonly teams: PlanTeam[];
  readonly cost: PlanCost;
  /** Data-lake zones, and which workload reads or writes each. */
  readonly dataZones: PlanDataZone[];
  readonly pipelines: PlanPipeline[];
  /** Exposed inference services. */
  readonly endpoints: PlanEndpoint[];
  /** Training jobs: how runs start, where they write, what one may cost. */
  readonly trainingRuns: PlanTrainingRun[];
  readonly warnings: string[];
}

/** The plan of a resolved definition (pure). */
export function planPlatform(def: ResolvedDefinition, placement?: PlanPlacement): PlatformPlan {
  const cost = def.cost.ceiling;
  const idle = def.cost.idle;
  const round = (x: number) => Math.round(x);
  const pools = new Map(def.nodePools.map((p) => [p.name, p]));
  const capacity = (pool: string) => {
    const p = pools.get(pool)!;
    return p.maxNodes * p.maxAcceleratorsPerNode;
  };
  const share = (pool: string, used: number) =>
    capacity(pool) > 0 ? Math.round((1000 * used) / capacity(pool)) / 10 : 0;
  const workloads = [
    ...def.inference.map((s) => ({
      kind: 'inference' as const,
      name: s.name,
      pool: s.nodePool,
      namespace: s.namespace,
      acceleratorsPerPod: s.gpus,
      minPods: s.minReplicas,
      maxPods: s.maxReplicas,
      poolSharePercent: share(s.nodePool, s.gpus * s.maxReplicas),
      stack: placement?.workloads[s.name],
      model: s.model?.uri ?? (s.model?.zone !== undefined ? `${s.model.zone}/${s.model.path}` : undefined),
    })),
    ...def.training.map((j) => ({
      kind: j.pipeline !== undefined ? 'pipeline' : j.optimization ? 'optimization' : 'training',
      name: j.name,
      pool: j.nodePool,
      namespace: j.namespace,
      acceleratorsPerPod: j.gpusPerNode,
      minPods: j.nodes,
      maxPods: j.nodes,
      poolSharePercent: share(j.nodePool, j.gpusPerNode * j.nodes),
      stack: placement?.workloads[j.name],
    })),
  ];
  return {
    name: def.name,
    pools: def.nodePools.map((p) => ({
      name: p.name,
      provisioner: p.provisioner,
      vendor: p.vendor,
      instanceTypes: p.instanceTypes,
      minNodes: p.minNodes,
      maxNodes: p.maxNodes,
      acceleratorsAtMaxNodes: capacity(p.name),
      monthlyIdleUsd: round(p.minNodes * Math.min(...p.instanceTypes.map(monthlyInstancePrice))),
      monthlyCeilingUsd: round(cost.pools[p.name]),
      stack: placement?.pools[p.name],
    })),
    workloads,
    teams: def.teams.map((t) => ({
      name: t.name,
      gpuQuota: t.gpuQuota,
      neuronQuota: t.neuronQuota,
      acceleratorsAtFullScale: workloads
        .filter((w) => w.namespace === t.name)
        .reduce((n, w) => n + w.acceleratorsPerPod * w.maxPods, 0),
    })),
    cost: {
      idle: Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, round(v)])) as unknown as IdleCost,
      monthlyIdleUsd: round(idle.total),
      monthlyCeilingUsd: round(cost.total),
      systemNodesUsd: round(cost.systemNodes),
      monthlyBudgetUsd: def.monitoring.monthlyBudgetUsd,
      pricesAsOf: `instances ${PRICES_AS_OF}, services ${SERVICE_PRICES_AS_OF}`,
      pricesRegion: PRICED_REGION,
    },
    dataZones: def.dataLake.zones.map((zone) => {
      const users = [...def.inference, ...def.training].flatMap((w) =>
        w.dataAccess.filter((a) => a.zone === zone).map((a) => ({ w: w.name, level: a.access })),
      );
      // A zone model is read (its prefix) without a dataAccess entry.
      users.push(
        ...def.inference
          .filter((s) => s.model?.zone === zone && !users.some((u) => u.w === s.name))
          .map((s) => ({ w: s.name, level: DataAccessLevel.READ })),
      );
      // An optimization's input is read (its prefix) without a dataAccess entry.
      users.push(
        ...def.training
          .filter((j) => j.input?.zone === zone && !users.some((u) => u.w === j.name))
          .map((j) => ({ w: j.name, level: DataAccessLevel.READ })),
      );
      // A training job's output is written (its prefix) without a dataAccess entry.
      users.push(
        ...def.training
          .filter((j) => j.output?.zone === zone && !users.some((u) => u.w === j.name && u.level !== 'read'))
          .map((j) => ({ w: j.name, level: DataAccessLevel.READ_WRITE })),
      );
      // A Ray pipeline writes its folder of the target zone (its prefix) without a dataAccess entry.
      users.push(
        ...def.training
          .filter((j) => j.pipeline?.to === zone)
          .map((j) => ({ w: j.name, level: DataAccessLevel.READ_WRITE })),
      );
      return {
        zone,
        readers: users.filter((u) => u.level === 'read').map((u) => u.w),
        writers: users.filter((u) => u.level !== 'read').map((u) => u.w),
      };
    }),
    pipelines: def.pipelines.map((p) => ({
      name: p.name,
      from: p.from,
      to: p.to,
      maxVcpu: p.maxVcpu,
      maxMemoryGiB: p.maxMemoryGiB,
      trigger:
        p.schedule !== undefined
          ? `schedule ${p.schedule}`
          : p.arrivalZone !== undefined
            ? `on arrival in ${p.arrivalZone}${p.arrivalPrefix ? `/${p.arrivalPrefix}` : ''}`
            : 'by hand',
      maxMonthlyUsd: (() => {
        const m = pipelineMonthlyCeiling(p);
        return m === undefined ? undefined : round(m);
      })(),
      maxRunUsd: Math.round(100 * pipelineRunCeiling(p)) / 100,
    })),
    endpoints: def.inference.flatMap((s) =>
      s.expose
        ? [
            {
              service: s.name,
              visibility: s.expose.visibility ?? 'internal',
              url: endpointUrl(s.expose),
              allowedCidrs: [...(s.expose.allowedCidrs ?? [])],
              auth: authSummary(s.expose.auth),
              firstRequest:
                s.minReplicas === 0
                  ? `held up to ${s.expose.coldStartTimeoutSeconds ?? DEFAULT_COLD_START_TIMEOUT_SECONDS} s while a replica starts, then 504`
                  : 'a running replica',
              ...(s.coldStart
                ? {
                    coldStart: {
                      modelledSeconds: s.coldStart.seconds,
                      complete: s.coldStart.complete,
                      detail: describeColdStart(s.coldStart),
                      timeoutSeconds: s.expose.coldStartTimeoutSeconds ?? DEFAULT_COLD_START_TIMEOUT_SECONDS,
                    },
                  }
                : {}),
            },
          ]
        : [],
    ),
    trainingRuns: planTrainingRuns(def),
    warnings: def.warnings.map(
      (w) => `${formatProblem(w)}${w.acknowledged !== undefined ? ` (acknowledged: ${w.acknowledged})` : ''}`,
    ),
  };
}
