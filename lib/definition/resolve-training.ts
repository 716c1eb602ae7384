import { scheduleProblems } from '../workloads/training-schedule';
import { trainingProblems } from '../workloads/workload-checks';
import { DEFAULTS } from './defaults';
import type { ProblemCollector } from './problems';
import type { ResolvedTraining } from './resolved';
import { type TrainingDefinition } from './types';
import {
  checkName,
  checkNamespace,
  checkJobPlacement,
  checkTeam,
  checkZone,
  checkDataAccess,
} from './private/workload-rules';
import type { WorkloadContext } from './private/workload-rules';

/** `training[]` resolved with its defaults and checked: each job's own rules, its pool, team, zones, schedule and output. */
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

    const { pool, gpusPerNode } = checkJobPlacement(job.nodePool, nodes, job.gpusPerNode, at, ctx, out);
    if (pool) {
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
      optimization: false,
    };
  });
}
