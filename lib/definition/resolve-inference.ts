import { acceleratorsProblems, inferenceProblems, startupBudgetProblems } from '../workloads/workload-checks';
import { commandProblems, envProblems, modelProblems } from '../workloads/inference-model';
import {
  DEFAULT_COLD_START_TIMEOUT_SECONDS,
  ExposureVisibility,
  exposureFitProblems,
  exposureProblems,
} from '../workloads/inference-exposure';
import { describeColdStart, modelColdStart, type ColdStartEstimate } from '../catalog/cold-start';
import { defaultActivationThreshold, DEFAULTS } from './defaults';
import type { ProblemCollector } from './problems';
import type { ResolvedInference, ResolvedNodePool } from './resolved';
import { type InferenceDefinition } from './types';
import {
  checkName,
  checkNamespace,
  checkPool,
  checkTeam,
  checkZone,
  checkDataAccess,
  checkFitsNode,
} from './private/workload-rules';
import type { WorkloadContext } from './private/workload-rules';

export type { WorkloadContext } from './private/workload-rules';

/** `inference[]` resolved with its defaults and checked: each service's own rules, its pool, team, zones, model and exposure. */
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
