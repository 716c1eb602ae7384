import { Duration, Size } from 'aws-cdk-lib';
import { deepFreeze } from '../catalog/deep-freeze';
import type { IDataLakeRef } from '../data-lake/data-lake-ref';
import { DataPipeline, type DataPipelineProps } from '../pipelines/data-pipeline';
import { DEFAULT_VCPU_QUOTA } from '../pipelines/defaults';
import { DEFAULTS } from './defaults';
import { PipelineScript } from '../pipelines/pipeline-script';
import { PipelineTrigger } from '../pipelines/pipeline-trigger';
import type { ProblemCollector } from './problems';
import type { ResolvedPipeline } from './resolved';
import { duplicates } from './rules';
import { PipelineEngine, type PipelineDefinition } from './types';

/** DataPipeline's prop names as the definition writes them. */
const FIELDS: Record<string, string> = {
  pipelineName: 'name',
  sources: 'from',
  target: 'to',
  runTimeout: 'runTimeoutMinutes',
  'trigger.expression': 'trigger.schedule',
  'trigger.zone': 'trigger.onArrival.zone',
  'trigger.prefix': 'trigger.onArrival.prefix',
  'maxCapacity.maxVcpu': 'maxCapacity.vcpu',
  'maxCapacity.maxMemory': 'maxCapacity.memoryGiB',
  'table.tableName': 'table.name',
};

/** A domain's field as the definition writes it (`sources[1]` → `from[1]`), by a map of prop names. */
export function definitionField(field: string, fields: Record<string, string> = FIELDS): string {
  const key = Object.keys(fields)
    .sort((a, b) => b.length - a.length)
    .find((k) => field === k || field.startsWith(`${k}[`) || field.startsWith(`${k}.`));
  return key ? fields[key] + field.slice(key.length) : field;
}

/** A pipeline's name in AWS (application, state machine, log groups): the platform's name first. */
export function pipelineName(platformName: string, p: { readonly name: string }): string {
  return `${platformName}-${p.name}`;
}

/** The DataPipeline props a pipeline of the definition maps onto (without the VPC and the lake, which the platform adds). */
export function pipelineProps(platformName: string, p: ResolvedPipeline): Omit<DataPipelineProps, 'vpc' | 'dataLake'> {
  return {
    pipelineName: pipelineName(platformName, p),
    sources: p.from,
    target: p.to,
    script: p.script.startsWith('s3://') ? PipelineScript.fromS3Uri(p.script) : PipelineScript.fromAsset(p.script),
    trigger:
      p.schedule !== undefined
        ? PipelineTrigger.schedule(p.schedule)
        : p.arrivalZone !== undefined
          ? PipelineTrigger.onArrival(p.arrivalZone, p.arrivalPrefix)
          : undefined,
    maxCapacity: { maxVcpu: p.maxVcpu, maxMemory: Size.gibibytes(p.maxMemoryGiB) },
    runTimeout: Duration.minutes(p.runTimeoutMinutes),
    table: p.table
      ? {
          tableName: p.table.name,
          format: p.table.format,
          partitionKeys: p.table.partitionKeys,
          columns: p.table.columns,
        }
      : undefined,
  };
}

/**
 * Applies pipeline defaults and checks them with DataPipeline's own rules (names and their service limits,
 * zones, script, schedule, capacity, timeout, table), reported under `pipelines[i]` in the definition's words.
 */
export function resolvePipelines(
  platformName: string,
  defs: PipelineDefinition[],
  zones: string[],
  natGateways: number,
  out: ProblemCollector,
): ResolvedPipeline[] {
  for (const d of duplicates(defs.map((p) => p.name)))
    out.error(`pipelines[${d.index}].name`, d.name, 'must be unique among pipelines');
  const lake = { zoneNames: zones } as IDataLakeRef;
  return defs.flatMap((def, i): ResolvedPipeline[] => {
    const at = `pipelines[${i}]`;
    const trigger = def.trigger ?? {};
    if ((def.engine ?? DEFAULTS.pipeline.engine) === PipelineEngine.RAY) {
      // Resolved as a Ray job (resolve-ray-pipelines.ts); the trigger's shape is the same for both engines.
      triggerShapeProblems(def, at, out);
      return [];
    }
    for (const f of RAY_ONLY)
      if (def[f] !== undefined)
        out.error(
          `${at}.${f}`,
          def[f],
          'is only for engine ray (a RayJob in the cluster); leave it out with engine spark',
        );
    triggerShapeProblems(def, at, out);
    // The job's Spark reaches the Glue Data Catalog over the internet: the platform's interface endpoints
    // (image pulls, or all of STS, EKS, EC2, Logs, ...) have no Glue endpoint (EMR Serverless "Configuring VPC access").
    if (def.table !== undefined && natGateways === 0) {
      out.error(
        `${at}.table`,
        def.table.name,
        "needs network.natGateways >= 1: the job registers partitions in the Glue Data Catalog, which the platform's VPC endpoints do not reach",
      );
    }
    const resolved: ResolvedPipeline = {
      name: def.name,
      engine: def.engine ?? DEFAULTS.pipeline.engine,
      script: def.script,
      from: [...def.from],
      to: def.to,
      schedule: trigger.schedule,
      arrivalZone: trigger.onArrival?.zone,
      arrivalPrefix: trigger.onArrival?.prefix,
      maxVcpu: def.maxCapacity?.vcpu ?? DEFAULTS.pipeline.maxVcpu,
      maxMemoryGiB: def.maxCapacity?.memoryGiB ?? DEFAULTS.pipeline.maxMemoryGiB,
      runTimeoutMinutes: def.runTimeoutMinutes ?? DEFAULTS.pipeline.runTimeoutMinutes,
      table: def.table
        ? {
            name: def.table.name,
            format: def.table.format ?? DEFAULTS.pipeline.tableFormat,
            partitionKeys: [...(def.table.partitionKeys ?? [])],
            columns: (def.table.columns ?? []).map((c) => ({ name: c.name, type: c.type })),
          }
        : undefined,
    };
    // Whole, positive numbers first: Size and Duration refuse negative amounts with an exception.
    // DataPipeline's own rules speak for every number. A negative one cannot become a Size or a Duration: it is
    // checked as 0 (which the same rules refuse) and reported with its own value.
    const negative = new Map<string, number>(
      (
        [
          ['maxCapacity.vcpu', resolved.maxVcpu],
          ['maxCapacity.memoryGiB', resolved.maxMemoryGiB],
          ['runTimeoutMinutes', resolved.runTimeoutMinutes],
        ] as const
      ).filter(([, v]) => v < 0),
    );
    const checked = {
      ...resolved,
      maxVcpu: Math.max(0, resolved.maxVcpu),
      maxMemoryGiB: Math.max(0, resolved.maxMemoryGiB),
      runTimeoutMinutes: Math.max(0, resolved.runTimeoutMinutes),
    };
    const props = { ...pipelineProps(platformName, checked), dataLake: lake } as DataPipelineProps;
    for (const p of DataPipeline.check(props)) {
      const field = definitionField(p.field);
      out.error(`${at}.${field}`, negative.has(field) ? negative.get(field) : p.value, p.message);
    }
    if (resolved.maxVcpu > DEFAULT_VCPU_QUOTA) {
      out.warn(
        `${at}.maxCapacity.vcpu`,
        resolved.maxVcpu,
        `is above ${DEFAULT_VCPU_QUOTA}, the default EMR Serverless quota of concurrent vCPUs per account and region; raise the quota (L-D05C8A75) or runs will wait for capacity`,
      );
    }
    return [resolved];
  });
}

/** Fields only a Ray pipeline takes. */
const RAY_ONLY = deepFreeze(['image', 'nodePool', 'nodes', 'gpusPerNode'] as const);

/** A trigger names exactly one of schedule and onArrival (any engine). */
function triggerShapeProblems(def: PipelineDefinition, at: string, out: ProblemCollector): void {
  const trigger = def.trigger ?? {};
  if (trigger.schedule !== undefined && trigger.onArrival !== undefined) {
    out.error(`${at}.trigger`, def.trigger, 'takes schedule or onArrival, not both');
  } else if (def.trigger !== undefined && trigger.schedule === undefined && trigger.onArrival === undefined) {
    out.error(`${at}.trigger`, def.trigger, 'takes schedule or onArrival; leave trigger out to start runs by hand');
  }
}

/** The most a pipeline can cost a month at its capacity, timeout and schedule; undefined for an arrival trigger. */
export function pipelineMonthlyCeiling(p: ResolvedPipeline): number | undefined {
  const runs =
    p.schedule !== undefined
      ? DataPipeline.runsPerMonth(PipelineTrigger.schedule(p.schedule))
      : p.arrivalZone !== undefined
        ? undefined
        : 0;
  return runs === undefined
    ? undefined
    : DataPipeline.maxMonthlyCost(
        { maxVcpu: p.maxVcpu, maxMemory: Size.gibibytes(p.maxMemoryGiB) },
        Duration.minutes(p.runTimeoutMinutes),
        runs,
      );
}

/** The most one run can cost: full capacity for the whole timeout. */
export function pipelineRunCeiling(p: ResolvedPipeline): number {
  return DataPipeline.maxMonthlyCost(
    { maxVcpu: p.maxVcpu, maxMemory: Size.gibibytes(p.maxMemoryGiB) },
    Duration.minutes(p.runTimeoutMinutes),
    1,
  );
}
