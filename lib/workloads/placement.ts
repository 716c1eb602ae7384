import { throwIfProblems, type Problem } from '../core/problems';
import { k8s } from 'cdk8s-plus-27';
import { acceleratorResourceName, EFA_RESOURCE_NAME, type InstanceFacts } from '../catalog/accelerators';
import { POOL_LABEL } from '../core/labels';
import { deepFreeze } from '../catalog/deep-freeze';

/**
 * Where and how big a workload's pods are: the pool they run on and what each pod requests. Built from the
 * pool's catalog facts with {@link placementOnPool}, or by hand for a pool the library did not create.
 */
export interface WorkloadPlacement {
  /** Value of the `ai-platform/pool` node label. */
  readonly poolName: string;
  /** Extended resource of the accelerators, e.g. `nvidia.com/gpu`; undefined for CPU pools. */
  readonly acceleratorResource?: string;
  /** Accelerators per pod. */
  readonly accelerators: number;
  /** EFA interfaces per pod (0: none). */
  readonly efaInterfaces: number;
  /** CPU request per pod, in cores. */
  readonly cpu: number;
  /** Memory request (and limit) per pod, in GiB. */
  readonly memoryGiB: number;
  /** Shared memory for NCCL / dataloaders, in GiB (0: none). */
  readonly sharedMemoryGiB: number;
  /**
   * Node disk each pod may use, in GiB: the ephemeral-storage request and limit of its container, split between
   * its /tmp and cache volumes. @default 10
   */
  readonly ephemeralStorageGiB?: number;
}

/** Documented default of `WorkloadPlacement.ephemeralStorageGiB` (a placement built by hand). */
const DEFAULT_EPHEMERAL_GIB = 10;
/** The node disk a pool has when its `diskGiB` is not given (NODE_POOL_DEFAULTS.diskGiB of the compute domain). */
const DEFAULT_NODE_DISK_GIB = 100;
/**
 * Share of a node's disk its pods may ask for: the rest holds the images (GPU images are 10-30 GB unpacked),
 * the kubelet's and the runtime's files, and the kubelet's eviction margin, none of which a request reserves.
 */
const DISK_SHARE = 0.5;

/** Share of a node's CPU and memory a pod may ask for: the rest is left for the kubelet, daemonsets and overhead. */
const NODE_SHARE = 0.8;

/**
 * Sizes pods for a pool: a pod asking for `accelerators` of a node's N gets that fraction of the smallest
 * node type's CPU and memory (80% of it), so it always fits a node the pool can launch, and that fraction of
 * half the node's disk (`diskGiB`, the pool's; default 100).
 */
export function placementOnPool(
  poolName: string,
  instances: InstanceFacts[],
  accelerators: number,
  efaInterfaces = 0,
  diskGiB = DEFAULT_NODE_DISK_GIB,
): WorkloadPlacement {
  const problems: Problem[] = [];
  if (instances.length === 0 || instances.some((f) => f === undefined)) {
    problems.push({
      field: 'instances',
      value: instances.length,
      message:
        "must list the facts of the pool's instance types (AcceleratorCatalog.find / findInstance returns undefined for a type the catalog does not have)",
    });
  } else {
    // As the definition checks it: one node of the pool's largest type must hold the pod.
    const most = Math.max(...instances.map((f) => f.acceleratorCount));
    if (!(Number.isInteger(accelerators) && accelerators >= 0))
      problems.push({ field: 'accelerators', value: accelerators, message: 'must be a whole number >= 0' });
    else if (accelerators > most)
      problems.push({
        field: 'accelerators',
        value: accelerators,
        message: `must fit one node of the pool, whose largest type has ${most} accelerator(s); no node could ever run the pod`,
      });
  }
  throwIfProblems(`Placement on pool '${poolName}'`, problems);
  const smallest = instances.reduce((a, b) => (b.vcpu < a.vcpu ? b : a));
  const share = smallest.acceleratorCount > 0 ? Math.min(1, accelerators / smallest.acceleratorCount) : 0.25;
  const memoryGiB = Math.max(1, Math.floor(smallest.memoryGiB * share * NODE_SHARE));
  return {
    poolName,
    acceleratorResource: acceleratorResourceName(smallest.vendor),
    accelerators,
    efaInterfaces,
    cpu: Math.max(1, Math.floor(smallest.vcpu * share * NODE_SHARE)),
    memoryGiB,
    sharedMemoryGiB: accelerators > 0 ? Math.min(64, Math.max(1, Math.floor(memoryGiB / 4))) : 0,
    ephemeralStorageGiB: Math.max(2, Math.floor(diskGiB * DISK_SHARE * share)),
  };
}

/** Requests and limits of a pod's main container. Accelerators and EFA use `Quantity`, never plain strings. */
export function containerResources(p: WorkloadPlacement): k8s.ResourceRequirements {
  const extended: Record<string, k8s.Quantity> = {};
  if (p.acceleratorResource && p.accelerators > 0)
    extended[p.acceleratorResource] = k8s.Quantity.fromNumber(p.accelerators);
  if (p.efaInterfaces > 0) extended[EFA_RESOURCE_NAME] = k8s.Quantity.fromNumber(p.efaInterfaces);
  // The pod's limit is the sum of its containers' and covers its disk-backed emptyDirs, writable layers and logs;
  // past it the kubelet evicts the pod (Kubernetes docs, "Resource Management for Pods and Containers", local
  // ephemeral storage). Requested as much, so the scheduler places it where the disk is.
  const disk = k8s.Quantity.fromString(`${ephemeralGiB(p)}Gi`);
  return {
    requests: {
      cpu: k8s.Quantity.fromNumber(p.cpu),
      memory: k8s.Quantity.fromString(`${p.memoryGiB}Gi`),
      'ephemeral-storage': disk,
      ...extended,
    },
    limits: { memory: k8s.Quantity.fromString(`${p.memoryGiB}Gi`), 'ephemeral-storage': disk, ...extended },
  };
}

/** Node affinity to the pool and tolerations of its accelerator taint. */
export function podPlacement(p: WorkloadPlacement): Pick<k8s.PodSpec, 'affinity' | 'tolerations'> {
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [p.poolName] }] }],
        },
      },
    },
    tolerations: p.acceleratorResource
      ? [{ key: p.acceleratorResource, operator: 'Exists', effect: 'NoSchedule' }]
      : undefined,
  };
}

/** The restricted Pod Security profile for a container: non-root, no escalation, no capabilities, seccomp. */
export const RESTRICTED_CONTAINER: Readonly<k8s.SecurityContext> = deepFreeze({
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

/** The pod-level half of the restricted profile. Images that default to root run as this user. */
export const RESTRICTED_POD: Readonly<k8s.PodSecurityContext> = deepFreeze({
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
});

function ephemeralGiB(p: WorkloadPlacement): number {
  return p.ephemeralStorageGiB ?? DEFAULT_EPHEMERAL_GIB;
}

/**
 * Writable scratch volumes (the root filesystem is read-only): /tmp, a model/cache home, and /dev/shm. Each has
 * a sizeLimit, past which the kubelet evicts the pod (Kubernetes docs, Volumes, emptyDir): /tmp a quarter of the
 * pod's disk, the cache the rest, so together they fit the container's ephemeral-storage limit; /dev/shm is
 * memory-backed and counts against the memory limit.
 */
export function scratchVolumes(p: WorkloadPlacement): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const disk = ephemeralGiB(p);
  const tmpGiB = Math.max(1, Math.floor(disk / 4));
  const volumes: k8s.Volume[] = [
    { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(`${tmpGiB}Gi`) } },
    { name: 'cache', emptyDir: { sizeLimit: k8s.Quantity.fromString(`${disk - tmpGiB}Gi`) } },
  ];
  const mounts: k8s.VolumeMount[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'cache', mountPath: '/home/app' },
  ];
  if (p.sharedMemoryGiB > 0) {
    volumes.push({
      name: 'dshm',
      emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(`${p.sharedMemoryGiB}Gi`) },
    });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  return { volumes, mounts };
}

/** The user name the pods give the libraries that ask for one (the pods run as uid `RESTRICTED_POD.runAsUser`). */
const POD_USER_NAME = 'app';

/**
 * Environment that gives the process a user and a writable home, and points every cache at a writable volume
 * (the root filesystem is read-only, and the image may have no passwd entry for the pod's uid):
 * - Python's `getpass.getuser()` reads LOGNAME, USER, LNAME, USERNAME before it falls back to `pwd.getpwuid`, which
 *   raises for a uid without a passwd entry (Python docs, getpass.getuser); torch's inductor names its default
 *   cache after it (torch/_inductor/runtime/cache_dir_utils.py default_cache_dir, unless TORCHINDUCTOR_CACHE_DIR);
 * - `Path.home()` / `expanduser` read HOME first (Python docs, os.path.expanduser); Triton caches under
 *   `~/.triton/cache` unless TRITON_CACHE_DIR (triton/runtime/cache.py); vLLM, Hugging Face and torch hub cache
 *   under XDG_CACHE_HOME / HF_HOME, and vLLM keeps its config under XDG_CONFIG_HOME (vllm/envs.py).
 */
export const CACHE_ENV: readonly k8s.EnvVar[] = deepFreeze([
  { name: 'HOME', value: '/home/app' },
  { name: 'USER', value: POD_USER_NAME },
  { name: 'LOGNAME', value: POD_USER_NAME },
  { name: 'XDG_CACHE_HOME', value: '/home/app/.cache' },
  { name: 'XDG_CONFIG_HOME', value: '/home/app/.config' },
  { name: 'HF_HOME', value: '/home/app/.cache/huggingface' },
  { name: 'TRITON_CACHE_DIR', value: '/home/app/.triton/cache' },
  { name: 'TORCHINDUCTOR_CACHE_DIR', value: '/tmp/torchinductor_app' },
]);

/** Placement as a static method, for every jsii language. */
export class Placement {
  /**
   * Where a workload runs on a pool: its node selector and toleration, and the accelerators (and EFA
   * interfaces) each pod requests, checked against the pool's instance types.
   * @param diskGiB the pool's node disk, in GiB @default 100
   */
  public static onPool(
    poolName: string,
    instances: InstanceFacts[],
    accelerators: number,
    efaInterfaces?: number,
    diskGiB?: number,
  ): WorkloadPlacement {
    return placementOnPool(poolName, instances, accelerators, efaInterfaces ?? 0, diskGiB ?? DEFAULT_NODE_DISK_GIB);
  }

  private constructor() {}
}
