import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  DataLakeImport,
  DataPipeline,
  PipelineScript,
  PipelineTrigger,
  TableFormat,
  type DataPipelineProps,
} from '../../lib';
import { testApp } from '../helpers';
import { buildNew, definitionOf, SCRIPT } from './fixture';

const stack = new Stack(testApp(), 'CheckLimits');
const base: DataPipelineProps = {
  pipelineName: 'reviews-clean',
  dataLake: new DataLakeImport(stack, 'acme', ['raw', 'curated']),
  sources: ['raw'],
  target: 'curated',
  vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'] }),
  script: PipelineScript.fromAsset(SCRIPT),
};
const withColumn = (type: string): DataPipelineProps => ({
  ...base,
  table: { tableName: 'reviews', format: TableFormat.PARQUET, columns: [{ name: 'c', type }] },
});
const lines = (props: DataPipelineProps) =>
  DataPipeline.check(props).map((p) => `${p.field} (${JSON.stringify(p.value)}) ${p.message}`);

// Athena "Data types in Amazon Athena" and the Hive language manual (Types): the names all three engines read.
describe('column types are Hive types that Glue, Spark and Athena read', () => {
  test.each([
    'boolean',
    'tinyint',
    'smallint',
    'int',
    'integer',
    'bigint',
    'float',
    'double',
    'decimal',
    'decimal(10)',
    'decimal(38,38)',
    'DECIMAL(10, 2)',
    'string',
    'char(1)',
    'char(255)',
    'varchar(65535)',
    'date',
    'timestamp',
    'binary',
    'Array<String>',
    'map<string,array<double>>',
    'struct<a:int, b:map<bigint,struct<c:varchar(10)>>>',
    'array<struct<review_id:string,tags:array<string>>>',
  ])('accepts %s', (type) => {
    expect(lines(withColumn(type))).toEqual([]);
  });

  test.each([
    ['text', "'text' is not a Hive type"],
    ['', 'a type is missing'],
    ['  ', 'a type is missing'],
    ['varchar', "'(' is missing"],
    ['decimal(39,0)', 'decimal precision 39 must be 1..38'],
    ['decimal(0)', 'decimal precision 0 must be 1..38'],
    ['decimal(5,6)', 'decimal scale 6 must be 0..precision (5)'],
    ['char(0)', 'char length 0 must be 1..255'],
    ['char(256)', 'char length 256 must be 1..255'],
    ['varchar(65536)', 'varchar length 65536 must be 1..65535'],
    ['array<string', "'>' is missing"],
    ['array<>', "'>' is not a Hive type"],
    ['map<array<int>,int>', "'array' is not a Hive type"],
    ['map<string>', "expected ',', found '>'"],
    ['struct<>', "'>' is not a struct field name"],
    ['struct<a int>', "expected ':', found 'int'"],
    ['struct<a:int,>', "'>' is not a struct field name"],
    ['array<varchar(70000)>', 'varchar length 70000'],
    ['int int', "unexpected 'int'"],
    ['timestamp with time zone', "unexpected 'with'"],
  ])('refuses %j with the field path: %s', (type, why) => {
    const problems = lines(withColumn(type));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^table\.columns\[0\]\.type .* must be a Hive type that Glue, Spark and Athena read/);
    expect(problems[0]).toContain(why);
  });
});

// EMR Serverless API reference, SparkSubmit: entryPoint 1-4096 characters; entryPointArguments at most 1024, each .*\S.*
describe("the job run stays within StartJobRun's limits", () => {
  const table = { tableName: 'reviews', format: TableFormat.PARQUET };
  test.each<[string, Partial<DataPipelineProps>, RegExp]>([
    [
      'an S3 entry point over 4096 characters',
      { script: PipelineScript.fromS3Uri(`s3://b/${'k'.repeat(4090)}.py`) },
      /^script \(.*\) is 4100 characters; the job's entry point takes at most 4096 \(EMR Serverless StartJobRun/,
    ],
    [
      'an empty extra argument',
      { jobArguments: ['--flag', ''] },
      /^jobArguments\[1\] \(""\) must not be empty or blank/,
    ],
    ['a blank extra argument', { jobArguments: ['  '] }, /^jobArguments\[0\] \(" {2}"\) must not be empty or blank/],
    [
      'a blank arrival prefix (passed as --input-prefix)',
      { trigger: PipelineTrigger.onArrival('raw', ' ') },
      /^trigger\.prefix \(" "\) must not be blank: it is passed to the job as --input-prefix/,
    ],
    [
      'more arguments than StartJobRun takes, counting the ones the pipeline passes',
      { table, jobArguments: Array(1017).fill('x') },
      /^jobArguments \("1017 arguments"\) must be at most 1016: with the 8 the pipeline passes, the job gets 1025/,
    ],
  ])('refuses %s', (_case, change, expected) => {
    expect(lines({ ...base, ...change })).toEqual([expect.stringMatching(expected)]);
  });

  test('accepts the longest entry point, the most arguments and a prefix the job can read', () => {
    expect(
      lines({
        ...base,
        script: PipelineScript.fromS3Uri(`s3://b/${'k'.repeat(4086)}.py`),
        table,
        jobArguments: Array(1016).fill('x'),
      }),
    ).toEqual([]);
    expect(
      lines({ ...base, trigger: PipelineTrigger.onArrival('raw', 'incoming/'), jobArguments: Array(1018).fill('x') }),
    ).toEqual([]);
  });

  test('the count of arguments the pipeline passes is the one the state machine sends', () => {
    const props = { trigger: PipelineTrigger.onArrival('raw', 'incoming/'), table, jobArguments: ['--extra'] };
    const sent: string[] = definitionOf(buildNew(props).template).States.RunJob.Parameters.JobDriver.SparkSubmit
      .EntryPointArguments;
    const room = 1024 - (sent.length - 1);
    expect(lines({ ...base, ...props, jobArguments: Array(room).fill('x') })).toEqual([]);
    expect(lines({ ...base, ...props, jobArguments: Array(room + 1).fill('x') })).toEqual([
      expect.stringMatching(/^jobArguments .* StartJobRun takes at most 1024/),
    ]);
  });
});
