import { ApiObject, type Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { deepFreeze } from '../../catalog/deep-freeze';
import { RESTRICTED_CONTAINER, RESTRICTED_POD } from '../placement';
import { DEFAULT_SCHEDULE_TIME_ZONE, type TrainingSchedule } from '../training-schedule';
import { DO_NOT_DISRUPT } from './disruption';

/**
 * The word of a run template that the launcher replaces with the run id (the launcher Job's name) before it
 * creates the run; a valid label value, so the template validates as it is.
 */
export const RUN_ID_PLACEHOLDER = 'ai-platform-run-id';

/** The label of a run (template metadata) whose value is {@link RUN_ID_PLACEHOLDER}: how a launcher finds its run. */
export const RUN_LABEL = 'ai-platform/run';

/**
 * The word of a run template that the launcher replaces with its Job's UID: the run's owner reference to that Job
 * (garbage collection matches owners by UID). Not a valid UID, so a template created as it is owns to nothing.
 */
export const RUN_OWNER_UID_PLACEHOLDER = 'ai-platform-run-owner-uid';

/**
 * The launcher's exit code when its run failed: the Job fails at once (podFailurePolicy FailJob). Not 1: kubectl
 * exits 1 on any API error, and bash's `set -e` passes that on; those are retried.
 */
export const RUN_FAILED_EXIT_CODE = 3;

/**
 * Finished launcher Jobs (and, by their owner references, their runs) are deleted after a week, as JobSets are
 * (training-job.ts FINISHED_RUN_TTL_SECONDS). The CronJob's history limits only trim the Jobs it controls; a Job
 * a client starts without `controller: true` in its owner reference (older kubectl: kubernetes/kubernetes PR 91053
 * and issue 110430; kubectl's create_job.go createJobFromCronJob sets it again) would otherwise stay forever.
 */
export const LAUNCHER_TTL_SECONDS = 7 * 24 * 3600;

/** The custom resource a launcher creates, and how its end reads. */
export interface LaunchedKind {
  readonly group: string;
  /** The resource (plural) its Role may create, get and list. */
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
  /**
   * The run: a JobSet or RayJob manifest with `metadata.generateName`, holding {@link RUN_ID_PLACEHOLDER}, and
   * labelled {@link RUN_LABEL}: {@link RUN_ID_PLACEHOLDER}.
   */
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
 * is a failed Job. Each run is owned by its launcher Job, so deleting the Job (`kubectl delete job <run id>`, the
 * CronJob's history limits, the Job's TTL) deletes the run. A launcher that is evicted or fails on an API error is
 * retried, and the next pod finds the run by its label and waits for it instead of creating another. The launcher's
 * ServiceAccount may only create, get and list the one kind in its namespace (a Role); the kubelet mounts the
 * template, so it needs no ConfigMap access.
 */
export function addLauncher(chart: Chart, props: LauncherProps): void {
  const { name, namespace, labels, kind } = props;
  const launcher = `${name}-launcher`;
  const meta = (n: string) => ({ name: n, namespace, labels });
  new k8s.KubeConfigMap(chart, 'RunTemplate', {
    metadata: meta(`${name}-run`),
    data: { [TEMPLATE_KEY]: JSON.stringify(ownedRun(props.template)) },
  });
  new k8s.KubeServiceAccount(chart, 'LauncherServiceAccount', { metadata: meta(launcher) });
  new k8s.KubeRole(chart, 'LauncherRole', {
    metadata: meta(launcher),
    rules: [{ apiGroups: [kind.group], resources: [kind.resource], verbs: ['create', 'get', 'list'] }],
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
  const failed = `exit ${RUN_FAILED_EXIT_CODE}`;
  const script = [
    'set -euo pipefail',
    // A retried launcher resumes: the run of this run id, if an earlier pod created it (a failed list is an error,
    // never an empty answer, so it never creates a second run).
    `run=$(${k} get ${kind.resource}.${kind.group} -l ${RUN_LABEL}=$RUN_ID -o name)`,
    "run=${run%%$'\\n'*}",
    'if [ -n "$run" ]; then',
    '  echo "run $RUN_ID: resuming $run"',
    'else',
    `  run=$(sed -e "s/${RUN_ID_PLACEHOLDER}/$RUN_ID/g" -e "s/${RUN_OWNER_UID_PLACEHOLDER}/$JOB_UID/g" /etc/run/${TEMPLATE_KEY} | ${k} create -f - -o name)`,
    '  echo "run $RUN_ID: $run"',
    'fi',
    'while :; do',
    // A failed get is retried (API errors), except a run deleted under the launcher: then the run failed.
    `  if ! states=$(${k} get "$run" -o jsonpath='${kind.statePath}' 2>/tmp/get.err); then`,
    `    if grep -q NotFound /tmp/get.err; then echo "$run: deleted"; ${failed}; fi`,
    '    cat /tmp/get.err >&2',
    '  fi',
    '  for s in $states; do',
    `    case "$s" in ${kind.succeeded}) echo "$run: $s"; exit 0;; ${kind.failed}) echo "$run: $s"; ${failed};; esac`,
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
          // A retried launcher resumes its run (see the script), so retries are safe: an evicted or drained pod
          // (condition DisruptionTarget) is replaced without counting, a failed run fails the Job at once, anything
          // else (API errors) is retried twice. With a podFailurePolicy a replacement starts only once the old pod
          // has terminated (podReplacementPolicy Failed, the only value allowed then: batch/v1 JobSpec). Stable
          // since Kubernetes 1.31, beta and on by default since 1.26 (kubernetes.io docs, "Handling retriable and
          // non-retriable pod failures with Pod failure policy"; KEP-3329).
          backoffLimit: 2,
          podFailurePolicy: {
            rules: [
              { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
              {
                action: 'FailJob',
                onExitCodes: { containerName: 'launch', operator: 'In', values: [RUN_FAILED_EXIT_CODE] },
              },
            ],
          },
          activeDeadlineSeconds: props.runDeadlineSeconds,
          ttlSecondsAfterFinished: LAUNCHER_TTL_SECONDS,
          template: {
            // Not moved voluntarily while it watches its run (as training pods).
            metadata: { labels, annotations: { ...DO_NOT_DISRUPT } },
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
                    // The Job's UID, for the run's owner reference (ControllerUidLabel, kubernetes/kubernetes
                    // pkg/apis/batch/types.go: batch.kubernetes.io/controller-uid, on a Job's pods since 1.27).
                    {
                      name: 'JOB_UID',
                      valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" } },
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

/**
 * The run template with an owner reference to the launcher Job that creates it (name and UID substituted by the
 * launcher), so the garbage collector deletes the run with its Job. No `blockOwnerDeletion`: setting it needs rights
 * on the owner under the OwnerReferencesPermissionEnforcement admission plugin (kubernetes/kubernetes
 * plugin/pkg/admission/gc/gc_admission.go; ObjectMeta ownerReferences API docs), which the launcher has not; EKS does
 * not enable that plugin (EKS user guide, "View Amazon EKS platform versions": the admission controllers enabled). No
 * `controller`: the Job controller manages pods only, and nothing should adopt the run by its controller.
 */
function ownedRun(template: unknown): unknown {
  const run = template as { metadata?: { labels?: Record<string, string>; ownerReferences?: unknown[] } };
  if (run.metadata?.labels?.[RUN_LABEL] !== RUN_ID_PLACEHOLDER)
    throw new Error(`addLauncher: the run template must be labelled ${RUN_LABEL}: ${RUN_ID_PLACEHOLDER}`);
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name: RUN_ID_PLACEHOLDER, uid: RUN_OWNER_UID_PLACEHOLDER };
  return { ...run, metadata: { ...run.metadata, ownerReferences: [...(run.metadata.ownerReferences ?? []), owner] } };
}
