import { scheduleProblems } from '../workloads/training-schedule';
import { acceleratorsProblems, trainingProblems } from '../workloads/workload-checks';
import { modelPathProblems } from '../workloads/inference-model';
import { TrainingEngine } from '../workloads/training-engine';
import type { ProblemCollector } from './problems';
import type { ResolvedTraining } from './resolved';
import type { OptimizationDefinition } from './types';
import { checkName, checkNamespace, checkPool, checkTeam, checkZone, checkFitsNode } from './private/workload-rules';
import type { WorkloadContext } from './private/workload-rules';

/**
 * `optimizations[]` as training entries (one PyTorch node, the command run as it is), checked by training's rules
 * under `optimizations[i]`: name, image, pool, team, schedule, run-time limit, and both zones and prefixes.
 */
export function resolveOptimizations(
  defs: OptimizationDefinition[],
  ctx: WorkloadContext,
  out: ProblemCollector,
): ResolvedTraining[] {
  return defs.map((job, i) => {
    const at = `optimizations[${i}]`;
    checkName(job.name, at, out);
    if (job.team === undefined) checkNamespace(job.name, `${at}.name`, out);
    out.addAll(at, trainingProblems({ image: job.image, nodes: 1, maxRunHours: job.maxRunHours, output: job.output }));
    out.addAll(at, modelPathProblems('input.path', job.input.path));
    out.addAll(at, scheduleProblems('schedule', job.schedule));
    checkZone(job.input.zone, `${at}.input.zone`, ctx, out);
    checkZone(job.output.zone, `${at}.output.zone`, ctx, out);
    checkTeam(job.team, at, ctx, out);
    const pool = checkPool(job.nodePool, at, ctx, out);
    const gpusPerNode = job.gpusPerNode ?? pool?.minAcceleratorsPerNode ?? 0;
    out.addAll(at, acceleratorsProblems('gpusPerNode', gpusPerNode, 'training'));
    if (pool) checkFitsNode(gpusPerNode, pool, `${at}.gpusPerNode`, out);
    return {
      name: job.name,
      image: job.image,
      nodePool: job.nodePool,
      engine: TrainingEngine.PYTORCH,
      nodes: 1,
      gpusPerNode,
      command: [...(job.command ?? [])],
      namespace: job.team ?? job.name,
      team: job.team,
      schedule: job.schedule,
      maxRunHours: job.maxRunHours,
      output: job.output,
      dataAccess: [],
      optimization: true,
      input: job.input,
    };
  });
}
