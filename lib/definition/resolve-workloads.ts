import { mountPathProblems, s3MountNames } from '../workloads/s3-mounts';
import { egressProblems } from '../workloads/egress';
import { scheduleProblems } from '../workloads/training-schedule';
import {
  acceleratorsProblems,
  inferenceProblems,
  quotaProblems,
  reservedNamespaceProblems,
  startupBudgetProblems,
  trainingProblems,
  workloadNameProblems,
} from '../workloads/workload-checks';
import { commandProblems, envProblems, modelProblems } from '../workloads/inference-model';
import {
  DEFAULT_COLD_START_TIMEOUT_SECONDS,
  ExposureVisibility,
  exposureFitProblems,
  exposureProblems,
} from '../workloads/inference-exposure';
import { describeColdStart, modelColdStart, type ColdStartEstimate } from '../catalog/cold-start';
import { AcceleratorVendor } from '../catalog/accelerators';
import { defaultActivationThreshold, DEFAULTS } from './defaults';
import type { ProblemCollector } from './problems';
import type { ResolvedInference, ResolvedNodePool, ResolvedTeam, ResolvedTraining } from './resolved';
import { duplicates } from './rules';
import { type DataAccessDefinition, type InferenceDefinition, type TrainingDefinition } from './types';

/** Paths the library mounts scratch volumes at. */

/** What workload rules need to know about the rest of the definition. */
export interface WorkloadContext {
  /** Pools by name; a pool with problems of its own is absent but still named in `poolNames`. */
  readonly pools: ReadonlyMap<string, ResolvedNodePool>;
  readonly poolNames: readonly string[];
  readonly zones: readonly string[];
  readonly teams: readonly ResolvedTeam[];
}

/** The name rule InferenceService, TrainingJob and TeamNamespace apply. */
function checkName(name: string, at: string, out: ProblemCollector): void {
  out.addAll(at, workloadNameProblems('name', name));
}

/** A name that becomes a namespace must not be one the cluster or the platform owns. */
function checkNamespace(name: string, path: string, out: ProblemCollector): void {
  // The name's syntax is checked by checkName (stricter); here, only whether the namespace is one TeamNamespace refuses to own.
  for (const p of reservedNamespaceProblems('name', name)) out.error(path, p.value, p.message);
}

function checkPool(
  poolName: string,
  at: string,
  ctx: WorkloadContext,
  out: ProblemCollector,
): ResolvedNodePool | undefined {
  if (!ctx.poolNames.includes(poolName)) {
    out.error(
      `${at}.nodePool`,
      poolName,
      `must name a node pool of this definition: ${ctx.poolNames.join(', ') || '(none)'}`,
    );
  }
  return ctx.pools.get(poolName);
}

function checkTeam(team: string | undefined, at: string, ctx: WorkloadContext, out: ProblemCollector): void {
  if (team !== undefined && !ctx.teams.some((t) => t.name === team)) {
    out.error(
      `${at}.team`,
      team,
      `must name a team of this definition: ${ctx.teams.map((t) => t.name).join(', ') || '(none)'}`,
    );
  }
}

/** A zone a workload names (data access, a model, an output) must be one of the lake's. */
function checkZone(zone: string, path: string, ctx: WorkloadContext, out: ProblemCollector): void {
  out.check(ctx.zones.includes(zone), path, zone, `must be a data-lake zone: ${ctx.zones.join(', ')}`);
}

function checkDataAccess(
  access: DataAccessDefinition[],
  at: string,
  ctx: WorkloadContext,
  out: ProblemCollector,
): void {
  access.forEach((a, k) => {
    checkZone(a.zone, `${at}.dataAccess[${k}].zone`, ctx, out);
    // The same rule the workload charts apply to their s3Mounts.
    if (a.mountPath !== undefined) out.addAll(`${at}.dataAccess[${k}]`, mountPathProblems('mountPath', a.mountPath));
  });
  for (const d of duplicates(access.filter((a) => a.mountPath).map((a) => a.mountPath!))) {
    out.error(`${at}.dataAccess`, d.name, 'mounts two zones at the same mountPath');
  }
  for (const d of duplicates(access.map((a) => a.zone))) {
    out.error(`${at}.dataAccess[${d.index}].zone`, d.name, 'is listed twice; give each zone one access level');
  }
}

/** Checks that `perNode` accelerators fit on one node of the pool: an error if on none, a warning if not on all. */
function checkFitsNode(perNode: number, pool: ResolvedNodePool, path: string, out: ProblemCollector): void {
  if (perNode > 0 && pool.maxAcceleratorsPerNode === 0) {
    out.error(
      path,
      perNode,
      `asks for accelerators, but pool '${pool.name}' has none (${pool.instanceTypes.join(', ')})`,
    );
  } else if (perNode > pool.maxAcceleratorsPerNode) {
    out.error(
      path,
      perNode,
      `must fit one node of pool '${pool.name}', whose largest type (${largestType(pool)}) has ${pool.maxAcceleratorsPerNode} accelerator(s)`,
    );
  } else if (perNode > pool.minAcceleratorsPerNode) {
    out.warn(
      path,
      perNode,
      `does not fit every type of pool '${pool.name}' (smallest has ${pool.minAcceleratorsPerNode}); pods wait for a type that fits`,
    );
  }
}

function largestType(pool: ResolvedNodePool): string {
  return pool.instances.reduce((a, b) => (b.acceleratorCount > a.acceleratorCount ? b : a)).instanceType;
}

export function resolveInference(
  defs: InferenceDefinition[],
  ctx: WorkloadContext,
  out: ProblemCollector,
): ResolvedInference[] {
  const d = DEFAULTS.inference;
  checkEndpoints(defs, out);
  return defs.map((svc, i) => {
    const at = `inference[${i}]`;
    const gpus = svc.gpus ?? d.gpus;
    const minReplicas = svc.minReplicas ?? d.minReplicas;
    const maxReplicas = svc.maxReplicas ?? d.maxReplicas;
    const port = svc.port ?? d.port;
    const metric = svc.scaling?.metric ?? d.scaling.metric;
    const target = svc.scaling?.target ?? d.scaling.target;
    const activationThreshold = svc.scaling?.activationThreshold ?? defaultActivationThreshold(metric);
    const dataAccess = svc.dataAccess ?? [];

    checkName(svc.name, at, out);
    if (svc.team === undefined) checkNamespace(svc.name, `${at}.name`, out);
    out.addAll(at, acceleratorsProblems('gpus', gpus, 'inference'));
    const p99 = svc.p99LatencyTargetMs ?? d.p99LatencyTargetMs;
    out.check(
      Number.isInteger(p99) && p99 >= 1 && p99 <= 3_600_000,
      `${at}.p99LatencyTargetMs`,
      p99,
      'must be a whole number of milliseconds between 1 and 3600000',
    );
    // The service's own rules, as InferenceService applies them.
    out.addAll(
      at,
      inferenceProblems({
        image: svc.image,
        minReplicas,
        maxReplicas,
        port,
        metric,
        target,
        activationThreshold,
        query: svc.scaling?.query,
        exposed: svc.expose !== undefined,
      }),
    );
    checkTeam(svc.team, at, ctx, out);
    checkDataAccess(dataAccess, at, ctx, out);
    const startupBudgetSeconds = svc.startupBudgetSeconds ?? d.startupBudgetSeconds;
    checkServer(svc, startupBudgetSeconds, at, ctx, out);
    if (svc.expose) {
      out.addAll(at, exposureProblems(svc.expose));
      // The group's idle timeout and ACL are derived from its services (checkEndpoints): only the service's own rules here.
      out.addAll(at, exposureFitProblems(svc.expose, { name: '', vpcCidr: '' }, minReplicas));
    }

    const pool = checkPool(svc.nodePool, at, ctx, out);
    const coldStart = pool && svc.expose && minReplicas === 0 ? checkColdStart(svc, pool, at, out) : undefined;
    if (pool) {
      checkFitsNode(gpus, pool, `${at}.gpus`, out);
      const capacity = pool.maxNodes * pool.maxAcceleratorsPerNode;
      if (gpus > 0 && maxReplicas * gpus <= capacity && maxReplicas * gpus > 0.8 * capacity) {
        out.warn(
          `${at}.maxReplicas`,
          maxReplicas,
          `× gpus (${gpus}) uses over 80% of pool '${pool.name}' (${capacity} accelerators at maxNodes); other workloads on the pool may wait`,
        );
      }
      if (gpus > 0 && maxReplicas * gpus > capacity) {
        out.error(
          `${at}.maxReplicas`,
          maxReplicas,
          `× gpus (${gpus}) = ${maxReplicas * gpus} must fit pool '${pool.name}': maxNodes (${pool.maxNodes}) × ${pool.maxAcceleratorsPerNode} accelerator(s) = ${capacity}`,
        );
      }
    }
    return {
      name: svc.name,
      image: svc.image,
      nodePool: svc.nodePool,
      gpus,
      minReplicas,
      maxReplicas,
      port,
      scaling: { metric, target, activationThreshold, query: svc.scaling?.query },
      namespace: svc.team ?? svc.name,
      team: svc.team,
      p99LatencyTargetMs: p99,
      dataAccess: [...dataAccess],
      model: svc.model,
      args: [...(svc.args ?? [])],
      env: { ...svc.env },
      secrets: { ...svc.secrets },
      command: svc.command,
      startupBudgetSeconds,
      expose: svc.expose && { ...svc.expose, visibility: svc.expose.visibility ?? ExposureVisibility.INTERNAL },
      coldStart,
    };
  });
}

/**
 * The modelled cold start of a service held at zero (lib/catalog/cold-start.ts), and a warning when the held
 * request's wait, `expose.coldStartTimeoutSeconds`, is shorter: the first request after idle would get a 504.
 */
function checkColdStart(
  svc: InferenceDefinition,
  pool: ResolvedNodePool,
  at: string,
  out: ProblemCollector,
): ColdStartEstimate {
  const size = svc.model?.sizeGiB;
  if (size !== undefined)
    out.check(
      typeof size === 'number' && size > 0 && size <= 100_000,
      `${at}.model.sizeGiB`,
      size,
      'must be a size in GiB above 0 (at most 100000)',
    );
  const estimate = modelColdStart({
    image: svc.image,
    poolCanBeEmpty: pool.minNodes === 0,
    modelSource: svc.model?.zone !== undefined ? 'zone' : svc.model?.uri !== undefined ? 'hub' : 'image',
    modelSizeGiB: typeof size === 'number' && size > 0 ? size : undefined,
  });
  const timeout = svc.expose?.coldStartTimeoutSeconds ?? DEFAULT_COLD_START_TIMEOUT_SECONDS;
  if (timeout < estimate.seconds)
    out.warn(
      `${at}.expose.coldStartTimeoutSeconds`,
      timeout,
      `is shorter than the modelled cold start${estimate.complete ? '' : ' (a lower bound)'}, ${describeColdStart(estimate)}: the first request after idle would get a 504 while the replica starts; raise it, or keep a replica (minReplicas 1)`,
    );
  return estimate;
}

/**
 * Services of one visibility share one ALB, whose rules route by host: hosts are unique there, and at most one
 * service takes every host (no `host`): a second would never be reached (the first rule matching `/` wins).
 */
function checkEndpoints(defs: InferenceDefinition[], out: ProblemCollector): void {
  const seen = new Map<string, number>();
  const wafs = new Map<string, number>();
  defs.forEach((svc, i) => {
    if (!svc.expose) return;
    const visibility = svc.expose.visibility ?? ExposureVisibility.INTERNAL;
    const waf = svc.expose.wafAclArn;
    const firstWaf = wafs.get(visibility);
    if (waf !== undefined && firstWaf === undefined) wafs.set(visibility, i);
    else if (waf !== undefined && defs[firstWaf!].expose!.wafAclArn !== waf)
      out.error(
        `inference[${i}].expose.wafAclArn`,
        waf,
        `differs from inference[${firstWaf}]'s: one web ACL protects the whole shared ${visibility} load balancer (wafv2-acl-arn is exclusive across its IngressGroup)`,
      );
    const key = `${svc.expose.visibility ?? ExposureVisibility.INTERNAL} ${svc.expose.host ?? '*'}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else if (svc.expose.host === undefined)
      out.error(
        `inference[${i}].expose.host`,
        undefined,
        `is required: inference[${first}] already takes every host on the shared ${svc.expose.visibility ?? 'internal'} load balancer`,
      );
    else
      out.error(
        `inference[${i}].expose.host`,
        svc.expose.host,
        `is already the host of inference[${first}] on the shared ${svc.expose.visibility ?? 'internal'} load balancer`,
      );
  });
}

/**
 * The server's model, environment and secrets, as InferenceService checks them; a zone model's zone must exist.
 * The service is granted read on the model's prefix implicitly (no dataAccess entry needed: the model is read-only
 * by construction, and a dataAccess entry would grant the whole zone).
 */
function checkServer(
  svc: InferenceDefinition,
  startupBudgetSeconds: number,
  at: string,
  ctx: WorkloadContext,
  out: ProblemCollector,
): void {
  if (svc.model) {
    out.addAll(at, modelProblems(svc.model, false));
    if (svc.model.zone !== undefined) checkZone(svc.model.zone, `${at}.model.zone`, ctx, out);
  }
  out.addAll(at, envProblems(svc.env ?? {}, svc.secrets ?? {}, svc.model));
  out.addAll(at, commandProblems(svc.image, svc.command, svc.secrets ?? {}, svc.model));
  out.addAll(at, startupBudgetProblems('startupBudgetSeconds', startupBudgetSeconds));
}

export function resolveTraining(
  defs: TrainingDefinition[],
  ctx: WorkloadContext,
  out: ProblemCollector,
): ResolvedTraining[] {
  const d = DEFAULTS.training;
  return defs.map((job, i) => {
    const at = `training[${i}]`;
    const nodes = job.nodes ?? d.nodes;
    const dataAccess = job.dataAccess ?? [];
    checkName(job.name, at, out);
    if (job.team === undefined) checkNamespace(job.name, `${at}.name`, out);
    // The job's own rules, as TrainingJob applies them.
    out.addAll(
      at,
      trainingProblems({
        image: job.image,
        engine: job.engine,
        nodes,
        command: job.command,
        maxRunHours: job.maxRunHours,
        output: job.output,
      }),
    );
    out.addAll(at, scheduleProblems('schedule', job.schedule));
    if (job.output) checkZone(job.output.zone, `${at}.output.zone`, ctx, out);
    checkTeam(job.team, at, ctx, out);
    checkDataAccess(dataAccess, at, ctx, out);

    const pool = checkPool(job.nodePool, at, ctx, out);
    const gpusPerNode = job.gpusPerNode ?? pool?.minAcceleratorsPerNode ?? 0;
    out.addAll(at, acceleratorsProblems('gpusPerNode', gpusPerNode, 'training'));
    if (pool) {
      checkFitsNode(gpusPerNode, pool, `${at}.gpusPerNode`, out);
      out.check(
        nodes <= pool.maxNodes,
        `${at}.nodes`,
        nodes,
        `must fit pool '${pool.name}': maxNodes is ${pool.maxNodes}`,
      );
      if (nodes > 1 && !pool.efa) {
        out.warn(
          `${at}.nodePool`,
          job.nodePool,
          `is not an EFA pool; ${nodes}-node collective communication will run over TCP`,
        );
      }
    }
    return {
      name: job.name,
      image: job.image,
      nodePool: job.nodePool,
      engine: job.engine ?? d.engine,
      nodes,
      gpusPerNode,
      command: [...(job.command ?? [])],
      namespace: job.team ?? job.name,
      team: job.team,
      schedule: job.schedule,
      maxRunHours: job.maxRunHours,
      output: job.output,
      dataAccess: [...dataAccess],
    };
  });
}

/** A team's quota of one accelerator vendor: the ResourceQuota counts each extended resource on its own. */
const QUOTAS: { vendor: AcceleratorVendor; field: 'gpuQuota' | 'neuronQuota'; what: string }[] = [
  { vendor: AcceleratorVendor.NVIDIA, field: 'gpuQuota', what: 'NVIDIA GPUs' },
  { vendor: AcceleratorVendor.AWS_NEURON, field: 'neuronQuota', what: 'Neuron devices' },
];

/**
 * Team rules: unique names, quotas >= 0, and workloads that fit their team's quota of their pool's vendor
 * (Kubernetes ResourceQuota `requests.<resource>` counts `nvidia.com/gpu` and `aws.amazon.com/neuron`
 * separately, so each vendor is checked against its own quota).
 */
export function checkTeams(
  teams: readonly ResolvedTeam[],
  inference: ResolvedInference[],
  training: ResolvedTraining[],
  pools: ReadonlyMap<string, ResolvedNodePool>,
  out: ProblemCollector,
): void {
  teams.forEach((t, i) => {
    checkName(t.name, `teams[${i}]`, out);
    checkNamespace(t.name, `teams[${i}].name`, out);
    // The quota rule TeamNamespace applies to its ResourceQuota.
    out.addAll(`teams[${i}]`, [
      ...quotaProblems('gpuQuota', t.gpuQuota),
      ...quotaProblems('neuronQuota', t.neuronQuota),
    ]);
  });
  for (const d of duplicates(teams.map((t) => t.name)))
    out.error(`teams[${d.index}].name`, d.name, 'must be unique among teams');
  // Declared egress: the NetworkPolicy rules of TeamNamespace, checked there; namespaces must be the platform's own.
  const namespaces = [
    ...new Set([
      ...teams.map((t) => t.name),
      ...inference.map((s) => s.namespace),
      ...training.map((j) => j.namespace),
    ]),
  ];
  teams.forEach((t, i) => {
    out.addAll(`teams[${i}]`, egressProblems(t.egress));
    t.egress.forEach((e, k) =>
      (e.namespaces ?? []).forEach((ns, j) => {
        out.check(
          namespaces.includes(ns),
          `teams[${i}].egress[${k}].namespaces[${j}]`,
          ns,
          `must be a namespace of this platform: ${namespaces.join(', ')}`,
        );
      }),
    );
  });

  const vendorOf = (pool: string) => pools.get(pool)?.vendor;
  teams.forEach((team, i) => {
    for (const { vendor, field, what } of QUOTAS) {
      const quota = team[field];
      if (quota < 0) continue; // refused above; no workload fits a negative quota
      const svcs = inference
        .map((s, k) => ({ s, k }))
        .filter(({ s }) => s.team === team.name && vendorOf(s.nodePool) === vendor);
      const jobs = training
        .map((j, k) => ({ j, k }))
        .filter(({ j }) => j.team === team.name && vendorOf(j.nodePool) === vendor);
      let floor = 0; // inference at minReplicas plus the largest single training job
      let ceiling = 0; // everything at full scale
      let largestJob = 0;
      for (const { s, k } of svcs) {
        if (s.gpus > quota)
          out.error(
            `inference[${k}].gpus`,
            s.gpus,
            `must fit team '${team.name}' ${field} (${quota} ${what}) for one replica`,
          );
        floor += s.minReplicas * s.gpus;
        ceiling += s.maxReplicas * s.gpus;
      }
      for (const { j, k } of jobs) {
        const need = j.nodes * j.gpusPerNode;
        if (need > quota)
          out.error(
            `training[${k}].nodes`,
            j.nodes,
            `× gpusPerNode (${j.gpusPerNode}) = ${need} must fit team '${team.name}' ${field} (${quota} ${what})`,
          );
        largestJob = Math.max(largestJob, need);
        ceiling += need;
      }
      floor += largestJob;
      if (floor > quota) {
        out.error(
          `teams[${i}].${field}`,
          quota,
          `is less than the ${floor} ${what} the team's workloads need at minimum`,
        );
      } else if (ceiling > quota) {
        out.warn(
          `teams[${i}].${field}`,
          quota,
          `is less than the ${ceiling} ${what} the team's workloads use at full scale; some replicas will wait`,
        );
      }
    }
  });
}

/**
 * Names built by joining user names must not collide: each mounted zone gets a PersistentVolume
 * <namespace>-<workload>-<zone>, and PersistentVolumes are cluster-scoped (Kubernetes "Persistent Volumes"),
 * so team `ml` + service `x-svc` and team `ml-x` + service `svc` would share one. Both paths are named.
 */
export function checkDerivedNames(
  inference: ResolvedInference[],
  training: ResolvedTraining[],
  out: ProblemCollector,
): void {
  const owners = new Map<string, string>();
  const workloads = [
    ...inference.map((w, i) => ({ w, at: `inference[${i}]` })),
    ...training.map((w, i) => ({ w, at: `training[${i}]` })),
  ];
  for (const { w, at } of workloads) {
    w.dataAccess.forEach((a, k) => {
      if (a.mountPath === undefined) return;
      const path = `${at}.dataAccess[${k}].zone`;
      const { persistentVolume, claim } = s3MountNames(w.namespace, w.name, a.zone);
      const first = owners.get(persistentVolume);
      if (first === undefined) owners.set(persistentVolume, path);
      else
        out.error(
          path,
          a.zone,
          `gives PersistentVolume '${persistentVolume}', as ${first} does (claim ${w.namespace}/${claim}); PersistentVolumes are cluster-scoped: rename a workload or team so <namespace>-<workload>-<zone> differs`,
        );
    });
  }
}
