import { Testing } from 'cdk8s';
import { TrainingEngine, TrainingJob, type TrainingJobProps } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';
import { withRuns } from '../support/launched-runs';

const p5 = placementOnPool('training', [findInstance('p5.48xlarge')!], 8, 32);

function synth(props: Partial<TrainingJobProps> = {}) {
  const chart = new TrainingJob(Testing.app(), 'job', {
    name: 'pretrain',
    namespace: 'ml',
    image: 'trainer:1',
    nodes: 2,
    placement: p5,
    ...props,
  });
  const docs: any[] = Testing.synth(chart);
  // The run (JobSet or RayJob) is a template in the launcher's ConfigMap: `of` finds it there too.
  const all = withRuns(docs);
  return { docs, of: (kind: string) => all.find((d) => d.kind === kind) };
}

describe('pytorch: a JobSet running torchrun', () => {
  const js = synth({ command: ['train.py', '--epochs', '3'] }).of('JobSet');
  const job = js.spec.replicatedJobs[0].template.spec;
  const pod = job.template.spec;
  const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('one indexed Job with a pod per node; the whole set restarts on failure', () => {
    expect(js.apiVersion).toBe('jobset.x-k8s.io/v1alpha2');
    expect(job).toMatchObject({ parallelism: 2, completions: 2, completionMode: 'Indexed', backoffLimit: 0 });
    expect(js.spec.failurePolicy).toEqual({ maxRestarts: 3 });
    // No subdomain: the controller uses each run's generated name (GetSubdomain), so two runs never share one.
    expect(js.spec.network).toEqual({ enableDNSHostnames: true, publishNotReadyAddresses: true });
    expect(js.metadata).toMatchObject({ generateName: 'pretrain-' });
    expect(js.metadata.name).toBeUndefined();
  });

  test('torchrun rendezvous: nodes, processes per node, rank from the completion index, pod 0 as master', () => {
    expect(pod.containers[0].command).toEqual(['torchrun', 'train.py', '--epochs', '3']);
    expect(env).toMatchObject({
      PET_NNODES: '2',
      PET_NPROC_PER_NODE: '8',
      PET_MASTER_ADDR: '$(JOBSET_NAME)-node-0-0.$(JOBSET_NAME)',
      JOBSET_NAME: { fieldRef: { fieldPath: "metadata.labels['jobset.sigs.k8s.io/jobset-name']" } },
      PET_MASTER_PORT: '29500',
      PET_NODE_RANK: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    expect(pod.restartPolicy).toBe('Never');
  });

  test('GPUs per node and every EFA interface are requested; EFA is selected for NCCL', () => {
    expect(pod.containers[0].resources.limits).toMatchObject({ 'nvidia.com/gpu': 8, 'vpc.amazonaws.com/efa': 32 });
    expect(env).toMatchObject({ FI_PROVIDER: 'efa', FI_EFA_USE_DEVICE_RDMA: '1' });
  });

  test('shared memory volume, pool affinity and taint toleration', () => {
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'dshm', emptyDir: expect.objectContaining({ medium: 'Memory' }) }),
      ]),
    );
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(JSON.stringify(pod.affinity)).toContain('"values":["training"]');
  });
});

test('without a command the image entrypoint runs, with torchrun settings in its environment', () => {
  const pod = synth().of('JobSet').spec.replicatedJobs[0].template.spec.template.spec;
  expect(pod.containers[0].command).toBeUndefined();
  expect(pod.containers[0].env.map((e: any) => e.name)).toContain('PET_NNODES');
});

test('no EFA pool: no EFA resources or settings', () => {
  const pod = synth({ placement: placementOnPool('g', [findInstance('g6e.12xlarge')!], 4) }).of('JobSet').spec
    .replicatedJobs[0].template.spec.template.spec;
  expect(pod.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBeUndefined();
  expect(pod.containers[0].env.map((e: any) => e.name)).not.toContain('FI_PROVIDER');
});

describe('ray: a KubeRay RayJob', () => {
  const rj = synth({ engine: TrainingEngine.RAY, command: ['python', 'train.py'] }).of('RayJob');

  test('entrypoint, teardown, pinned Ray version', () => {
    expect(rj.apiVersion).toBe('ray.io/v1');
    expect(rj.spec).toMatchObject({ entrypoint: 'python train.py', shutdownAfterJobFinishes: true });
    expect(rj.spec.rayClusterSpec.rayVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('one accelerated worker per node; the head on system nodes without GPUs', () => {
    const [group] = rj.spec.rayClusterSpec.workerGroupSpecs;
    expect(group).toMatchObject({ replicas: 2, minReplicas: 2, maxReplicas: 2 });
    expect(group.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(8);
    const head = rj.spec.rayClusterSpec.headGroupSpec.template.spec;
    expect(head.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(JSON.stringify(head.affinity)).toContain('"values":["system"]');
  });

  test('the GPU workers go when the job ends, and no task of the job runs on the head', () => {
    // KubeRay deletes the cluster ttlSecondsAfterFinished after the job's end (kuberay v1.7.0 rayjob_controller.go).
    expect(rj.spec.ttlSecondsAfterFinished).toBe(0);
    expect(rj.spec.rayClusterSpec.headGroupSpec.rayStartParams).toEqual({ 'num-cpus': '0' });
  });
});

test('documented default: one node', () => {
  const docs: any[] = withRuns(
    Testing.synth(new TrainingJob(Testing.app(), 'one', { name: 'one', namespace: 'ml', image: 'i', placement: p5 })),
  );
  expect(docs.find((d) => d.kind === 'JobSet').spec.replicatedJobs[0].template.spec).toMatchObject({
    parallelism: 1,
    completions: 1,
  });
});

test('ray without an entrypoint is refused', () => {
  expect(() => synth({ engine: TrainingEngine.RAY })).toThrow('command is required with engine ray');
});
import './job-launcher.cases';
