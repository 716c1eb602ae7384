import { mountPathProblems } from '../../workloads/s3-mounts';
import { acceleratorsProblems, reservedNamespaceProblems, workloadNameProblems } from '../../workloads/workload-checks';
import type { ProblemCollector } from '../problems';
import type { ResolvedNodePool, ResolvedTeam, ResolvedTraining } from '../resolved';
import { duplicates } from '../rules';
import { type DataAccessDefinition } from '../types';

// Rules every workload of the definition shares (names, namespaces, pools, teams, zones, data access, fitting a
// node), used by the inference, training and team resolvers.

/** What workload rules need to know about the rest of the definition. */
export interface WorkloadContext {
  /** Pools by name; a pool with problems of its own is absent but still named in `poolNames`. */
  readonly pools: ReadonlyMap<string, ResolvedNodePool>;
  readonly poolNames: readonly string[];
  readonly zones: readonly string[];
  readonly teams: readonly ResolvedTeam[];
}

/** The name rule InferenceService, TrainingJob and TeamNamespace apply. */
export function checkName(name: string, at: string, out: ProblemCollector): void {
  out.addAll(at, workloadNameProblems('name', name));
}

/** A name that becomes a namespace must not be one the cluster or the platform owns. */
export function checkNamespace(name: string, path: string, out: ProblemCollector): void {
  // The name's syntax is checked by checkName (stricter); here, only whether the namespace is one TeamNamespace refuses to own.
  for (const p of reservedNamespaceProblems('name', name)) out.error(path, p.value, p.message);
}

export function checkPool(
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

export function checkTeam(team: string | undefined, at: string, ctx: WorkloadContext, out: ProblemCollector): void {
  if (team !== undefined && !ctx.teams.some((t) => t.name === team)) {
    out.error(
      `${at}.team`,
      team,
      `must name a team of this definition: ${ctx.teams.map((t) => t.name).join(', ') || '(none)'}`,
    );
  }
}

/** A zone a workload names (data access, a model, an output) must be one of the lake's. */
export function checkZone(zone: string, path: string, ctx: WorkloadContext, out: ProblemCollector): void {
  out.check(ctx.zones.includes(zone), path, zone, `must be a data-lake zone: ${ctx.zones.join(', ')}`);
}

export function checkDataAccess(
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
export function checkFitsNode(perNode: number, pool: ResolvedNodePool, path: string, out: ProblemCollector): void {
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

/**
 * A job's pool, accelerators per node (default: the pool's smallest type's) and nodes: the pool exists, the
 * accelerators fit one node, the nodes fit the pool. Returns the pool (when it has no problems) and the accelerators.
 */
export function checkJobPlacement(
  poolName: string,
  nodes: number,
  gpusPerNode: number | undefined,
  at: string,
  ctx: WorkloadContext,
  out: ProblemCollector,
): { pool?: ResolvedNodePool; gpusPerNode: number } {
  const pool = checkPool(poolName, at, ctx, out);
  const perNode = gpusPerNode ?? pool?.minAcceleratorsPerNode ?? 0;
  // Without a given count and a pool to default it from, the pool's problem is the one to report (not 0 accelerators).
  if (gpusPerNode !== undefined || pool) out.addAll(at, acceleratorsProblems('gpusPerNode', perNode, 'training'));
  if (pool) {
    checkFitsNode(perNode, pool, `${at}.gpusPerNode`, out);
    out.check(
      nodes <= pool.maxNodes,
      `${at}.nodes`,
      nodes,
      `must fit pool '${pool.name}': maxNodes is ${pool.maxNodes}`,
    );
  }
  return { pool, gpusPerNode: perNode };
}

export function largestType(pool: ResolvedNodePool): string {
  return pool.instances.reduce((a, b) => (b.acceleratorCount > a.acceleratorCount ? b : a)).instanceType;
}

/**
 * Each resolved training entry's definition path: `training[i]`, `optimizations[i]` or `pipelines[i]` (a Ray
 * pipeline, at its own place among the pipelines).
 */
export function trainingPaths(training: readonly ResolvedTraining[]): string[] {
  const seen = { training: 0, optimizations: 0 };
  return training.map((j) =>
    j.pipeline
      ? `pipelines[${j.pipeline.index}]`
      : j.optimization
        ? `optimizations[${seen.optimizations++}]`
        : `training[${seen.training++}]`,
  );
}
