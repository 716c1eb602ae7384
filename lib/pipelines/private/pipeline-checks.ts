import * as fs from 'node:fs';
import { Token } from 'aws-cdk-lib';
import type { Problem } from '../../core/problem';
import { ProblemList } from '../../core/problems';
import { capacityOf, SPARK_WORKER } from '../defaults';
import type { IDataLakeRef } from '../../data-lake/data-lake-ref';
import type { DataPipelineProps } from '../data-pipeline';
import { PipelineScriptSource, type PipelineScript } from '../pipeline-script';
import { PipelineTriggerKind } from '../pipeline-trigger';
import { pipelineResourceNames } from './names';
import { scheduleProblems } from './schedule-expression';

const NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const GLUE_NAME = /^[a-z_][a-z0-9_]*$/;
const RELEASE = /^emr-[A-Za-z0-9._/-]+$/;
// EMR Serverless workers hold 2 to 8 GB per vCPU (1 vCPU: 2-8 GB ... 16 vCPU: 32-120 GB), "Supported worker configurations".
const MIN_GIB_PER_VCPU = 2;
const MAX_GIB_PER_VCPU = 8;
/** Step Functions Standard executions last at most one year; the state machine's timeout is runTimeout + 15 min. */
const MAX_RUN_TIMEOUT_DAYS = 90;
// EMR Serverless API reference, SparkSubmit: entryPoint 1-4096 characters; entryPointArguments at most 1024 items, each matching .*\S.*.
const MAX_ENTRY_POINT = 4096;
const MAX_ENTRY_POINT_ARGUMENTS = 1024;
const NOT_BLANK = /\S/;

/** Every problem of a pipeline's props, with fields relative to the props; values that are tokens are skipped. */
export function pipelinePropsProblems(props: DataPipelineProps): Problem[] {
  const out = new ProblemList();
  const bad = (field: string, value: unknown, message: string) => out.add(field, value, message);
  const known = (v: unknown) => !Token.isUnresolved(v);

  if (known(props.pipelineName)) {
    if (!NAME.test(props.pipelineName))
      bad(
        'pipelineName',
        props.pipelineName,
        'must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen',
      );
    for (const n of pipelineResourceNames(props.pipelineName)) {
      if (n.value.length > n.max)
        bad(
          'pipelineName',
          props.pipelineName,
          `makes a ${n.name} of ${n.value.length} characters; at most ${n.max} (${n.source})`,
        );
    }
  }

  zoneProblems(props, bad);

  scriptProblems(props.script, bad);

  const trigger = props.trigger;
  if (trigger?.kind === PipelineTriggerKind.SCHEDULE && known(trigger.expression)) {
    for (const p of scheduleProblems(trigger.expression!)) bad('trigger.expression', trigger.expression, p);
  }
  if (
    trigger?.kind === PipelineTriggerKind.ON_ARRIVAL &&
    known(trigger.zone) &&
    !props.sources.includes(trigger.zone!)
  ) {
    bad(
      'trigger.zone',
      trigger.zone,
      `must be one of the sources (${props.sources.join(', ')}): the pipeline can only read data that arrives there`,
    );
  }

  jobArgumentProblems(props, bad);

  const { maxVcpu: vcpu, maxMemoryGiB: gib } = capacityOf(props.maxCapacity);
  const minVcpu = 2 * SPARK_WORKER.vcpu;
  const minGib = 2 * SPARK_WORKER.memoryGiB;
  if (known(vcpu) && (!Number.isInteger(vcpu) || vcpu < minVcpu)) {
    bad(
      'maxCapacity.maxVcpu',
      vcpu,
      `must be a whole number >= ${minVcpu}: the Spark driver and one executor of ${SPARK_WORKER.vcpu} vCPU each`,
    );
  }
  if (known(gib) && (!Number.isInteger(gib) || gib < minGib)) {
    bad(
      'maxCapacity.maxMemory',
      `${gib} GiB`,
      `must be a whole number of GiB >= ${minGib}: the Spark driver and one executor of ${SPARK_WORKER.memoryGiB} GiB each`,
    );
  }
  if (known(vcpu) && known(gib) && vcpu > 0 && (gib < vcpu * MIN_GIB_PER_VCPU || gib > vcpu * MAX_GIB_PER_VCPU)) {
    bad(
      'maxCapacity.maxMemory',
      `${gib} GiB`,
      `must be ${MIN_GIB_PER_VCPU}-${MAX_GIB_PER_VCPU} GiB per vCPU (${vcpu} vCPU: ${vcpu * MIN_GIB_PER_VCPU}-${vcpu * MAX_GIB_PER_VCPU} GiB), the memory range of EMR Serverless workers`,
    );
  }

  const timeout = props.runTimeout;
  if (timeout && !timeout.isUnresolved()) {
    const minutes = timeout.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_RUN_TIMEOUT_DAYS * 24 * 60) {
      bad(
        'runTimeout',
        timeout.toHumanString(),
        `must be a whole number of minutes from 1 minute to ${MAX_RUN_TIMEOUT_DAYS} days (the job's ExecutionTimeoutMinutes)`,
      );
    }
  }

  if (
    props.releaseLabel !== undefined &&
    known(props.releaseLabel) &&
    (!RELEASE.test(props.releaseLabel) || props.releaseLabel.length > 64)
  ) {
    bad('releaseLabel', props.releaseLabel, 'must be an EMR release label such as emr-7.12.0 (1-64 characters)');
  } else if (
    props.releaseLabel !== undefined &&
    known(props.releaseLabel) &&
    Number(/^emr-(\d+)\./.exec(props.releaseLabel)?.[1] ?? 7) < 7
  ) {
    // The one-run-at-a-time guard is the application's SchedulerConfiguration: "Supported with release labels emr-7.0.0 and above".
    bad(
      'releaseLabel',
      props.releaseLabel,
      "must be emr-7.0.0 or later: the pipeline runs one job at a time through the application's job queue (SchedulerConfiguration)",
    );
  }

  const table = props.table;
  if (table) {
    if (known(table.tableName) && (!GLUE_NAME.test(table.tableName) || table.tableName.length > 255)) {
      bad(
        'table.tableName',
        table.tableName,
        'must be lowercase letters, digits and underscores, not starting with a digit, at most 255 characters (Glue and Athena)',
      );
    }
    const names = [...(table.columns ?? []).map((c) => c.name), ...(table.partitionKeys ?? [])];
    (table.partitionKeys ?? []).forEach((k, i) => {
      if (known(k) && !GLUE_NAME.test(k))
        bad(
          `table.partitionKeys[${i}]`,
          k,
          'must be lowercase letters, digits and underscores, not starting with a digit',
        );
    });
    (table.columns ?? []).forEach((c, i) => {
      if (known(c.name) && !GLUE_NAME.test(c.name))
        bad(
          `table.columns[${i}].name`,
          c.name,
          'must be lowercase letters, digits and underscores, not starting with a digit',
        );
      const typeProblem = known(c.type) && typeof c.type === 'string' ? hiveTypeProblem(c.type) : undefined;
      if (typeProblem)
        bad(
          `table.columns[${i}].type`,
          c.type,
          `must be a Hive type that Glue, Spark and Athena read (boolean, tinyint, smallint, int, bigint, float, double, decimal(p,s), string, char(n), varchar(n), date, timestamp, binary, array<t>, map<primitive,t>, struct<name:t,...>): ${typeProblem}`,
        );
    });
    names.forEach((n, i) => {
      if (known(n) && names.indexOf(n) !== i) bad('table', n, 'names a column or partition key twice');
    });
  }
  return out.problems;
}

/** The script of a pipeline (any engine): a `.py` file that exists, or an `s3://` URI of an object within StartJobRun's limit. */
export function scriptProblems(
  script: PipelineScript,
  bad: (field: string, value: unknown, message: string) => void,
): void {
  const known = (v: unknown) => !Token.isUnresolved(v);
  if (known(script.location)) {
    if (!script.location.endsWith('.py')) bad('script', script.location, 'must be a Python file (.py)');
    if (script.source === PipelineScriptSource.S3_URI && !/^s3:\/\/[^/]+\/.+/.test(script.location))
      bad('script', script.location, 'must be an s3:// URI of an object (s3://bucket/key.py)');
    if (script.source === PipelineScriptSource.ASSET && !fs.existsSync(script.location))
      bad('script', script.location, 'must be an existing file');
    if (script.source === PipelineScriptSource.S3_URI && script.location.length > MAX_ENTRY_POINT) {
      bad(
        'script',
        `${script.location.slice(0, 40)}...`,
        `is ${script.location.length} characters; the job's entry point takes at most ${MAX_ENTRY_POINT} (EMR Serverless StartJobRun, SparkSubmit.entryPoint)`,
      );
    }
  }
}

/** The zones a pipeline reads and writes (any engine): at least one source, all zones of the lake, the target not read. */
export function zoneProblems(
  props: { readonly dataLake: IDataLakeRef; readonly sources: string[]; readonly target: string },
  bad: (field: string, value: unknown, message: string) => void,
): void {
  const known = (v: unknown) => !Token.isUnresolved(v);
  const zones = props.dataLake.zoneNames.filter(known);
  const zoneKnown = (z: string) => !known(z) || zones.length < props.dataLake.zoneNames.length || zones.includes(z);
  const zoneList = zones.join(', ');
  if (props.sources.length === 0) bad('sources', props.sources, `must name at least one zone to read: ${zoneList}`);
  props.sources.forEach((z, i) => {
    if (!zoneKnown(z)) bad(`sources[${i}]`, z, `must be a zone of the data lake: ${zoneList}`);
    if (known(z) && props.sources.indexOf(z) !== i) bad(`sources[${i}]`, z, 'is listed twice');
  });
  if (!zoneKnown(props.target)) bad('target', props.target, `must be a zone of the data lake: ${zoneList}`);
  if (known(props.target) && props.sources.includes(props.target))
    bad(
      'sources',
      props.sources,
      `must not contain the target zone ('${props.target}'): a pipeline writes a zone it does not read`,
    );
}

/**
 * The job's entry point arguments within StartJobRun's limits: the ones the pipeline builds (`--sources`, `--target`,
 * `--input-prefix` on arrival, `--database` and `--table` with a table: see DataPipeline) and the user's `jobArguments`.
 */
function jobArgumentProblems(
  props: DataPipelineProps,
  bad: (field: string, value: unknown, message: string) => void,
): void {
  const prefix = props.trigger?.kind === PipelineTriggerKind.ON_ARRIVAL ? props.trigger.prefix : undefined;
  if (prefix && !Token.isUnresolved(prefix) && !NOT_BLANK.test(prefix)) {
    bad(
      'trigger.prefix',
      prefix,
      'must not be blank: it is passed to the job as --input-prefix, and EMR Serverless refuses a blank entry point argument (StartJobRun, SparkSubmit.entryPointArguments); leave it out to watch the whole zone',
    );
  }
  const extra = props.jobArguments ?? [];
  extra.forEach((a, i) => {
    if (!Token.isUnresolved(a) && !NOT_BLANK.test(a))
      bad(
        `jobArguments[${i}]`,
        a,
        'must not be empty or blank: EMR Serverless refuses a blank entry point argument (StartJobRun, SparkSubmit.entryPointArguments)',
      );
  });
  const built = 4 + (prefix ? 2 : 0) + (props.table ? 4 : 0);
  if (built + extra.length > MAX_ENTRY_POINT_ARGUMENTS) {
    bad(
      'jobArguments',
      `${extra.length} arguments`,
      `must be at most ${MAX_ENTRY_POINT_ARGUMENTS - built}: with the ${built} the pipeline passes, the job gets ${built + extra.length}, and StartJobRun takes at most ${MAX_ENTRY_POINT_ARGUMENTS} entry point arguments`,
    );
  }
}

// Hive DDL types that Glue, Spark and Athena all read ("Data types in Amazon Athena"; Hive LanguageManual Types):
// primitives, decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p, char(1..255), varchar(1..65535), and
// array<t>, map<primitive,t>, struct<name:t,...> nested to any depth.
const HIVE_PRIMITIVES = new Set([
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'integer',
  'bigint',
  'float',
  'double',
  'string',
  'date',
  'timestamp',
  'binary',
]);
const HIVE_LENGTHS: Record<string, number> = { char: 255, varchar: 65535 };

/** Why `type` is not a Hive type that Glue, Spark and Athena read (case-insensitive), or undefined when it is one. */
export function hiveTypeProblem(type: string): string | undefined {
  const tokens = type.toLowerCase().match(/[a-z_][a-z0-9_]*|\d+|\S/g) ?? [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(why);
  };
  const take = (expected?: string): string => {
    const got = tokens[i++];
    if (got === undefined)
      return fail(expected ? `'${expected}' is missing at the end` : 'a type is missing at the end');
    if (expected !== undefined && got !== expected) fail(`expected '${expected}', found '${got}'`);
    return got;
  };
  const whole = (): number => {
    const n = take();
    return /^\d+$/.test(n) ? Number(n) : fail(`expected a number, found '${n}'`);
  };
  const primitive = (): void => {
    const name = take();
    if (HIVE_PRIMITIVES.has(name)) return;
    if (name === 'decimal') {
      if (tokens[i] !== '(') return;
      take('(');
      const p = whole();
      let s = 0;
      if (tokens[i] === ',') {
        take(',');
        s = whole();
      }
      take(')');
      if (p < 1 || p > 38) fail(`decimal precision ${p} must be 1..38`);
      if (s > p) fail(`decimal scale ${s} must be 0..precision (${p})`);
      return;
    }
    if (HIVE_LENGTHS[name] !== undefined) {
      take('(');
      const n = whole();
      take(')');
      if (n < 1 || n > HIVE_LENGTHS[name]) fail(`${name} length ${n} must be 1..${HIVE_LENGTHS[name]}`);
      return;
    }
    fail(`'${name}' is not a Hive type`);
  };
  const anyType = (): void => {
    const name = tokens[i];
    if (name === 'array') {
      take();
      take('<');
      anyType();
      take('>');
    } else if (name === 'map') {
      take();
      take('<');
      primitive();
      take(',');
      anyType();
      take('>');
    } else if (name === 'struct') {
      take();
      take('<');
      do {
        const field = take();
        if (!/^[a-z_][a-z0-9_]*$/.test(field)) fail(`'${field}' is not a struct field name`);
        take(':');
        anyType();
      } while (tokens[i] === ',' && take(','));
      take('>');
    } else {
      primitive();
    }
  };
  try {
    anyType();
    if (i < tokens.length) fail(`unexpected '${tokens[i]}'`);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
