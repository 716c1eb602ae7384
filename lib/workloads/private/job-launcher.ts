import { ApiObject, type Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { deepFreeze } from '../../catalog/deep-freeze';
import { RESTRICTED_CONTAINER, RESTRICTED_POD } from '../placement';
import { DEFAULT_SCHEDULE_TIME_ZONE, type TrainingSchedule } from '../training-schedule';

/**
 * The word of a run template that the launcher replaces with the run id (the launcher Job's name) before it
 * creates the run; a valid label value, so the template validates as it is.
 */
export const RUN_ID_PLACEHOLDER = 'ai-platform-run-id';

/** The custom resource a launcher creates, and how its end reads. */
export interface LaunchedKind {
  readonly group: string;
  /** The resource (plural) its Role may create and get. */
  readonly resource: string;
  /** jsonpath of the words that say whether a run ended (`kubectl get -o jsonpath`). */
  readonly statePath: string;
  readonly succeeded: string;
  /** A bash `case` pattern (`Failed|ValidationFailed`). */
  readonly failed: string;
}

/**
 * JobSet's terminal conditions are `Completed` and `Failed` (jobset v0.12.0 api/jobset/v1alpha2/jobset_types.go
 * JobSetCompleted, JobSetFailed); a RayJob's `status.jobDeploymentStatus` ends `Complete`, `Failed` or
 * `ValidationFailed` (kuberay v1.7.0 ray-operator/apis/ray/v1/rayjob_types.go JobDeploymentStatus).
 */
export const LAUNCHED_KINDS = deepFreeze({
  jobset: {
    group: 'jobset.x-k8s.io',
    resource: 'jobsets',
    statePath: '{.status.conditions[?(@.status=="True")].type}',
    succeeded: 'Completed',
    failed: 'Failed',
  },
  rayjob: {
    group: 'ray.io',
    resource: 'rayjobs',
    statePath: '{.status.jobDeploymentStatus}',
    succeeded: 'Complete',
    failed: 'Failed|ValidationFailed',
  },
} as const);

/** Props of {@link addLauncher}. */
export interface LauncherProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The run: a JobSet or RayJob manifest with `metadata.generateName`, holding {@link RUN_ID_PLACEHOLDER}. */
  readonly template: unknown;
  readonly kind: LaunchedKind;
  /** @default - manual: the CronJob is suspended and started with `kubectl create job --from=cronjob/<name>` */
  readonly schedule?: TrainingSchedule;
  /** The kubectl image (registry.k8s.io/kubectl at the cluster's minor). */
  readonly image: string;
  /** Longest a run may take, launch to end; the launcher Job gives up waiting after it. @default - no limit */
  readonly runDeadlineSeconds?: number;
  /** Pod affinity of the launcher (the system nodes). */
  readonly affinity: k8s.Affinity;
}

/** A schedule no clock reaches in practice, for a suspended (manual) CronJob: `schedule` is required. */
const MANUAL_CRON = '0 0 1 1 *';
const TEMPLATE_KEY = 'run.json';
const KUBECTL = '/bin/kubectl';

/**
 * A run of a training job without touching a running one: the JobSet or RayJob is a template in a ConfigMap; a
 * CronJob (suspended for manual runs) starts a launcher pod that substitutes its Job's name as the run id, creates
 * the run with `kubectl create` (a new object with a generated name each time: nothing deployed is ever updated),
 * and waits for its end, so the CronJob's `concurrencyPolicy: Forbid` keeps runs from overlapping and a failed run
 * is a failed Job. The launcher's ServiceAccount may only create and get the one kind in its namespace (a Role);
 * the kubelet mounts the template, so it needs no ConfigMap access.
 */
export function addLauncher(chart: Chart, props: LauncherProps): void {
  const { name, namespace, labels, kind } = props;
  const launcher = `${name}-launcher`;
  const meta = (n: string) => ({ name: n, namespace, labels });
  new k8s.KubeConfigMap(chart, 'RunTemplate', {
    metadata: meta(`${name}-run`),
    data: { [TEMPLATE_KEY]: JSON.stringify(props.template) },
  });
  new k8s.KubeServiceAccount(chart, 'LauncherServiceAccount', { metadata: meta(launcher) });
  new k8s.KubeRole(chart, 'LauncherRole', {
    metadata: meta(launcher),
    rules: [{ apiGroups: [kind.group], resources: [kind.resource], verbs: ['create', 'get'] }],
  });
  new k8s.KubeRoleBinding(chart, 'LauncherRoleBinding', {
    metadata: meta(launcher),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: launcher },
    subjects: [{ kind: 'ServiceAccount', name: launcher, namespace }],
  });
  // `kubectl create` takes generateName (`apply` refuses it: kubernetes/kubernetes issue 44501, PR 88998); the API
  // server sets the name before validating admission (apiserver registry/generic/registry/store.go Create), so the
  // JobSet and KubeRay webhooks check the real name.
  const k = `${KUBECTL} --cache-dir=/tmp/kube-cache`;
  const script = [
    'set -eu',
    `run=$(sed "s/${RUN_ID_PLACEHOLDER}/$RUN_ID/g" /etc/run/${TEMPLATE_KEY} | ${k} create -f - -o name)`,
    'echo "run $RUN_ID: $run"',
    'while :; do',
    `  for s in $(${k} get "$run" -o jsonpath='${kind.statePath}'); do`,
    `    case "$s" in ${kind.succeeded}) echo "$run: $s"; exit 0;; ${kind.failed}) echo "$run: $s"; exit 1;; esac`,
    '  done',
    '  sleep 60',
    'done',
  ].join('\n');
  // The CronJob's own scheduling: one run at a time (Forbid), a missed start abandoned after an hour, history kept.
  // `timeZone` is stable since Kubernetes 1.27 (KEP-3140, kubernetes/enhancements issue 3140).
  new ApiObject(chart, 'Launcher', {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(name),
    spec: {
      schedule: props.schedule?.cron ?? MANUAL_CRON,
      timeZone: props.schedule ? (props.schedule.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE) : DEFAULT_SCHEDULE_TIME_ZONE,
      suspend: props.schedule === undefined,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          // A failed launcher may have created its run: never retried, so a run never starts twice.
          backoffLimit: 0,
          activeDeadlineSeconds: props.runDeadlineSeconds,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: launcher,
              securityContext: RESTRICTED_POD,
              restartPolicy: 'Never',
              affinity: props.affinity,
              containers: [
                {
                  name: 'launch',
                  image: props.image,
                  command: ['/bin/bash', '-c', script],
                  env: [
                    // The Job's name (well-known label batch.kubernetes.io/job-name, set on a Job's pods since 1.27).
                    {
                      name: 'RUN_ID',
                      valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } },
                    },
                    { name: 'HOME', value: '/tmp' },
                  ],
                  resources: {
                    requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '128Mi' },
                    limits: { memory: '128Mi', 'ephemeral-storage': '128Mi' },
                  },
                  securityContext: RESTRICTED_CONTAINER,
                  volumeMounts: [
                    { name: 'run', mountPath: '/etc/run', readOnly: true },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                },
              ],
              volumes: [
                { name: 'run', configMap: { name: `${name}-run` } },
                { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
              ],
            },
          },
        },
      },
    },
  });
}
