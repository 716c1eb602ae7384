import { Testing } from 'cdk8s';
import { InferenceService, TrainingEngine, TrainingJob } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';
import { podSecurityViolations, podTemplatesOf } from '../support/pod-security';
import { withRuns } from '../support/launched-runs';

// The pods run as a uid the image may have no passwd entry for, on a read-only root filesystem. What Python
// libraries ask for at start must then come from the environment and land on a writable volume:
// - getpass.getuser() reads LOGNAME, USER, LNAME, USERNAME, then pwd.getpwuid, which raises KeyError for an
//   unknown uid (Python docs, getpass.getuser); torch's inductor cache is named after it
//   (torch/_inductor/runtime/cache_dir_utils.py default_cache_dir, unless TORCHINDUCTOR_CACHE_DIR);
// - Path.home() is HOME (Python docs, os.path.expanduser); Triton caches under ~/.triton/cache unless
//   TRITON_CACHE_DIR; vLLM, Hugging Face and torch hub under XDG_CACHE_HOME / HF_HOME, vLLM's config under
//   XDG_CONFIG_HOME.
const PATHS = ['HOME', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'HF_HOME', 'TRITON_CACHE_DIR', 'TORCHINDUCTOR_CACHE_DIR'];

const inference = new InferenceService(Testing.app(), 'svc', {
  name: 'llm',
  namespace: 'serving',
  image: 'vllm/vllm-openai:v0.11.0',
  placement: placementOnPool('inference', [findInstance('g6e.xlarge')!], 1),
  prometheus: {
    serverAddress: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/',
    awsRegion: 'us-east-1',
  },
});
const p5 = placementOnPool('training', [findInstance('p5.48xlarge')!], 8, 32);
const pytorch = new TrainingJob(Testing.app(), 'pt', {
  name: 'pretrain',
  namespace: 'ml',
  image: 'trainer:1',
  nodes: 2,
  placement: p5,
});
const ray = new TrainingJob(Testing.app(), 'ray', {
  name: 'tune',
  namespace: 'ml',
  image: 'rayproject/ray:2.49.0',
  engine: TrainingEngine.RAY,
  nodes: 2,
  placement: p5,
  command: ['python', 'tune.py'],
});

// The workload pods: the service's, and those of the runs the training launchers create (the launcher pod runs
// kubectl, not Python: the job-launcher cases hold it to Pod Security).
const pods = [inference, pytorch, ray].flatMap((chart) =>
  withRuns(Testing.synth(chart))
    .filter((m: any) => m.kind !== 'CronJob')
    .flatMap((m: any) =>
      podTemplatesOf(m).map((t) => ({ name: `${m.kind} ${t.path}`, spec: t.spec, metadata: t.metadata })),
    ),
);
const containers = pods.flatMap((p) =>
  p.spec.containers.map((c: any) => ({ name: `${p.name} ${c.name}`, c, pod: p.spec })),
);

test('every workload pod is covered: Deployment, JobSet workers, Ray head, workers and submitter', () => {
  expect(pods.map((p) => p.name)).toEqual([
    'Deployment spec.template',
    'JobSet spec.replicatedJobs[0].template.spec.template',
    'RayJob spec.rayClusterSpec.headGroupSpec.template',
    'RayJob spec.rayClusterSpec.workerGroupSpecs[0].template',
    'RayJob spec.submitterPodTemplate',
  ]);
});

test.each(containers)('$name: a user name without a passwd entry (USER, LOGNAME) and a home', ({ c }) => {
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
  expect(env.USER).toMatch(/^[a-z][a-z0-9_-]*$/);
  expect(env.LOGNAME).toBe(env.USER);
  expect(env.HOME).toMatch(/^\//);
});

test.each(containers)('$name: home and every cache on a writable emptyDir, not the read-only root', ({ c, pod }) => {
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
  const writable = c.volumeMounts
    .filter((mnt: any) => !mnt.readOnly && pod.volumes.find((v: any) => v.name === mnt.name)?.emptyDir)
    .map((mnt: any) => mnt.mountPath);
  for (const name of PATHS) {
    expect(env[name]).toBeDefined();
    const under = writable.filter((dir: string) => env[name] === dir || env[name].startsWith(`${dir}/`));
    expect({ [name]: env[name], under }).toEqual({ [name]: env[name], under: [expect.any(String)] });
  }
  expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
});

test.each(pods)('$name: still Pod Security restricted, as a non-root uid', ({ spec, metadata }) => {
  expect(podSecurityViolations(spec, 'restricted', metadata)).toEqual([]);
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
  expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
});

// Local ephemeral storage: without a limit a pod may fill its node's disk and the kubelet evicts whatever it picks;
// with one, the pod's total (its containers' limits) covers its disk-backed emptyDirs, writable layers and logs
// (Kubernetes docs, "Resource Management for Pods and Containers", local ephemeral storage; Volumes, emptyDir).
const GI = (q: string) => {
  const m = /^(\d+)Gi$/.exec(q);
  if (!m) throw new Error(`not a whole Gi quantity: ${q}`);
  return Number(m[1]);
};

test.each(containers)('$name: requests and limits ephemeral-storage, the same amount', ({ c }) => {
  expect(c.resources.requests['ephemeral-storage']).toMatch(/^\d+Gi$/);
  expect(c.resources.limits['ephemeral-storage']).toBe(c.resources.requests['ephemeral-storage']);
});

test.each(pods)(
  "$name: every emptyDir has a sizeLimit; the disk-backed ones fit the pod's ephemeral-storage limit, /dev/shm its memory",
  ({ spec }) => {
    const emptyDirs = spec.volumes.filter((v: any) => v.emptyDir);
    expect(emptyDirs.length).toBeGreaterThan(0);
    for (const v of emptyDirs)
      expect({ [v.name]: v.emptyDir.sizeLimit }).toEqual({ [v.name]: expect.stringMatching(/^\d+Gi$/) });
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const podDisk = sum(spec.containers.map((c: any) => GI(c.resources.limits['ephemeral-storage'])));
    expect(
      sum(emptyDirs.filter((v: any) => v.emptyDir.medium !== 'Memory').map((v: any) => GI(v.emptyDir.sizeLimit))),
    ).toBeLessThanOrEqual(podDisk);
    const podMemory = sum(spec.containers.map((c: any) => GI(c.resources.limits.memory)));
    for (const v of emptyDirs.filter((x: any) => x.emptyDir.medium === 'Memory'))
      expect(GI(v.emptyDir.sizeLimit)).toBeLessThan(podMemory);
  },
);

test.each([
  // [case, placement, node disk GiB, pods of this size per node]
  [
    'a whole p5 node on the default 100 GiB disk',
    placementOnPool('training', [findInstance('p5.48xlarge')!], 8),
    100,
    1,
  ],
  [
    'one of four GPUs on a 200 GiB disk',
    placementOnPool('inference', [findInstance('g6e.12xlarge')!], 1, 0, 200),
    200,
    4,
  ],
  [
    'a CPU pod on the smallest disk a pool may have (20 GiB)',
    placementOnPool('cpu', [findInstance('m7i.xlarge')!], 0, 0, 20),
    20,
    4,
  ],
])(
  '%s: the pods a node holds ask for at most half its disk (the rest: images, kubelet, eviction margin)',
  (_, p, diskGiB, perNode) => {
    expect(p.ephemeralStorageGiB).toBeGreaterThanOrEqual(2);
    expect(p.ephemeralStorageGiB! * perNode).toBeLessThanOrEqual(Math.max(diskGiB / 2, 2 * perNode));
  },
);
