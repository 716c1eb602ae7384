import { Testing } from 'cdk8s';
import { InferenceService, Placement, ScalingMetric, type InferenceServiceProps } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';

const g6e = placementOnPool('inference', [findInstance('g6e.xlarge')!], 1);
const prometheus = {
  serverAddress: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/',
  awsRegion: 'us-east-1',
};

function synth(props: Partial<InferenceServiceProps> = {}) {
  const chart = new InferenceService(Testing.app(), 'svc', {
    name: 'llm',
    namespace: 'serving',
    image: 'vllm/vllm-openai:v0.11.0',
    placement: g6e,
    prometheus,
    ...props,
  });
  const docs: any[] = Testing.synth(chart);
  const of = (kind: string) => docs.find((d) => d.kind === kind);
  return { docs, of, pod: of('Deployment')?.spec.template.spec };
}

test('documented defaults (shared with the definition): port 8000, 1..3 replicas, concurrency 8 activating at 1', () => {
  const chart = new InferenceService(Testing.app(), 'd', {
    name: 'd',
    namespace: 'n',
    image: 'i',
    placement: g6e,
    prometheus,
  });
  const docs: any[] = Testing.synth(chart);
  expect(docs.find((x) => x.kind === 'Service').spec.ports[0].port).toBe(8000);
  const so = docs.find((x) => x.kind === 'ScaledObject').spec;
  expect(so).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 3 });
  expect(so.triggers[0].metadata).toMatchObject({ threshold: '8', activationThreshold: '1' });
});

test('Deployment, Service, ServiceAccount, PDB, ScaledObject and its auth', () => {
  expect(
    synth()
      .docs.map((d) => d.kind)
      .sort(),
  ).toEqual([
    'Deployment',
    'PodDisruptionBudget',
    'ScaledObject',
    'Service',
    'ServiceAccount',
    'TriggerAuthentication',
  ]);
});

test('GPU requests and limits are numbers, not null', () => {
  const { resources } = synth().pod.containers[0];
  expect(resources.limits['nvidia.com/gpu']).toBe(1);
  expect(resources.requests['nvidia.com/gpu']).toBe(1);
});

test('Neuron services request aws.amazon.com/neuron and tolerate its taint', () => {
  const { pod } = synth({ placement: placementOnPool('neuron', [findInstance('inf2.xlarge')!], 1) });
  expect(pod.containers[0].resources.limits['aws.amazon.com/neuron']).toBe(1);
  expect(pod.tolerations).toEqual([{ key: 'aws.amazon.com/neuron', operator: 'Exists', effect: 'NoSchedule' }]);
});

test("pods tolerate the pool taint and require the pool's nodes", () => {
  const { pod } = synth();
  expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
    { matchExpressions: [{ key: 'ai-platform/pool', operator: 'In', values: ['inference'] }] },
  ]);
});

test('CPU and memory requests fit the smallest node of the pool', () => {
  const { resources } = synth().pod.containers[0];
  expect(resources.requests.cpu).toBeLessThanOrEqual(findInstance('g6e.xlarge')!.vcpu);
  expect(parseInt(resources.requests.memory, 10)).toBeLessThan(findInstance('g6e.xlarge')!.memoryGiB);
});

test('restricted security context, own service account without a mounted token', () => {
  const { pod, of } = synth();
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.containers[0].securityContext).toEqual({
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(pod.serviceAccountName).toBe('llm');
  expect(of('ServiceAccount').automountServiceAccountToken).toBe(false);
});

test('startup, readiness and liveness probes on the health path', () => {
  const c = synth({ healthPath: '/ready' }).pod.containers[0];
  for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe])
    expect(probe.httpGet).toEqual({ path: '/ready', port: 'http' });
});

test('spread over zones and nodes; a disruption budget', () => {
  const { pod, of } = synth();
  expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual([
    'topology.kubernetes.io/zone',
    'kubernetes.io/hostname',
  ]);
  expect(of('PodDisruptionBudget').spec).toEqual({
    maxUnavailable: 1,
    selector: { matchLabels: { 'app.kubernetes.io/name': 'llm' } },
  });
});

test('shared memory for NCCL / dataloaders', () => {
  expect(synth().pod.volumes).toEqual(
    expect.arrayContaining([{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: expect.stringMatching(/Gi$/) } }]),
  );
});

test('KEDA scales on the built-in concurrency query, with an activation threshold', () => {
  const so = synth({
    minReplicas: 1,
    maxReplicas: 6,
    scaling: { metric: ScalingMetric.CONCURRENCY, target: 8, activationThreshold: 2 },
  }).of('ScaledObject');
  expect(so.spec).toMatchObject({
    minReplicaCount: 1,
    maxReplicaCount: 6,
    scaleTargetRef: { kind: 'Deployment', name: 'llm' },
  });
  expect(so.spec.triggers[0]).toMatchObject({
    type: 'prometheus',
    metricType: 'AverageValue',
    authenticationRef: { name: 'llm-prometheus' },
    metadata: {
      threshold: '8',
      activationThreshold: '2',
      awsRegion: 'us-east-1',
      serverAddress: prometheus.serverAddress,
      query: 'sum(vllm:num_requests_running{namespace="serving",app="llm"})',
    },
  });
});

test('minReplicas 0 scales to zero on a signal that exists without the service (scaling.query)', () => {
  const query = 'sum(rate(gateway_requests_total{route="llm"}[1m]))';
  const so = synth({
    minReplicas: 0,
    scaling: { metric: ScalingMetric.CONCURRENCY, target: 8, activationThreshold: 1, query },
  }).of('ScaledObject');
  expect(so.spec.minReplicaCount).toBe(0);
  expect(so.spec.triggers[0].metadata.query).toBe(query);
});

test.each([
  [ScalingMetric.QUEUE_DEPTH, 'sum(vllm:num_requests_waiting{namespace="serving",app="llm"})', 'AverageValue'],
  [ScalingMetric.GPU_UTILIZATION, 'avg(DCGM_FI_DEV_GPU_UTIL{namespace="serving",pod=~"llm-.*"})', 'Value'],
])('metric %s queries %s', (metric, query, metricType) => {
  const trigger = synth({ scaling: { metric, target: 50, activationThreshold: 1 } }).of('ScaledObject').spec
    .triggers[0];
  expect(trigger.metadata.query).toBe(query);
  expect(trigger.metricType).toBe(metricType);
});

test('a custom query replaces the built-in one', () => {
  const trigger = synth({
    scaling: {
      metric: ScalingMetric.CONCURRENCY,
      target: 4,
      activationThreshold: 1,
      query: 'sum(rate(gateway_requests{svc="llm"}[1m]))',
    },
  }).of('ScaledObject').spec.triggers[0];
  expect(trigger.metadata.query).toBe('sum(rate(gateway_requests{svc="llm"}[1m]))');
});

test('KEDA signs with its own identity (AWS Pod Identity)', () => {
  expect(synth().of('TriggerAuthentication').spec).toEqual({ podIdentity: { provider: 'aws', identityOwner: 'keda' } });
});

test('cpu scaling is a HorizontalPodAutoscaler', () => {
  const { of, docs } = synth({
    minReplicas: 2,
    maxReplicas: 5,
    scaling: { metric: ScalingMetric.CPU, target: 70, activationThreshold: 0 },
    prometheus: undefined,
  });
  expect(docs.some((d) => d.kind === 'ScaledObject')).toBe(false);
  expect(of('HorizontalPodAutoscaler').spec).toMatchObject({
    minReplicas: 2,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
  });
});

test.each([
  [{ prometheus: undefined }, 'prometheus is required with scaling metric concurrency'],
  [
    { minReplicas: 0, scaling: { metric: ScalingMetric.CPU, target: 70, activationThreshold: 0 } },
    'a HorizontalPodAutoscaler cannot scale to zero',
  ],
  [
    { minReplicas: 0, scaling: { metric: ScalingMetric.CONCURRENCY, target: 8, activationThreshold: 1 } },
    'the service would never wake',
  ],
  [{ minReplicas: 4, maxReplicas: 2 }, 'maxReplicas (2) must be >= minReplicas (4)'],
  [{ port: 70000 }, 'port (70000) must be a port between 1 and 65535'],
  [
    { s3Mounts: [{ name: 'models', bucketName: 'b', mountPath: '/tmp/models', readOnly: true }] },
    "s3Mounts[0].mountPath ('/tmp/models') must be an absolute path outside /tmp, /home/app, /dev",
  ],
  // Derived names: the volume s3-<name> is a DNS-1123 label; a repeated name would collide (construct ID and volume).
  [
    { s3Mounts: [{ name: 'Models-', bucketName: 'b', mountPath: '/models', readOnly: true }] },
    "s3Mounts[0].name ('Models-') must be 1..60 lowercase letters",
  ],
  [
    {
      s3Mounts: [
        { name: 'models', bucketName: 'b', mountPath: '/a', readOnly: true },
        { name: 'models', bucketName: 'c', mountPath: '/b', readOnly: true },
      ],
    },
    "s3Mounts[1].name ('models') is listed twice",
  ],
])('refuses inconsistent props %#', (props, message) => {
  expect(() => synth(props as Partial<InferenceServiceProps>)).toThrow(message);
});

test("a zone mounted through Mountpoint for S3: static volume with the pod's credentials, read-only for read access", () => {
  const { docs, pod } = synth({
    s3Mounts: [{ name: 'models', bucketName: 'acme-models', mountPath: '/models', readOnly: true }],
  });
  const pv = docs.find((d) => d.kind === 'PersistentVolume');
  expect(pv.spec.csi).toEqual({
    driver: 's3.csi.aws.com',
    volumeHandle: 'serving-llm-models',
    volumeAttributes: { bucketName: 'acme-models', authenticationSource: 'pod' },
  });
  expect(pv.spec.mountOptions).toEqual(expect.arrayContaining(['read-only', 'uid=1000']));
  expect(pv.spec.mountOptions).not.toContain('allow-delete');
  expect(pv.spec.accessModes).toEqual(['ReadOnlyMany']);
  expect(docs.find((d) => d.kind === 'PersistentVolumeClaim').spec).toMatchObject({
    volumeName: 'serving-llm-models',
    storageClassName: '',
  });
  expect(pod.containers[0].volumeMounts).toEqual(
    expect.arrayContaining([{ name: 's3-models', mountPath: '/models', readOnly: true }]),
  );
});

test('a placement is checked: known instance types, and accelerators one node of the pool can hold', () => {
  expect(() => Placement.onPool('gpu', [findInstance('g6.xlarg')!], 1)).toThrow(
    /instances .* must list the facts of the pool's instance types/,
  );
  expect(() => Placement.onPool('gpu', [findInstance('g6.xlarge')!], 4)).toThrow(
    /accelerators \(4\) must fit one node of the pool, whose largest type has 1 accelerator/,
  );
  expect(Placement.onPool('gpu', [findInstance('g6.xlarge')!, findInstance('g6.12xlarge')!], 4).accelerators).toBe(4);
});

// More of this domain's cases, run in this file's worker so the domain's modules load once (test time).
import './pod-runtime.cases';
import './deliver.cases';
import './training-job.cases';
import './team-namespace.cases';
import './ray-entrypoint.cases';
import './inference-model.cases';
import './inference-exposure.cases';
import './exposure-auth.cases';
import './standalone-endpoint.cases';
