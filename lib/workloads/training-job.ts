import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { throwIfProblems, type Problem } from '../core/problems';
import { acceleratorsProblems, trainingProblems, workloadNameProblems } from './workload-checks';
import { DEFAULT_KUBERNETES_VERSION, kubectlImage, RUNTIME_VERSIONS } from '../catalog/versions';
import { POOL_LABEL } from '../core/labels';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { WORKLOAD_DEFAULTS } from './defaults';
import { TrainingEngine } from './training-engine';
import {
  CACHE_ENV,
  containerResources,
  podPlacement,
  RESTRICTED_CONTAINER,
  RESTRICTED_POD,
  scratchVolumes,
  type WorkloadPlacement,
} from './placement';
import { s3MountProblems, s3MountVolumes, type S3Mount } from './s3-mounts';
import { JOB_FILES_VOLUME, jobFilesName, jobFilesProblems, type JobFiles } from './job-files';
import { rayEntrypoint } from './private/ray-entrypoint';
import { addLauncher, LAUNCHED_KINDS, RUN_ID_PLACEHOLDER, RUN_LABEL, type LaunchedKind } from './private/job-launcher';
// Training pods must not be moved while they run: a lost worker restarts the whole job.
import { DO_NOT_DISRUPT } from './private/disruption';
import { scheduleProblems, type TrainingSchedule } from './training-schedule';

/** A pod template as plain JSON (`Quantity` values rendered as their numbers and strings). */
function podTemplate(props: k8s.KubePodProps): { metadata: unknown; spec: unknown } {
  const m = JSON.parse(JSON.stringify(k8s.KubePod.manifest(props)));
  return { metadata: m.metadata, spec: m.spec };
}

/** Props of {@link TrainingJob}. */
export interface TrainingJobProps {
  /** Labels on every object of the chart. @default - none */
  readonly labels?: Record<string, string>;
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** @default TrainingEngine.PYTORCH */
  readonly engine?: TrainingEngine;
  /** Nodes (one worker pod per node). @default 1 */
  readonly nodes?: number;
  /** Per worker pod: pool, accelerators (`gpusPerNode`), EFA interfaces. */
  readonly placement: WorkloadPlacement;
  /**
   * pytorch: the script and its arguments, run by torchrun (e.g. `['train.py', '--epochs', '3']`); without
   * it the image's entrypoint runs with torchrun's `PET_*` settings in its environment.
   * ray: the RayJob entrypoint (required), e.g. `['python', 'train.py']`.
   * @default - the image's entrypoint (pytorch only)
   */
  readonly command?: string[];
  /** @default - the job name */
  readonly serviceAccountName?: string;
  /** Whole-job restarts after a worker fails. @default 3 */
  readonly maxRestarts?: number;
  /** Data-lake zones to mount into the workers (Mountpoint for Amazon S3 CSI driver). @default - none */
  readonly s3Mounts?: S3Mount[];
  /**
   * When runs start by themselves. Without one, a run starts only by hand:
   * `kubectl -n <namespace> create job --from=cronjob/<name> <run id>`. A deploy never starts a run.
   * @default - manual runs only
   */
  readonly schedule?: TrainingSchedule;
  /**
   * Longest run time of one attempt, in hours: each worker Job's `activeDeadlineSeconds` (pytorch, per attempt of
   * the `maxRestarts + 1`), the RayJob's `activeDeadlineSeconds` (ray, the whole run). @default - no limit
   */
  readonly maxRunHours?: number;
  /**
   * Where each run writes: `OUTPUT_URI` = `s3://<bucketName>/<path>/<run id>/` in every pod (with `RUN_ID`).
   * @default - no OUTPUT_URI (RUN_ID is always set)
   */
  readonly output?: TrainingOutput;
  /**
   * What each run reads: `INPUT_URI` = `s3://<bucketName>/<path>/` in every pod (an optimization's model version).
   * @default - no INPUT_URI
   */
  readonly input?: TrainingInput;
  /**
   * pytorch: whether torchrun runs the command. Without it the command runs as it is, one process in one pod
   * (`nodes` must be 1: nothing sets up a rendezvous), as an optimization's container expects. torchrun would run
   * its first argument as a Python script, in `--nproc-per-node` copies (pytorch torch/distributed/run.py).
   * @default true
   */
  readonly torchrun?: boolean;
  /** The launcher's kubectl image. @default - registry.k8s.io/kubectl at the default Kubernetes version's tag */
  readonly launcherImage?: string;
  /**
   * Small text files (a script) in every worker and the Ray head, read-only under `files.directory`: a ConfigMap
   * `<name>-files` that a deploy updates in place (runs read it when they start).
   * @default - none
   */
  readonly files?: JobFiles;
}

/** Where a training job's runs write: each run under `<path>/<run id>/` of a bucket. */
export interface TrainingOutput {
  readonly bucketName: string;
  /** A key prefix without leading or trailing `/` (`llama-3-8b`). */
  readonly path: string;
}

/** What a training job's runs read: the prefix `<path>/` of a bucket. */
export interface TrainingInput {
  readonly bucketName: string;
  /** A key prefix without leading or trailing `/` (`llama-3-8b/2026-12-06`). */
  readonly path: string;
}

const MASTER_PORT = 29500;
/** The JobSet's one replicated job (short: it is part of every pod's hostname). */
const REPLICATED_JOB = 'node';

/** Whole seconds of a run-time limit in hours. */
function deadlineSeconds(hours: number | undefined): number | undefined {
  return hours === undefined ? undefined : Math.ceil(hours * 3600);
}

/** A run's labels: the job's, and the run id the launcher substitutes. */
function runLabels(labels: Record<string, string>): Record<string, string> {
  return { ...labels, [RUN_LABEL]: RUN_ID_PLACEHOLDER };
}

/** Finished runs are kept a week for their status and logs, then deleted (JobSet `ttlSecondsAfterFinished`). */
const FINISHED_RUN_TTL_SECONDS = 7 * 24 * 3600;

/** The run's id (the launcher substitutes it) and, with an output, the run's own prefix, in every pod. */
function runEnv(props: TrainingJobProps): k8s.EnvVar[] {
  const out = props.output
    ? [{ name: 'OUTPUT_URI', value: `s3://${props.output.bucketName}/${props.output.path}/${RUN_ID_PLACEHOLDER}/` }]
    : [];
  const input = props.input
    ? [{ name: 'INPUT_URI', value: `s3://${props.input.bucketName}/${props.input.path}/` }]
    : [];
  return [{ name: 'RUN_ID', value: RUN_ID_PLACEHOLDER }, ...input, ...out];
}

/** The system nodes (pool label): where the Ray head, the submitter and the launcher run. */
const ON_SYSTEM_NODES = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [SYSTEM_POOL_NAME] }] }],
    },
  },
};

/** Disk of the Ray submitter pod, in GiB: it only runs `ray job submit` (logs and a small /tmp). */
const SUBMITTER_DISK_GIB = 2;

/** The Ray dashboard port, where job submission and the KubeRay operator's status calls go. */
export const RAY_DASHBOARD_PORT = 8265;

/**
 * A distributed training job on a proven engine, never a home-made launcher.
 *
 * - `pytorch` is a JobSet (jobset.x-k8s.io/v1alpha2) of one indexed Job with one pod per node running
 *   torchrun. JobSet, not a bare indexed Job: it gives the pods stable DNS names (the rendezvous host is
 *   pod 0) and restarts the whole group when one worker fails, which torchrun's collective needs; it is
 *   also the API Kubeflow Trainer v2 builds on, without needing its runtimes.
 * - `ray` is a KubeRay RayJob (ray.io/v1): a head on the system nodes and one GPU worker per node, torn
 *   down when the job finishes.
 *
 * Both request the accelerators and EFA interfaces per node, mount shared memory for NCCL, tolerate the
 * pool's taint and require its nodes.
 */
export class TrainingJob extends Chart {
  /** The CronJob that starts runs (`kubectl create job --from=cronjob/<name>` starts one by hand). */
  public readonly cronJobName: string;
  private s3?: { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] };
  private files: { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } = { volumes: [], mounts: [] };

  /**
   * Problems of the props (image, nodes, a command for Ray), with field names relative to the props; the
   * definition reports the same rules under `training[i]`. An image that is a token is checked at deploy time.
   */
  public static check(props: TrainingJobProps): Problem[] {
    return [
      ...workloadNameProblems('name', props.name),
      ...trainingProblems(props),
      ...acceleratorsProblems('placement.accelerators', props.placement.accelerators, 'training'),
      ...s3MountProblems(props.s3Mounts ?? []),
      ...scheduleProblems('schedule', props.schedule),
      ...jobFilesProblems('files', props.files),
      ...(props.torchrun === false && (props.nodes ?? 1) !== 1
        ? [{ field: 'nodes', value: props.nodes, message: 'must be 1 without torchrun (nothing sets up a rendezvous)' }]
        : []),
    ];
  }

  constructor(scope: Construct, id: string, props: TrainingJobProps) {
    super(scope, id, { labels: props.labels, namespace: props.namespace, disableResourceNameHashes: true });
    const engine = props.engine ?? WORKLOAD_DEFAULTS.training.engine;
    const nodes = props.nodes ?? WORKLOAD_DEFAULTS.training.nodes;
    const saName = props.serviceAccountName ?? props.name;
    const labels = {
      'app.kubernetes.io/name': props.name,
      'app.kubernetes.io/part-of': 'ai-platform',
      'ai-platform/workload': props.name,
    };
    throwIfProblems(`TrainingJob '${props.name}'`, TrainingJob.check(props), this);
    this.cronJobName = props.name;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: saName, namespace: props.namespace, labels },
      automountServiceAccountToken: false,
    });
    if (props.files) {
      const filesName = jobFilesName(props.name);
      // Mutable (no `immutable: true`), so a changed file deploys as an update of the same ConfigMap.
      new k8s.KubeConfigMap(this, 'Files', {
        metadata: { name: filesName, namespace: props.namespace, labels },
        data: { ...props.files.contents },
      });
      this.files = {
        volumes: [{ name: JOB_FILES_VOLUME, configMap: { name: filesName } }],
        mounts: [{ name: JOB_FILES_VOLUME, mountPath: props.files.directory, readOnly: true }],
      };
    }
    if (engine === TrainingEngine.PYTORCH) {
      this.pytorch(props, nodes, saName, labels);
    } else {
      this.ray(props, nodes, saName, labels);
    }
  }

  private workerPod(
    props: TrainingJobProps,
    saName: string,
    labels: Record<string, string>,
    container: Partial<k8s.Container>,
    restartPolicy?: string,
  ) {
    const scratch = scratchVolumes(props.placement);
    const s3 = (this.s3 ??= s3MountVolumes(
      this,
      props.namespace,
      props.name,
      props.s3Mounts ?? [],
      RESTRICTED_POD.runAsUser!,
    ));
    const efaEnv: k8s.EnvVar[] =
      props.placement.efaInterfaces > 0
        ? [
            { name: 'FI_PROVIDER', value: 'efa' },
            { name: 'FI_EFA_USE_DEVICE_RDMA', value: '1' },
            { name: 'NCCL_DEBUG', value: 'WARN' },
          ]
        : [];
    return podTemplate({
      metadata: { labels, annotations: DO_NOT_DISRUPT },
      spec: {
        serviceAccountName: saName,
        securityContext: RESTRICTED_POD,
        restartPolicy,
        ...podPlacement(props.placement),
        containers: [
          {
            name: 'worker',
            image: props.image,
            ...container,
            env: [...runEnv(props), ...CACHE_ENV, ...efaEnv, ...(container.env ?? [])],
            resources: containerResources(props.placement),
            securityContext: RESTRICTED_CONTAINER,
            volumeMounts: [...scratch.mounts, ...s3.mounts, ...this.files.mounts],
          },
        ],
        volumes: [...scratch.volumes, ...s3.volumes, ...this.files.volumes],
      },
    });
  }

  private pytorch(props: TrainingJobProps, nodes: number, saName: string, labels: Record<string, string>): void {
    const { name, namespace } = props;
    // Each run is a new JobSet named `<name>-<5 random>` (generateName). Its pod hostnames are
    // <jobset>-<replicatedJob>-<job index>-<pod index>.<subdomain>, and the subdomain defaults to the JobSet's name
    // in the controller, for generateName's sake (jobset v0.12.0 pkg/controllers/jobset_controller.go GetSubdomain);
    // the pods carry the name as label jobset.sigs.k8s.io/jobset-name (labelAndAnnotateObject). The webhook checks
    // `<jobset>-node-0-<last index>-abcde` is a DNS label: 46 + 17 characters with up to 1000 nodes.
    const masterAddr = `$(JOBSET_NAME)-${REPLICATED_JOB}-0-0.$(JOBSET_NAME)`;
    const env: k8s.EnvVar[] = [
      {
        name: 'JOBSET_NAME',
        valueFrom: { fieldRef: { fieldPath: "metadata.labels['jobset.sigs.k8s.io/jobset-name']" } },
      },
      { name: 'PET_NNODES', value: String(nodes) },
      { name: 'PET_NPROC_PER_NODE', value: String(Math.max(1, props.placement.accelerators)) },
      {
        name: 'PET_NODE_RANK',
        valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
      },
      { name: 'PET_MASTER_ADDR', value: masterAddr },
      { name: 'PET_MASTER_PORT', value: String(MASTER_PORT) },
    ];
    const given = props.command && props.command.length > 0;
    const torchrun = props.torchrun ?? true;
    const command = given ? { command: torchrun ? ['torchrun', ...props.command!] : [...props.command!] } : {};
    const rendezvous = torchrun ? { env, ports: [{ name: 'rendezvous', containerPort: MASTER_PORT }] } : {};
    const pod = this.workerPod(props, saName, labels, { ...command, ...rendezvous }, 'Never');

    // Typed by the generated JobSet props, then the pod template is set on the JSON: the generated class
    // would re-filter a patched template through its own converters and drop extended resources.
    // The generated JobSet types are large (20k lines): load them only when a PyTorch job exists.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JobSet } = require('./imports/jobset-jobset.x-k8s.io') as typeof import('./imports/jobset-jobset.x-k8s.io');
    const jobset = JobSet.manifest({
      metadata: { namespace, labels: runLabels(labels) },
      spec: {
        network: { enableDnsHostnames: true, publishNotReadyAddresses: true },
        failurePolicy: { maxRestarts: props.maxRestarts ?? WORKLOAD_DEFAULTS.training.maxRestarts },
        ttlSecondsAfterFinished: FINISHED_RUN_TTL_SECONDS,
        replicatedJobs: [
          {
            name: REPLICATED_JOB,
            replicas: 1,
            template: {
              spec: {
                parallelism: nodes,
                completions: nodes,
                completionMode: 'Indexed',
                backoffLimit: 0,
                activeDeadlineSeconds: deadlineSeconds(props.maxRunHours),
                template: { spec: { containers: [] } },
              },
            },
          },
        ],
      },
    });
    jobset.spec.replicatedJobs[0].template.spec.template = pod;
    // Each attempt may run maxRunHours; the whole set restarts up to maxRestarts times.
    const attempts = (props.maxRestarts ?? WORKLOAD_DEFAULTS.training.maxRestarts) + 1;
    const template = { ...jobset, metadata: { ...jobset.metadata, generateName: `${name}-` } };
    this.launch(props, labels, template, LAUNCHED_KINDS.jobset, attempts);
  }

  /** The run template behind its launcher (see addLauncher): a deploy changes the template, never a run. */
  private launch(
    props: TrainingJobProps,
    labels: Record<string, string>,
    template: unknown,
    kind: LaunchedKind,
    attempts: number,
  ): void {
    const hours = props.maxRunHours;
    addLauncher(this, {
      name: props.name,
      namespace: props.namespace,
      labels,
      template,
      kind,
      schedule: props.schedule,
      image: props.launcherImage ?? kubectlImage(DEFAULT_KUBERNETES_VERSION),
      // The launcher waits for its run's end, plus an hour for scheduling and image pulls.
      runDeadlineSeconds: hours === undefined ? undefined : Math.ceil(hours * attempts * 3600) + 3600,
      affinity: ON_SYSTEM_NODES,
    });
  }

  private ray(props: TrainingJobProps, nodes: number, saName: string, labels: Record<string, string>): void {
    // The generated RayJob types are large (≈1 MB of JavaScript even with the v1 API only): load them only when a Ray job exists.
    const { RayJob } = require('./imports/kuberay-rayjob-ray.io') as typeof import('./imports/kuberay-rayjob-ray.io');
    const { name, namespace } = props;
    const worker = this.workerPod(props, saName, labels, {});
    const headPlacement: WorkloadPlacement = {
      ...props.placement,
      accelerators: 0,
      efaInterfaces: 0,
      cpu: 1,
      memoryGiB: 4,
      sharedMemoryGiB: 1,
      ephemeralStorageGiB: 8,
    };
    const headScratch = scratchVolumes(headPlacement);
    const head = podTemplate({
      metadata: { labels, annotations: DO_NOT_DISRUPT },
      spec: {
        serviceAccountName: saName,
        securityContext: RESTRICTED_POD,
        // The head coordinates and needs no accelerator: it runs on the system nodes.
        affinity: ON_SYSTEM_NODES,
        containers: [
          {
            name: 'ray-head',
            image: props.image,
            env: [...runEnv(props), ...CACHE_ENV],
            ports: [
              { name: 'gcs', containerPort: 6379 },
              { name: 'dashboard', containerPort: RAY_DASHBOARD_PORT },
              { name: 'client', containerPort: 10001 },
            ],
            resources: containerResources(headPlacement),
            securityContext: RESTRICTED_CONTAINER,
            volumeMounts: [...headScratch.mounts, ...this.files.mounts],
          },
        ],
        volumes: [...headScratch.volumes, ...this.files.volumes],
      },
    });
    // The submitter pod runs `ray job submit` against the head. Without a template KubeRay builds one with no
    // security context (ray-operator/controllers/ray/common/job.go GetDefaultSubmitterContainer, v1.7.0),
    // which Pod Security `restricted` rejects; a given template is used as is, the operator only fills the
    // first container's command and env (rayjob_controller.go getSubmitterTemplate).
    const submitterScratch = scratchVolumes({
      ...headPlacement,
      sharedMemoryGiB: 0,
      ephemeralStorageGiB: SUBMITTER_DISK_GIB,
    });
    const submitter = podTemplate({
      metadata: { labels },
      spec: {
        serviceAccountName: saName,
        securityContext: RESTRICTED_POD,
        restartPolicy: 'Never',
        affinity: ON_SYSTEM_NODES,
        containers: [
          {
            name: 'ray-job-submitter',
            image: props.image,
            env: [...CACHE_ENV],
            resources: {
              // Disk as scratchVolumes splits it (placement.ts: ephemeral-storage covers the emptyDirs).
              requests: {
                cpu: k8s.Quantity.fromString('500m'),
                memory: k8s.Quantity.fromString('256Mi'),
                'ephemeral-storage': k8s.Quantity.fromString(`${SUBMITTER_DISK_GIB}Gi`),
              },
              limits: {
                memory: k8s.Quantity.fromString('1Gi'),
                'ephemeral-storage': k8s.Quantity.fromString(`${SUBMITTER_DISK_GIB}Gi`),
              },
            },
            securityContext: RESTRICTED_CONTAINER,
            volumeMounts: submitterScratch.mounts,
          },
        ],
        volumes: submitterScratch.volumes,
      },
    });
    const rayJob = RayJob.manifest({
      metadata: { namespace, labels: runLabels(labels) },
      spec: {
        activeDeadlineSeconds: deadlineSeconds(props.maxRunHours),
        // Quoted for KubeRay's bash, Ray's list2cmdline and the job's /bin/sh (see rayEntrypoint).
        entrypoint: rayEntrypoint(props.command!),
        // The Ray cluster (its GPU workers) is deleted as soon as the job ends: KubeRay waits ttlSecondsAfterFinished
        // after the end time before deleting it (kuberay v1.7.0 rayjob_controller.go handleShutdownAfterJobFinishes),
        // and an hour of idle GPU nodes per run would cost as much as the run. The driver's logs stay with the
        // submitter Job (K8sJobMode: `ray job submit` follows them).
        shutdownAfterJobFinishes: true,
        ttlSecondsAfterFinished: 0,
        rayClusterSpec: {
          rayVersion: RUNTIME_VERSIONS.rayVersion,
          // No Ray task on the head, which sits on the system nodes: KubeRay would advertise its CPU request as
          // `num-cpus` (kuberay v1.7.0 ray-operator/controllers/ray/common/pod.go, when rayStartParams has none), and
          // Ray would schedule the job's tasks there, beside the driver.
          headGroupSpec: { rayStartParams: { 'num-cpus': '0' }, template: { spec: { containers: [] } } },
          workerGroupSpecs: [
            {
              groupName: 'accelerated',
              replicas: nodes,
              minReplicas: nodes,
              maxReplicas: nodes,
              rayStartParams: {},
              template: { spec: { containers: [] } },
            },
          ],
        },
      },
    });
    rayJob.spec.rayClusterSpec.headGroupSpec.template = head;
    rayJob.spec.rayClusterSpec.workerGroupSpecs[0].template = worker;
    rayJob.spec.submissionMode = 'K8sJobMode';
    rayJob.spec.submitterPodTemplate = submitter;
    // KubeRay names the RayCluster `<rayjob>-<5 random>` and allows RayJob names up to 47 characters
    // (kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go MaxRayJobNameLength): 40 + 1 + 5 fit.
    const template = { ...rayJob, metadata: { ...rayJob.metadata, generateName: `${name}-` } };
    this.launch(props, labels, template, LAUNCHED_KINDS.rayjob, 1);
  }
}
