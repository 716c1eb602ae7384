import { findInstance } from '../catalog/accelerators';
import type { ResolvedDefinition } from '../definition/resolved';
import { WORKLOAD_DEFAULTS } from '../workloads/defaults';
import { TrainingEngine } from '../workloads/training-engine';
import { DEFAULT_SCHEDULE_TIME_ZONE, manualStartCommand } from '../workloads/training-schedule';

/** How a training or optimization job runs, where a run writes, and what one run may cost. */
export interface PlanTrainingRun {
  readonly job: string;
  /** An optimization job (`optimizations`), not a training job. @default false */
  readonly optimization?: boolean;
  /** A Ray pipeline (`pipelines` with engine ray), not a training job. @default false */
  readonly pipeline?: boolean;
  /** What an optimization's runs read (`<zone>/<path>/`), or a Ray pipeline's zones (`curated, raw`). @default - none (training) */
  readonly input?: string;
  /** `schedule <cron> (<time zone>)` (a Ray pipeline's adds `from <EventBridge expression>`) or `by hand`. */
  readonly start: string;
  /** The command that starts a run now (any job; the only way for one without a schedule). */
  readonly startCommand: string;
  /** `<zone>/<path>/<run id>/`; a Ray pipeline's folder, `<zone>/<platform>-<name>/`. @default - no output named */
  readonly output?: string;
  /** All nodes of the run on the pool's dearest type, on demand, per hour. */
  readonly hourlyUsd: number;
  /** Hours a run may hold its nodes: maxRunHours per attempt × attempts. @default - no limit (no maxRunHours) */
  readonly maxHours?: number;
  /** hourlyUsd × maxHours. @default - unbounded */
  readonly maxRunUsd?: number;
}

/**
 * Each training and optimization job's and Ray pipeline's runs (a Ray pipeline's bounded by runTimeoutMinutes). A PyTorch run may make 1 + maxRestarts attempts (JobSet failurePolicy), each bounded by
 * maxRunHours (the worker Job's activeDeadlineSeconds); a Ray run is bounded as a whole (RayJob activeDeadlineSeconds).
 */
export function planTrainingRuns(def: ResolvedDefinition): PlanTrainingRun[] {
  return def.training.map((j) => {
    const pool = def.nodePools.find((p) => p.name === j.nodePool);
    const dearest = Math.max(0, ...(pool?.instanceTypes ?? []).map((t) => findInstance(t)?.onDemandHourlyUsd ?? 0));
    const hourlyUsd = Math.round(100 * j.nodes * dearest) / 100;
    const attempts = j.engine === TrainingEngine.RAY ? 1 : 1 + WORKLOAD_DEFAULTS.training.maxRestarts;
    const maxHours = j.maxRunHours === undefined ? undefined : j.maxRunHours * attempts;
    return {
      job: j.name,
      ...(j.optimization ? { optimization: true, input: `${j.input!.zone}/${j.input!.path}/` } : {}),
      ...(j.pipeline ? { pipeline: true, input: j.pipeline.from.join(', ') } : {}),
      start: j.schedule
        ? `schedule ${j.schedule.cron} (${j.schedule.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE})${j.pipeline?.trigger ? ` from ${j.pipeline.trigger}` : ''}`
        : 'by hand',
      startCommand: manualStartCommand(j.name, j.namespace),
      output: j.pipeline
        ? `${j.pipeline.to}/${j.pipeline.awsName}/`
        : j.output && `${j.output.zone}/${j.output.path}/<run id>/`,
      hourlyUsd,
      maxHours,
      maxRunUsd: maxHours === undefined ? undefined : Math.round(100 * hourlyUsd * maxHours) / 100,
    };
  });
}
