import { Duration, Size } from 'aws-cdk-lib';
import type { Problem } from '../../lib/core/problems';
import { GpuNodePool, type GpuNodePoolProps } from '../../lib/compute/gpu-node-pool';
import { KarpenterNodePool, type KarpenterNodePoolProps } from '../../lib/autoscaling/karpenter-node-pool';
import { DataLake } from '../../lib/data-lake/data-lake';
import type { IDataLakeRef } from '../../lib/data-lake/data-lake-ref';
import { PlatformNetwork } from '../../lib/network/platform-network';
import { DataPipeline, type DataPipelineProps } from '../../lib/pipelines/data-pipeline';
import { PipelineScript } from '../../lib/pipelines/pipeline-script';
import { PipelineTrigger } from '../../lib/pipelines/pipeline-trigger';
import { RayPipeline, type RayPipelineProps } from '../../lib/pipelines/ray-pipeline';
import { InferenceService } from '../../lib/workloads/inference-service';
import { TeamNamespace } from '../../lib/workloads/team-namespace';
import { TrainingJob } from '../../lib/workloads/training-job';
import type { WorkloadPlacement } from '../../lib/workloads/placement';
import { validateDefinition } from '../../lib/definition/resolve';
import { Provisioner, type AiPlatformDefinition } from '../../lib/definition/types';

// One rule, one statement: for the same input, the definition's validation and the domain construct's own check
// (built from props, as a user composing constructs would) accept or refuse it together, with the same words.
// Each row gives an input in the definition's words and how a construct user writes it; the problems of the
// fields the row names are compared on both sides (the definition's field path under its entry, the props' field).

const PLATFORM = 'parity';
const BASE: AiPlatformDefinition = {
  name: PLATFORM,
  nodePools: [{ name: 'gpu', instanceTypes: ['g6.12xlarge'], maxNodes: 4 }],
  teams: [{ name: 'research', gpuQuota: 64 }],
};

/** The messages of the problems at `fields` of one side, as `field: message`. */
type Side = { entry: string; problems: { field: string; message: string }[] };

/** The definition's problems of `BASE` with `change`, under `entry` (`nodePools[0]`), fields relative to it. */
function definitionSide(entry: string, change: (d: any) => void): Side {
  const d = JSON.parse(JSON.stringify(BASE));
  change(d);
  const problems = validateDefinition(d)
    .filter((p) => p.path.startsWith(`${entry}.`))
    .map((p) => ({ field: p.path.slice(entry.length + 1), message: p.message }));
  return { entry, problems };
}

interface Row {
  /** What the row tries. */
  readonly name: string;
  /** Whether that input is valid. */
  readonly valid: boolean;
  /** The definition's fields compared, with the construct's name for each where it differs (`name` → `poolName`). */
  readonly fields: Record<string, string>;
  readonly definition: Side;
  readonly construct: Problem[];
}

/** Whether `field` is `under` or one of its parts (`scaling.target`, `instanceTypes[1]`). */
const within = (field: string, under: string) =>
  field === under || field.startsWith(`${under}.`) || field.startsWith(`${under}[`);

function compare(row: Row): void {
  const defFields = Object.keys(row.fields);
  const ours = row.definition.problems.filter((p) => defFields.some((f) => within(p.field, f)));
  const theirs = row.construct
    .map((p) => {
      const f = defFields.find((d) => within(p.field, row.fields[d]));
      return f === undefined ? undefined : { field: f + p.field.slice(row.fields[f].length), message: p.message };
    })
    .filter((p) => p !== undefined);
  expect({ valid: theirs.length === 0, problems: theirs }).toEqual({ valid: row.valid, problems: ours });
  expect(ours.length === 0).toBe(row.valid);
}

// ---- node pools: GpuNodePool (managed node groups) and KarpenterNodePool, under nodePools[0]
interface PoolInput {
  name?: string;
  instanceTypes?: string[];
  minNodes?: number;
  maxNodes?: number;
  diskGiB?: number;
}
const POOL_FIELDS = { name: 'poolName', instanceTypes: 'instanceTypes', minNodes: 'minNodes', maxNodes: 'maxNodes' };
function poolRows(name: string, valid: boolean, input: PoolInput): Row[] {
  const pool = { name: 'gpu', instanceTypes: ['g6.12xlarge'], maxNodes: 4, ...input };
  const props = {
    poolName: pool.name,
    instanceTypes: pool.instanceTypes,
    minNodes: pool.minNodes,
    maxNodes: pool.maxNodes,
    diskSize: pool.diskGiB === undefined ? undefined : Size.gibibytes(pool.diskGiB),
  };
  // The props take a Size: the construct says the unit the definition's field name carries (`diskGiB`).
  const inGiB = (ps: Problem[]) =>
    ps.map((p) => (p.field === 'diskSize' ? { ...p, message: p.message.replace(/ GiB$/, '') } : p));
  const karpenter = { ...pool, provisioner: Provisioner.KARPENTER };
  return [
    {
      name: `GpuNodePool: ${name}`,
      valid,
      fields: { ...POOL_FIELDS, diskGiB: 'diskSize' },
      definition: definitionSide('nodePools[0]', (d) => (d.nodePools[0] = pool)),
      construct: inGiB(GpuNodePool.check(props as unknown as GpuNodePoolProps)),
    },
    ...(input.minNodes === undefined
      ? [
          {
            name: `KarpenterNodePool: ${name}`,
            valid,
            fields: { ...POOL_FIELDS, diskGiB: 'diskGiB' },
            definition: definitionSide('nodePools[0]', (d) => (d.nodePools[0] = karpenter)),
            // KarpenterNodePool takes the disk in GiB, as the definition does.
            construct: KarpenterNodePool.check({
              ...props,
              diskGiB: pool.diskGiB,
            } as unknown as KarpenterNodePoolProps),
          },
        ]
      : []),
  ];
}

// ---- inference: InferenceService, under inference[0]
interface InferenceInput {
  name?: string;
  gpus?: number;
  minReplicas?: number;
  maxReplicas?: number;
  port?: number;
  scaling?: { metric: any; target: number; query?: string };
  expose?: { visibility?: any; certificateArn?: string; allowedCidrs?: string[]; host?: string };
  startupBudgetSeconds?: number;
}
function placement(accelerators: number): WorkloadPlacement {
  return {
    poolName: 'gpu',
    acceleratorResource: 'nvidia.com/gpu',
    accelerators,
    efaInterfaces: 0,
    cpu: 4,
    memoryGiB: 16,
    sharedMemoryGiB: 1,
  };
}
function inferenceRow(name: string, valid: boolean, input: InferenceInput, fields: Record<string, string>): Row {
  const svc = { name: 'llm', image: 'vllm/vllm-openai:v0.11.0', nodePool: 'gpu', team: 'research', ...input };
  const construct = InferenceService.check({
    name: svc.name,
    namespace: 'research',
    image: svc.image,
    placement: placement(svc.gpus ?? 1),
    port: svc.port,
    minReplicas: svc.minReplicas,
    maxReplicas: svc.maxReplicas,
    scaling: svc.scaling && { ...svc.scaling, activationThreshold: 1 },
    startupBudget: svc.startupBudgetSeconds === undefined ? undefined : Duration.seconds(svc.startupBudgetSeconds),
    prometheus: {
      serverAddress: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/',
      awsRegion: 'us-east-1',
    },
    expose: svc.expose,
    loadBalancerGroup: svc.expose && { name: 'parity-internal', vpcCidr: '10.0.0.0/16' },
  });
  return {
    name: `InferenceService: ${name}`,
    valid,
    fields,
    definition: definitionSide('inference[0]', (d) => (d.inference = [svc])),
    construct,
  };
}

// ---- training: TrainingJob, under training[0]
function trainingRow(
  name: string,
  valid: boolean,
  input: {
    name?: string;
    nodes?: number;
    gpusPerNode?: number;
    engine?: any;
    command?: string[];
    maxRunHours?: number;
    schedule?: { cron: string; timeZone?: string };
    output?: { zone: string; path: string };
  },
  fields: Record<string, string>,
): Row {
  const job = { name: 'pretrain', image: 'pytorch/pytorch:2.8.0', nodePool: 'gpu', team: 'research', ...input };
  return {
    name: `TrainingJob: ${name}`,
    valid,
    fields,
    definition: definitionSide('training[0]', (d) => (d.training = [job])),
    construct: TrainingJob.check({
      name: job.name,
      namespace: 'research',
      image: job.image,
      engine: job.engine,
      nodes: job.nodes,
      command: job.command,
      placement: placement(job.gpusPerNode ?? 4),
      maxRunHours: job.maxRunHours,
      schedule: job.schedule,
      output: job.output && { bucketName: 'parity-models', path: job.output.path },
    }),
  };
}

// ---- data lake: DataLake, under dataLake (days in the definition, Durations in the props)
function lakeRow(name: string, valid: boolean, input: { zones?: string[]; archiveAfterDays?: number }): Row {
  return {
    name: `DataLake: ${name}`,
    valid,
    fields: { zones: 'zones', archiveAfterDays: 'archiveAfter' },
    definition: definitionSide('dataLake', (d) => (d.dataLake = input)),
    construct: DataLake.check({
      zones: input.zones,
      archiveAfter: input.archiveAfterDays === undefined ? undefined : Duration.days(input.archiveAfterDays),
    }),
  };
}

// ---- teams: TeamNamespace, under teams[0]
function teamRow(
  name: string,
  valid: boolean,
  input: { name?: string; gpuQuota?: number; egress?: any[] },
  fields: Record<string, string>,
): Row {
  const team = { name: 'research', gpuQuota: 64, ...input };
  return {
    name: `TeamNamespace: ${name}`,
    valid,
    fields,
    definition: definitionSide('teams[0]', (d) => (d.teams = [team])),
    construct: TeamNamespace.check({
      name: team.name,
      acceleratorQuota: { 'nvidia.com/gpu': team.gpuQuota },
      egress: team.egress,
    }),
  };
}

// ---- pipelines: DataPipeline, under pipelines[0] (its name in AWS is the platform's name first)
function pipelineRow(
  name: string,
  valid: boolean,
  input: { name?: string; vcpu?: number; memoryGiB?: number; runTimeoutMinutes?: number },
  fields: Record<string, string>,
): Row {
  const p = {
    name: input.name ?? 'curate',
    script: 's3://parity-scripts/curate.py',
    from: ['raw'],
    to: 'curated',
    maxCapacity: { vcpu: input.vcpu, memoryGiB: input.memoryGiB },
    runTimeoutMinutes: input.runTimeoutMinutes,
  };
  const props = {
    pipelineName: `${PLATFORM}-${p.name}`,
    dataLake: { zoneNames: ['raw', 'curated', 'features', 'models'] } as unknown as IDataLakeRef,
    sources: p.from,
    target: p.to,
    script: PipelineScript.fromS3Uri(p.script),
    maxCapacity: { maxVcpu: input.vcpu ?? 16, maxMemory: Size.gibibytes(input.memoryGiB ?? 64) },
    runTimeout: input.runTimeoutMinutes === undefined ? undefined : Duration.minutes(input.runTimeoutMinutes),
  } as DataPipelineProps;
  return {
    name: `DataPipeline: ${name}`,
    valid,
    fields,
    definition: definitionSide('pipelines[0]', (d) => (d.pipelines = [p])),
    construct: DataPipeline.check(props),
  };
}

// ---- Ray pipelines: RayPipeline (zones, script, trigger, timeout), under pipelines[0]
const RAY_FIELDS = {
  from: 'sources',
  to: 'target',
  script: 'script',
  'trigger.schedule': 'trigger.expression',
  'trigger.onArrival': 'trigger',
  runTimeoutMinutes: 'runTimeout',
};
function rayPipelineRow(
  name: string,
  valid: boolean,
  input: { script?: string; from?: string[]; schedule?: string; onArrival?: string; runTimeoutMinutes?: number },
): Row {
  const script = input.script ?? 'examples/jobs/embed_reviews.py';
  const trigger =
    input.schedule !== undefined
      ? { schedule: input.schedule }
      : input.onArrival !== undefined
        ? { onArrival: { zone: input.onArrival } }
        : undefined;
  const p = {
    name: 'embed',
    engine: 'ray',
    image: 'rayproject/ray:2.49.0-py311-gpu',
    nodePool: 'gpu',
    script,
    from: input.from ?? ['curated'],
    to: 'features',
    trigger,
    runTimeoutMinutes: input.runTimeoutMinutes,
  };
  const props: RayPipelineProps = {
    pipelineName: `${PLATFORM}-embed`,
    dataLake: { zoneNames: ['raw', 'curated', 'features', 'models'] } as unknown as IDataLakeRef,
    sources: p.from,
    target: p.to,
    script: script.startsWith('s3://') ? PipelineScript.fromS3Uri(script) : PipelineScript.fromAsset(script),
    trigger:
      input.schedule !== undefined
        ? PipelineTrigger.schedule(input.schedule)
        : input.onArrival !== undefined
          ? PipelineTrigger.onArrival(input.onArrival)
          : undefined,
    runTimeout: input.runTimeoutMinutes === undefined ? undefined : Duration.minutes(input.runTimeoutMinutes),
  };
  return {
    name: `RayPipeline: ${name}`,
    valid,
    fields: RAY_FIELDS,
    definition: definitionSide('pipelines[0]', (d) => (d.pipelines = [p])),
    construct: RayPipeline.check(props),
  };
}

// ---- network: PlatformNetwork, under network
function networkRow(name: string, valid: boolean, input: { maxAzs?: number; cidr?: string }): Row {
  return {
    name: `PlatformNetwork: ${name}`,
    valid,
    fields: { maxAzs: 'maxAzs', cidr: 'cidr' },
    definition: definitionSide('network', (d) => (d.network = input)),
    construct: PlatformNetwork.check(input),
  };
}

const NAME = { name: 'name' };
const PIPELINE_NAME = { name: 'pipelineName' };
const CAPACITY = { 'maxCapacity.vcpu': 'maxCapacity.maxVcpu', 'maxCapacity.memoryGiB': 'maxCapacity.maxMemory' };
const ROWS: Row[] = [
  ...poolRows('a valid pool', true, {}),
  ...poolRows('a name with capitals', false, { name: 'Gpu' }),
  ...poolRows('a name starting with a digit', false, { name: '1gpu' }),
  ...poolRows('a name of 25 characters', true, { name: 'a'.repeat(25) }),
  ...poolRows('a name of 26 characters', false, { name: 'a'.repeat(26) }),
  ...poolRows('the system pool name', false, { name: 'system' }),
  ...poolRows('maxNodes 0', false, { maxNodes: 0 }),
  ...poolRows('maxNodes over the node group quota', false, { maxNodes: 1001 }),
  ...poolRows('minNodes above maxNodes', false, { minNodes: 5, maxNodes: 4 }),
  ...poolRows('minNodes below 0', false, { minNodes: -1 }),
  ...poolRows('an unknown instance type', false, { instanceTypes: ['m9.huge'] }),
  ...poolRows('no instance types', false, { instanceTypes: [] }),
  ...poolRows('an instance type twice', false, { instanceTypes: ['g6.12xlarge', 'g6.12xlarge'] }),
  ...poolRows('two accelerator vendors', false, { instanceTypes: ['g6.12xlarge', 'inf2.xlarge'] }),
  ...poolRows('a disk of 10 GiB', false, { diskGiB: 10 }),
  ...poolRows('a disk of 500 GiB', true, { diskGiB: 500 }),

  inferenceRow('a valid service', true, {}, { ...NAME, minReplicas: 'minReplicas', maxReplicas: 'maxReplicas' }),
  inferenceRow('a name with "_"', false, { name: 'my_llm' }, NAME),
  inferenceRow('a name starting with a digit', false, { name: '1llm' }, NAME),
  inferenceRow('a name of 41 characters', false, { name: 'a'.repeat(41) }, NAME),
  inferenceRow('negative replicas', false, { minReplicas: -1 }, { minReplicas: 'minReplicas' }),
  inferenceRow('maxReplicas 0', false, { maxReplicas: 0 }, { maxReplicas: 'maxReplicas' }),
  inferenceRow(
    'maxReplicas below minReplicas',
    false,
    { minReplicas: 3, maxReplicas: 2 },
    { maxReplicas: 'maxReplicas' },
  ),
  inferenceRow('negative gpus', false, { gpus: -1 }, { gpus: 'placement.accelerators' }),
  inferenceRow('port 0', false, { port: 0 }, { port: 'port' }),
  inferenceRow('port 70000', false, { port: 70000 }, { port: 'port' }),
  inferenceRow('scaling target 0', false, { scaling: { metric: 'concurrency', target: 0 } }, { scaling: 'scaling' }),
  inferenceRow('cpu over 100%', false, { scaling: { metric: 'cpu', target: 150 } }, { scaling: 'scaling' }),
  inferenceRow('zero replicas without a query', false, { minReplicas: 0 }, { minReplicas: 'minReplicas' }),
  inferenceRow(
    'zero replicas on a gateway query',
    true,
    { minReplicas: 0, scaling: { metric: 'queue-depth', target: 4, query: 'sum(gateway_pending)' } },
    { minReplicas: 'minReplicas', scaling: 'scaling' },
  ),
  inferenceRow(
    'a startup budget of 5 s',
    false,
    { startupBudgetSeconds: 5 },
    { startupBudgetSeconds: 'startupBudget' },
  ),
  inferenceRow('internet without a certificate', false, { expose: { visibility: 'internet' } }, { expose: 'expose' }),
  inferenceRow('an internal exposure', true, { expose: { host: 'llm.example.com' } }, { expose: 'expose' }),

  trainingRow('a valid job', true, {}, { ...NAME, nodes: 'nodes', gpusPerNode: 'placement.accelerators' }),
  trainingRow('a name with capitals', false, { name: 'PreTrain' }, NAME),
  trainingRow('a name of 41 characters', false, { name: 'a'.repeat(41) }, NAME),
  trainingRow('0 nodes', false, { nodes: 0 }, { nodes: 'nodes' }),
  trainingRow('0 gpus per node', false, { gpusPerNode: 0 }, { gpusPerNode: 'placement.accelerators' }),
  trainingRow('ray without a command', false, { engine: 'ray' }, { command: 'command' }),
  trainingRow(
    'a weekly schedule in Berlin',
    true,
    { schedule: { cron: '0 3 * * 0', timeZone: 'Europe/Berlin' } },
    {
      'schedule.cron': 'schedule.cron',
      'schedule.timeZone': 'schedule.timeZone',
    },
  ),
  trainingRow('a cron of 4 fields', false, { schedule: { cron: '0 3 * *' } }, { 'schedule.cron': 'schedule.cron' }),
  trainingRow(
    'an unknown time zone',
    false,
    { schedule: { cron: '@daily', timeZone: 'Mars/Olympus' } },
    {
      'schedule.timeZone': 'schedule.timeZone',
    },
  ),
  trainingRow('maxRunHours 0', false, { maxRunHours: 0 }, { maxRunHours: 'maxRunHours' }),
  trainingRow(
    'an output path with a leading /',
    false,
    { output: { zone: 'models', path: '/ft' } },
    {
      'output.path': 'output.path',
    },
  ),
  trainingRow(
    'an output under a version',
    true,
    { maxRunHours: 12, output: { zone: 'models', path: 'llama/ft' } },
    {
      maxRunHours: 'maxRunHours',
      'output.path': 'output.path',
    },
  ),

  lakeRow('the default zones', true, {}),
  lakeRow('a zone with capitals', false, { zones: ['Raw'] }),
  lakeRow('a zone of 21 characters', false, { zones: ['a'.repeat(21)] }),
  lakeRow('a zone twice', false, { zones: ['raw', 'raw'] }),
  lakeRow('no zones', false, { zones: [] }),
  lakeRow('archive after 0 days', false, { archiveAfterDays: 0 }),
  lakeRow('archive after 30 days', true, { archiveAfterDays: 30 }),

  teamRow('a valid team', true, {}, { ...NAME, gpuQuota: 'acceleratorQuota.nvidia.com/gpu' }),
  teamRow('a name with capitals', false, { name: 'Team_A' }, NAME),
  teamRow('a reserved namespace', false, { name: 'kube-system' }, NAME),
  teamRow('a name of 41 characters', false, { name: 'a'.repeat(41) }, NAME),
  teamRow('a negative quota', false, { gpuQuota: -1 }, { gpuQuota: 'acceleratorQuota.nvidia.com/gpu' }),
  teamRow(
    'egress to port 0',
    false,
    { egress: [{ name: 'db', cidrs: ['10.0.5.0/24'], ports: [{ port: 0 }] }] },
    { egress: 'egress' },
  ),
  teamRow(
    'egress with host bits',
    false,
    { egress: [{ name: 'db', cidrs: ['10.0.5.1/24'], ports: [{ port: 5432 }] }] },
    { egress: 'egress' },
  ),
  teamRow(
    'egress to a database',
    true,
    { egress: [{ name: 'db', cidrs: ['10.0.5.0/24'], ports: [{ port: 5432 }] }] },
    { egress: 'egress' },
  ),

  pipelineRow('a valid pipeline', true, {}, { ...PIPELINE_NAME, ...CAPACITY, runTimeoutMinutes: 'runTimeout' }),
  pipelineRow('a name with capitals', false, { name: 'Curate' }, PIPELINE_NAME),
  pipelineRow('a name too long with the platform', false, { name: 'c'.repeat(60) }, PIPELINE_NAME),
  pipelineRow('0 vCPU', false, { vcpu: 0 }, CAPACITY),
  pipelineRow('-1 vCPU', false, { vcpu: -1 }, CAPACITY),
  pipelineRow('1 vCPU', false, { vcpu: 1, memoryGiB: 8 }, CAPACITY),
  pipelineRow('8 vCPU and 32 GiB', true, { vcpu: 8, memoryGiB: 32 }, CAPACITY),
  pipelineRow('8 vCPU and 100 GiB', false, { vcpu: 8, memoryGiB: 100 }, CAPACITY),
  pipelineRow('a timeout of 0 minutes', false, { runTimeoutMinutes: 0 }, { runTimeoutMinutes: 'runTimeout' }),
  pipelineRow('a timeout of 91 days', false, { runTimeoutMinutes: 91 * 24 * 60 }, { runTimeoutMinutes: 'runTimeout' }),

  rayPipelineRow('a valid ray pipeline, by hand', true, {}),
  rayPipelineRow('a weekday cron', true, { schedule: 'cron(0 2 ? * MON-FRI *)' }),
  rayPipelineRow('a rate dividing a day', true, { schedule: 'rate(6 hours)' }),
  rayPipelineRow('an s3:// script', false, { script: 's3://jobs/embed.py' }),
  rayPipelineRow('a script that is not there', false, { script: 'examples/jobs/missing.py' }),
  rayPipelineRow('a source that is no zone', false, { from: ['bronze'] }),
  rayPipelineRow('reading its target', false, { from: ['features'] }),
  rayPipelineRow('an arrival trigger', false, { onArrival: 'curated' }),
  rayPipelineRow('a one-time schedule', false, { schedule: 'at(2027-01-01T00:00:00)' }),
  rayPipelineRow('a last-day cron', false, { schedule: 'cron(0 2 L * ? *)' }),
  rayPipelineRow('a cron naming a year', false, { schedule: 'cron(0 2 * * ? 2027)' }),
  rayPipelineRow('a rate no cron repeats', false, { schedule: 'rate(7 minutes)' }),
  rayPipelineRow('an invalid cron', false, { schedule: 'cron(0 2 * * * *)' }),
  rayPipelineRow('a timeout of 0 minutes', false, { runTimeoutMinutes: 0 }),

  networkRow('the default network', true, {}),
  networkRow('0 AZs', false, { maxAzs: 0 }),
  networkRow('7 AZs', false, { maxAzs: 7 }),
  networkRow('a CIDR that is not one', false, { cidr: '10.0.0.0' }),
  networkRow('a /28', false, { cidr: '10.0.0.0/28' }),
  networkRow('a /20, too small for 3 AZs', false, { cidr: '10.1.0.0/20' }),
  networkRow('a /16', true, { cidr: '10.1.0.0/16' }),
];

test.each(ROWS.map((r) => [r.name, r] as const))('%s: the definition and the construct agree', (_name, row) => {
  compare(row);
});
