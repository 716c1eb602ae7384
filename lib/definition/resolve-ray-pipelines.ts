import { Duration } from 'aws-cdk-lib';
import { deepFreeze } from '../catalog/deep-freeze';
import { DataAccessLevel } from '../data-lake/data-access-level';
import type { IDataLakeRef } from '../data-lake/data-lake-ref';
import { PipelineScript } from '../pipelines/pipeline-script';
import { PipelineTrigger } from '../pipelines/pipeline-trigger';
import { RayPipeline, type RayPipelineProps } from '../pipelines/ray-pipeline';
import { jobFilesProblems } from '../workloads/job-files';
import { TrainingEngine } from '../workloads/training-engine';
import { scheduleProblems } from '../workloads/training-schedule';
import { trainingProblems } from '../workloads/workload-checks';
import { DEFAULTS } from './defaults';
import { checkJobPlacement, checkName, checkNamespace, type WorkloadContext } from './private/workload-rules';
import type { ProblemCollector } from './problems';
import type { ResolvedTraining } from './resolved';
import { definitionField, pipelineName } from './resolve-pipelines';
import { PipelineEngine, type PipelineDefinition } from './types';

/** RayPipeline's prop names as the definition writes them. */
const FIELDS: Record<string, string> = deepFreeze({
  sources: 'from',
  target: 'to',
  runTimeout: 'runTimeoutMinutes',
  'trigger.expression': 'trigger.schedule',
  trigger: 'trigger.onArrival',
});

/** Fields only a Spark pipeline takes. */
const SPARK_ONLY = deepFreeze(['maxCapacity', 'table'] as const);

/** RayPipeline's props for a pipeline of the definition (a lake that names buckets by zone, for checks). */
export function rayPipelineProps(platformName: string, def: PipelineDefinition, lake: IDataLakeRef): RayPipelineProps {
  const trigger = def.trigger;
  return {
    pipelineName: pipelineName(platformName, def),
    dataLake: lake,
    sources: [...def.from],
    target: def.to,
    script: def.script.startsWith('s3://')
      ? PipelineScript.fromS3Uri(def.script)
      : PipelineScript.fromAsset(def.script),
    trigger:
      trigger?.schedule !== undefined
        ? PipelineTrigger.schedule(trigger.schedule)
        : trigger?.onArrival !== undefined
          ? PipelineTrigger.onArrival(trigger.onArrival.zone, trigger.onArrival.prefix)
          : undefined,
    runTimeout: def.runTimeoutMinutes === undefined ? undefined : Duration.minutes(Math.max(0, def.runTimeoutMinutes)),
  };
}

/**
 * The `engine: ray` entries of `pipelines` as Ray jobs (one TrainingJob each, in a namespace of the pipeline's name),
 * checked under `pipelines[i]`: RayPipeline's rules (zones, a local script, a trigger the cluster can run), the
 * converted schedule as the API server checks a CronJob, the script's size as its ConfigMap is applied, and a training
 * job's rules for image, nodes, pool and accelerators. Names are shared with the workloads (checked with them).
 */
export function resolveRayPipelines(
  platformName: string,
  defs: PipelineDefinition[],
  ctx: WorkloadContext,
  out: ProblemCollector,
): ResolvedTraining[] {
  const lake = { zoneNames: [...ctx.zones], zoneBucketName: (z: string) => `${z}-bucket` } as unknown as IDataLakeRef;
  return defs.flatMap((def, i): ResolvedTraining[] => {
    if ((def.engine ?? DEFAULTS.pipeline.engine) !== PipelineEngine.RAY) return [];
    const at = `pipelines[${i}]`;
    for (const f of SPARK_ONLY)
      if (def[f] !== undefined)
        out.error(`${at}.${f}`, def[f], 'is only for engine spark (EMR Serverless); leave it out with engine ray');
    checkName(def.name, at, out);
    checkNamespace(def.name, `${at}.name`, out);
    const props = rayPipelineProps(platformName, def, lake);
    const own = RayPipeline.check(props);
    for (const p of own) out.error(`${at}.${definitionField(p.field, FIELDS)}`, p.value, p.message);
    const schedule = RayPipeline.clusterSchedule(props.trigger);
    // The converted schedule, as the API server checks the CronJob's (a converter fault would show here).
    for (const p of scheduleProblems('schedule', schedule))
      out.error(`${at}.trigger.schedule`, def.trigger?.schedule, `becomes '${schedule!.cron}', which ${p.message}`);
    if (!own.some((p) => p.field === 'script'))
      for (const p of jobFilesProblems('files', RayPipeline.scriptFiles(props.script)))
        out.error(`${at}.script`, def.script, `${p.value}: ${p.message}`);

    const nodes = def.nodes ?? DEFAULTS.training.nodes;
    out.check(
      def.image !== undefined,
      `${at}.image`,
      def.image,
      'is required with engine ray: the image of the Ray head and workers',
    );
    out.check(
      def.nodePool !== undefined,
      `${at}.nodePool`,
      def.nodePool,
      'is required with engine ray: the node pool of the workers',
    );
    // A training job's rules for the image and nodes (a missing image is reported above).
    out.addAll(
      at,
      trainingProblems({ image: def.image ?? '', nodes }).filter((p) => def.image !== undefined || p.field !== 'image'),
    );
    // Without a pool (reported above) there is nothing to place.
    const gpusPerNode =
      def.nodePool === undefined
        ? (def.gpusPerNode ?? 0)
        : checkJobPlacement(def.nodePool, nodes, def.gpusPerNode, at, ctx, out).gpusPerNode;
    const runTimeoutMinutes = def.runTimeoutMinutes ?? DEFAULTS.pipeline.runTimeoutMinutes;
    return [
      {
        name: def.name,
        image: def.image ?? '',
        nodePool: def.nodePool ?? '',
        engine: TrainingEngine.RAY,
        nodes,
        gpusPerNode,
        command: [],
        namespace: def.name,
        dataAccess: def.from.map((zone) => ({ zone, access: DataAccessLevel.READ })),
        schedule,
        maxRunHours: runTimeoutMinutes / 60,
        optimization: false,
        pipeline: {
          index: i,
          awsName: pipelineName(platformName, def),
          script: def.script,
          from: [...def.from],
          to: def.to,
          trigger: def.trigger?.schedule,
          runTimeoutMinutes,
        },
      },
    ];
  });
}
