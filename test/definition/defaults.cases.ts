import { Compliance } from '../../lib/core/compliance';
import {
  DeliveryApproval,
  type DeliveryDefinition,
  type DeliveryStageDefinition,
  PipelineEngine,
  TableFormat,
  type PipelineArrivalDefinition,
  type PipelineCapacityDefinition,
  type PipelineDefinition,
  type PipelineTableDefinition,
  AmiFamily,
  CapacityType,
  DataAccessLevel,
  DataRemovalPolicy,
  EndpointAccess,
  Provisioner,
  ScalingMetric,
  TrainingEngine,
  type AiPlatformDefinition,
  type ClusterDefinition,
  type DataLakeDefinition,
  type InferenceDefinition,
  type MonitoringDefinition,
  type NetworkDefinition,
  type NodePoolDefinition,
  type TrainingDefinition,
  type OptimizationDefinition,
  type TeamDefinition,
  InterfaceEndpoints,
  BudgetCostFilter,
  EgressProtocol,
} from '../../lib';
import { resolveDefinition, validateDefinition } from '../../lib/definition/resolve';
import { ExposureVisibility, type InferenceExposure } from '../../lib/workloads/inference-exposure';

const MIRROR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror';

const minimal: AiPlatformDefinition = {
  name: 'tiny-ml',
  nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 4 }],
  inference: [{ name: 'svc', image: 'nginx:1', nodePool: 'gpu' }],
  training: [{ name: 'job', image: 'trainer:1', nodePool: 'gpu' }],
};

// Pins the documented @default of every optional field (types.ts), so docs and code cannot drift apart.
describe('documented defaults', () => {
  const r = resolveDefinition(minimal);
  test('network', () =>
    expect(r.network).toEqual({
      maxAzs: 3,
      natGateways: 1,
      cidr: '10.0.0.0/16',
      interfaceEndpoints: InterfaceEndpoints.IMAGE_PULLS,
    }));
  test('network without NAT: every interface endpoint', () => {
    expect(
      resolveDefinition({ ...minimal, network: { natGateways: 0, mirror: { registry: MIRROR } } }).network
        .interfaceEndpoints,
    ).toBe(InterfaceEndpoints.ALL);
  });
  test('cluster', () =>
    expect(r.cluster).toEqual({
      kubernetesVersion: '1.36',
      endpointAccess: EndpointAccess.PUBLIC_AND_PRIVATE,
      publicAccessCidrs: ['0.0.0.0/0'],
      adminRoleArns: [],
      systemInstanceType: 't3.large',
      systemNodes: 2,
    }));
  test('node pool', () =>
    expect(r.nodePools[0]).toMatchObject({
      minNodes: 0,
      capacityType: CapacityType.ON_DEMAND,
      amiFamily: AmiFamily.AL2023,
      provisioner: Provisioner.MANAGED_NODE_GROUP,
      efa: false,
      diskGiB: 100,
      labels: {},
    }));
  test('data lake', () =>
    expect(r.dataLake).toEqual({
      zones: ['raw', 'curated', 'features', 'models'],
      archiveAfterDays: 90,
      noncurrentVersionExpirationDays: 30,
      removalPolicy: DataRemovalPolicy.RETAIN,
      lakeFormation: false,
    }));
  test('inference', () =>
    expect(r.inference[0]).toMatchObject({
      gpus: 1,
      minReplicas: 1,
      maxReplicas: 3,
      port: 8000,
      namespace: 'svc',
      p99LatencyTargetMs: 2000,
      dataAccess: [],
      scaling: { metric: ScalingMetric.CONCURRENCY, target: 8, activationThreshold: 1 },
    }));
  test('training: one node using every accelerator of the smallest type', () =>
    expect(r.training[0]).toMatchObject({
      engine: TrainingEngine.PYTORCH,
      nodes: 1,
      gpusPerNode: 1,
      namespace: 'job',
      command: [],
      dataAccess: [],
    }));
  test('monitoring', () =>
    expect(r.monitoring).toEqual({
      alarmEmails: [],
      monthlyBudgetUsd: undefined,
      budgetCostFilter: 'cost-tag',
      gpuIdleThresholdPercent: 10,
      gpuIdleMinutes: 30,
      gpuMemoryThresholdPercent: 95,
      errorRateThresholdPercent: 5,
      pendingPodsMinutes: 15,
      pendingPods: 1,
      gpuMemoryMinutes: 15,
      failedNodes: 1,
      failedNodesMinutes: 10,
      errorRateMinutes: 15,
      alarms: {},
    }));
  test('teams, tags', () => {
    expect(r.teams).toEqual([]);
    expect(r.tags).toEqual({});
  });
  test("a team's Neuron quota is 0 and it declares no egress unless given", () => {
    expect(resolveDefinition({ ...minimal, teams: [{ name: 'ml', gpuQuota: 4 }] }).teams).toEqual([
      { name: 'ml', gpuQuota: 4, neuronQuota: 0, egress: [] },
    ]);
  });
  test('pipeline: spark, 16 vCPU / 64 GiB, 120 minutes, parquet tables, no trigger', () => {
    const p = resolveDefinition({
      ...minimal,
      pipelines: [{ name: 'etl', script: 's3://jobs/etl.py', from: ['raw'], to: 'curated', table: { name: 'events' } }],
    }).pipelines[0];
    expect(p).toMatchObject({
      engine: PipelineEngine.SPARK,
      maxVcpu: 16,
      maxMemoryGiB: 64,
      runTimeoutMinutes: 120,
      schedule: undefined,
      arrivalZone: undefined,
    });
    expect(p.table).toEqual({ name: 'events', format: TableFormat.PARQUET, partitionKeys: [], columns: [] });
  });
  test('percent metrics activate at 10', () => {
    const svc = { ...minimal.inference![0], scaling: { metric: ScalingMetric.GPU_UTILIZATION, target: 60 } };
    expect(resolveDefinition({ ...minimal, inference: [svc] }).inference[0].scaling.activationThreshold).toBe(10);
  });
});

test('0 and false are kept, not replaced by defaults', () => {
  const r = resolveDefinition({
    ...minimal,
    network: { natGateways: 0, mirror: { registry: MIRROR } },
    nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 4, minNodes: 0, efa: false }],
    inference: [
      {
        name: 'svc',
        image: 'nginx:1',
        nodePool: 'gpu',
        minReplicas: 0,
        gpus: 0,
        scaling: { metric: ScalingMetric.QUEUE_DEPTH, target: 4, query: 'sum(gateway_requests_pending)' },
      },
    ],
  });
  expect(r.network.natGateways).toBe(0);
  expect(r.inference[0].minReplicas).toBe(0);
  expect(r.inference[0].gpus).toBe(0);
});

// Every field of the TypeScript types, filled in (Required<> makes the compiler insist on each one), must
// pass the data schema that checks YAML/JSON files. The schema is generated from the types (`npm run schema`),
// so this fails when the generated file is stale (a field added to the types, the schema not regenerated).
test('the file schema accepts every field of the TypeScript types', () => {
  const network: Required<NetworkDefinition> = {
    maxAzs: 2,
    availabilityZones: ['us-east-1a', 'us-east-1c'],
    natGateways: 1,
    cidr: '10.1.0.0/16',
    interfaceEndpoints: InterfaceEndpoints.ALL,
    mirror: { registry: MIRROR },
  };
  const cluster: Required<ClusterDefinition> = {
    kubernetesVersion: '1.35',
    endpointAccess: EndpointAccess.PUBLIC_AND_PRIVATE,
    publicAccessCidrs: ['198.51.100.0/24'],
    adminRoleArns: ['arn:aws:iam::123456789012:role/admin'],
    systemInstanceType: 'm6i.large',
    systemNodes: 2,
  };
  const pool: Required<NodePoolDefinition> = {
    name: 'gpu',
    instanceTypes: ['p5.48xlarge'],
    minNodes: 0,
    maxNodes: 2,
    capacityType: CapacityType.CAPACITY_BLOCK,
    capacityReservationId: 'cr-0123456789abcdef0',
    amiFamily: AmiFamily.AL2023,
    provisioner: Provisioner.MANAGED_NODE_GROUP,
    efa: true,
    diskGiB: 200,
    labels: { tier: 'a' },
    protect: true,
  };
  const dataLake: Required<DataLakeDefinition> = {
    zones: ['raw', 'models'],
    archiveAfterDays: 30,
    noncurrentVersionExpirationDays: 7,
    removalPolicy: DataRemovalPolicy.RETAIN,
    lakeFormation: true,
  };
  const exposure: Required<InferenceExposure> = {
    visibility: ExposureVisibility.INTERNET,
    host: 'svc.ml.example.com',
    allowedCidrs: ['203.0.113.0/24'],
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-4567-89ab-cdef-0123456789ab',
    coldStartTimeoutSeconds: 900,
    wafAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/0123abcd-4567-89ab-cdef-0123456789ab',
    auth: { jwt: { issuer: 'https://idp.example.com', jwksEndpoint: 'https://idp.example.com/.well-known/jwks.json' } },
  };
  const inference: Required<InferenceDefinition> = {
    name: 'svc',
    image: 'img:1',
    nodePool: 'gpu',
    gpus: 1,
    minReplicas: 0,
    maxReplicas: 2,
    port: 8080,
    team: 'ml',
    p99LatencyTargetMs: 500,
    dataAccess: [{ zone: 'models', access: DataAccessLevel.READ }],
    scaling: { metric: ScalingMetric.QUEUE_DEPTH, target: 4, activationThreshold: 1, query: 'sum(queue)' },
    model: { zone: 'models', path: 'llama/v1' },
    args: ['--max-model-len', '8192'],
    env: { LOG_LEVEL: 'INFO' },
    secrets: { API_KEY: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf' },
    command: ['serve'],
    startupBudgetSeconds: 600,
    expose: exposure,
  };
  const training: Required<TrainingDefinition> = {
    name: 'job',
    image: 'img:1',
    nodePool: 'gpu',
    engine: TrainingEngine.RAY,
    nodes: 1,
    gpusPerNode: 8,
    command: ['python', 'train.py'],
    team: 'ml',
    dataAccess: [{ zone: 'raw', access: DataAccessLevel.READ_WRITE }],
    schedule: { cron: '0 3 * * 0', timeZone: 'Europe/Berlin' },
    maxRunHours: 6,
    output: { zone: 'models', path: 'llama-3-8b' },
  };
  const optimization: Required<OptimizationDefinition> = {
    name: 'awq',
    image: 'example.com/llm-compressor:1',
    nodePool: 'gpu',
    command: ['python', 'quantize.py'],
    gpusPerNode: 8,
    team: 'ml',
    schedule: { cron: '0 6 * * 0', timeZone: 'Europe/Berlin' },
    maxRunHours: 2,
    input: { zone: 'models', path: 'llama-3-8b/2026-12-06' },
    output: { zone: 'models', path: 'llama-3-8b-awq' },
  };
  const monitoring: Required<MonitoringDefinition> = {
    alarmEmails: ['a@example.com'],
    monthlyBudgetUsd: 100,
    budgetCostFilter: BudgetCostFilter.ACCOUNT,
    gpuIdleThresholdPercent: 5,
    gpuIdleMinutes: 60,
    gpuMemoryThresholdPercent: 90,
    errorRateThresholdPercent: 2,
    pendingPodsMinutes: 10,
    pendingPods: 2,
    gpuMemoryMinutes: 20,
    failedNodes: 1,
    failedNodesMinutes: 15,
    errorRateMinutes: 10,
    alarms: { gpuIdle: false, gpuMemorySaturation: true, failedNodes: true, podsPending: true, errorRate: true },
  };
  const team: Required<TeamDefinition> = {
    name: 'ml',
    gpuQuota: 16,
    neuronQuota: 0,
    egress: [
      {
        name: 'db',
        cidrs: ['10.0.5.0/24'],
        namespaces: ['ml'],
        ports: [{ port: 5432, endPort: 5433, protocol: EgressProtocol.TCP }],
      },
    ],
  };
  const table: Required<PipelineTableDefinition> = {
    name: 'reviews',
    format: TableFormat.PARQUET,
    partitionKeys: ['dt'],
    columns: [{ name: 'id', type: 'string' }],
  };
  const capacity: Required<PipelineCapacityDefinition> = { vcpu: 16, memoryGiB: 64 };
  // Spark and Ray pipelines take fields of their own: each is complete without the other's.
  const scheduled: Omit<Required<PipelineDefinition>, 'image' | 'nodePool' | 'nodes' | 'gpusPerNode'> = {
    name: 'nightly',
    engine: PipelineEngine.SPARK,
    script: 's3://jobs-bucket/clean.py',
    from: ['raw'],
    to: 'models',
    trigger: { schedule: 'cron(0 2 * * ? *)' },
    maxCapacity: capacity,
    runTimeoutMinutes: 60,
    table,
  };
  const ray: Omit<Required<PipelineDefinition>, 'maxCapacity' | 'table'> = {
    name: 'embed',
    engine: PipelineEngine.RAY,
    script: 'examples/jobs/embed_reviews.py',
    from: ['raw'],
    to: 'models',
    trigger: { schedule: 'cron(0 2 ? * MON-FRI *)' },
    runTimeoutMinutes: 60,
    image: 'rayproject/ray:2.49.0-py311-gpu',
    nodePool: 'gpu',
    nodes: 1,
    gpusPerNode: 8,
  };
  const arrival: Required<PipelineArrivalDefinition> = { zone: 'raw', prefix: 'in/' };
  const stage: Required<DeliveryStageDefinition> = {
    name: 'production',
    account: '222222222222',
    region: 'us-east-1',
    approval: DeliveryApproval.ON_REPLACEMENT,
    overrides: {
      nodePools: [{ name: pool.name, minNodes: pool.minNodes, maxNodes: pool.maxNodes }],
      monitoring: { alarmEmails: ['prod@example.com'], monthlyBudgetUsd: 50000 },
    },
  };
  const delivery: Required<DeliveryDefinition> = {
    source: {
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/abc-123',
      repository: 'acme/ml',
      branch: 'main',
      definitionFile: 'platform.yaml',
    },
    stages: [stage],
    account: '333333333333',
    region: 'us-east-1',
  };
  const full: Required<AiPlatformDefinition> = {
    name: 'full-ml',
    tags: { a: 'b' },
    network,
    cluster,
    nodePools: [pool],
    dataLake,
    inference: [inference],
    training: [training],
    optimizations: [optimization],
    teams: [team],
    monitoring,
    compliance: Compliance.STANDARD,
    acknowledgeWarnings: [],
    allowReplace: [{ item: 'zone:scratch', reason: 'scratch data is rebuilt nightly' }],
    pipelines: [scheduled, { ...scheduled, name: 'on-arrival', trigger: { onArrival: arrival } }, ray],
    delivery,
  };
  expect(validateDefinition(full)).toEqual([]);
});

test('warnings are returned with the resolved definition, not raised', () => {
  const r = resolveDefinition({
    ...minimal,
    nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge', 'g6.12xlarge'], maxNodes: 4 }],
    training: [{ name: 'job', image: 'trainer:1', nodePool: 'gpu', nodes: 2, gpusPerNode: 4 }],
  });
  expect(r.warnings.map((w) => w.path)).toEqual(
    expect.arrayContaining([
      'nodePools[0].instanceTypes',
      'training[0].gpusPerNode',
      'training[0].nodePool',
      'cluster.publicAccessCidrs',
    ]),
  );
});
