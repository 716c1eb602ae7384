import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { Problem } from '../core/problem';
import { ProblemList, throwIfProblems } from '../core/problems';
import type { IDataLakeRef } from '../data-lake/data-lake-ref';
import { PIPELINE_DEFAULTS } from './defaults';
import { PipelineScriptSource, type PipelineScript } from './pipeline-script';
import { PipelineTriggerKind, type PipelineTrigger } from './pipeline-trigger';
import { toClusterCron } from './private/cluster-schedule';
import { scriptProblems, zoneProblems } from './private/pipeline-checks';
import { scheduleProblems } from './private/schedule-expression';

/** When a pipeline runs in the cluster: a Kubernetes CronJob schedule (five-field cron) in a time zone. */
export interface ClusterSchedule {
  readonly cron: string;
  /** Always `Etc/UTC`: EventBridge Scheduler evaluates a pipeline's expression in UTC. */
  readonly timeZone: string;
}

/** Props of {@link RayPipeline.check} and {@link RayPipeline.run}. */
export interface RayPipelineProps {
  /** Names the folder the job writes, `s3://<target bucket>/<pipelineName>/`, as a DataPipeline of that name does. */
  readonly pipelineName: string;
  readonly dataLake: IDataLakeRef;
  /** Zones the job reads (`--sources`); at least one, not the target. */
  readonly sources: string[];
  /** The zone the job writes (`--target`). */
  readonly target: string;
  /** A local `.py` file (`PipelineScript.fromAsset`): its contents are mounted into the Ray head and workers. */
  readonly script: PipelineScript;
  /** A schedule (converted to the cluster's cron), or none for runs started by hand. @default - by hand */
  readonly trigger?: PipelineTrigger;
  /** How long a run may take, whole minutes: the RayJob's `activeDeadlineSeconds`. @default Duration.hours(2) */
  readonly runTimeout?: Duration;
}

/** What a Ray pipeline's RayJob runs (for `TrainingJob` with `engine: ray`). */
export interface RayPipelineRun {
  /** The Ray job's entrypoint: `python <directory>/<script> --sources s3://<bucket>/[,...] --target <targetUri>`. */
  readonly command: string[];
  /** The script, as files mounted read-only in the head (where the driver runs) and the workers. */
  readonly files: RayPipelineFiles;
  /** Where the job writes: `s3://<target bucket>/<pipelineName>/`. */
  readonly targetUri: string;
  /** The CronJob schedule of a scheduled trigger. @default - none: runs start by hand */
  readonly schedule?: ClusterSchedule;
  /** `runTimeout` in hours (TrainingJob `maxRunHours`). */
  readonly maxRunHours: number;
}

/** Files of a Ray pipeline's pods: name → contents, under a directory. */
export interface RayPipelineFiles {
  readonly directory: string;
  readonly contents: Record<string, string>;
}

/**
 * A data pipeline on Ray in the EKS cluster: the same sources, target, script arguments and `trigger` syntax as a
 * Spark `DataPipeline`, run as a RayJob by a training job's launcher (a CronJob in the cluster). This class holds the
 * pipeline's own rules and what its runs execute; compose it with `TrainingJob` (`engine: ray`, `command`, `files`,
 * `schedule`), and give the job's role read on the sources and write on `<target>/<pipelineName>/`.
 *
 * What the cluster cannot do is refused: an arrival trigger (no S3 events reach a CronJob), a one-time `at(...)`,
 * a cron with `L`, `W`, `#` or a year, a rate that no clock-aligned cron repeats, and an `s3://` script (the driver
 * would need to fetch it at run time: mount a local file instead).
 */
export class RayPipeline {
  /** Where the script appears in the Ray pods. */
  public static readonly SCRIPT_DIRECTORY: string = '/opt/pipeline';

  /** Problems of the props with field names relative to them; empty when they are valid. Values that are tokens are skipped. */
  public static check(props: RayPipelineProps): Problem[] {
    const out = new ProblemList();
    const bad = (field: string, value: unknown, message: string) => out.add(field, value, message);
    zoneProblems(props, bad);
    if (props.script.source === PipelineScriptSource.S3_URI) {
      bad(
        'script',
        props.script.location,
        'must be a local .py file for engine ray: the script is mounted into the Ray pods at synth, and an s3:// object would have to be fetched by the job itself; copy it next to the app, or use engine spark',
      );
    } else {
      scriptProblems(props.script, bad);
    }
    const trigger = props.trigger;
    if (trigger?.kind === PipelineTriggerKind.ON_ARRIVAL) {
      bad(
        'trigger',
        trigger.zone,
        "cannot start on data arriving for engine ray: the cluster's scheduler (a CronJob) cannot start on S3 events; use a schedule, start it by hand, or use engine spark",
      );
    } else if (trigger?.kind === PipelineTriggerKind.SCHEDULE) {
      const problems = scheduleProblems(trigger.expression!);
      for (const p of problems) bad('trigger.expression', trigger.expression, p);
      const converted = problems.length === 0 ? toClusterCron(trigger.expression!) : undefined;
      if (converted?.problem) bad('trigger.expression', trigger.expression, converted.problem);
    }
    const timeout = props.runTimeout;
    if (timeout && !timeout.isUnresolved()) {
      const minutes = timeout.toMinutes({ integral: false });
      if (!Number.isInteger(minutes) || minutes < 1)
        bad(
          'runTimeout',
          timeout.toHumanString(),
          "must be a whole number of minutes, at least 1 (the RayJob's activeDeadlineSeconds)",
        );
    }
    return out.problems;
  }

  /** The CronJob schedule of a trigger: a schedule converted to the cluster's cron in UTC; undefined for none. */
  public static clusterSchedule(trigger?: PipelineTrigger): ClusterSchedule | undefined {
    if (trigger?.kind !== PipelineTriggerKind.SCHEDULE) return undefined;
    return toClusterCron(trigger.expression!).cron;
  }

  /** The script as the pods' files: its contents under its file name, in SCRIPT_DIRECTORY. Reads the file. */
  public static scriptFiles(script: PipelineScript): RayPipelineFiles {
    return {
      directory: RayPipeline.SCRIPT_DIRECTORY,
      contents: { [path.basename(script.location)]: fs.readFileSync(script.location, 'utf8') },
    };
  }

  /**
   * What the runs execute: the driver runs the script from the mounted files with the Spark job's arguments. The
   * entrypoint runs on the head unless it asks for resources (Ray docs, "Quickstart using the Ray Jobs CLI",
   * Specifying CPU and GPU resources); the workers get the same files mounted, so the path is valid on every node.
   * Reads the script file; throws the props' problems.
   */
  public static run(props: RayPipelineProps): RayPipelineRun {
    throwIfProblems(`RayPipeline '${props.pipelineName}'`, RayPipeline.check(props));
    const file = path.basename(props.script.location);
    const bucketUri = (zone: string) => `s3://${props.dataLake.zoneBucketName(zone)}/`;
    const targetUri = `${bucketUri(props.target)}${props.pipelineName}/`;
    return {
      command: [
        'python',
        `${RayPipeline.SCRIPT_DIRECTORY}/${file}`,
        '--sources',
        props.sources.map(bucketUri).join(','),
        '--target',
        targetUri,
      ],
      files: RayPipeline.scriptFiles(props.script),
      targetUri,
      schedule: RayPipeline.clusterSchedule(props.trigger),
      maxRunHours: (props.runTimeout ?? Duration.minutes(PIPELINE_DEFAULTS.runTimeoutMinutes)).toMinutes() / 60,
    };
  }

  private constructor() {}
}
