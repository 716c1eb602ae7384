import { stringify } from 'yaml';
import { deepFreeze } from '../catalog/deep-freeze';

/**
 * A job whose runs are started by a Kubernetes CronJob (the platform's training and optimization jobs): each run
 * is a Job the CronJob owns, and a failed run is a failed Job. Watched through kube-state-metrics.
 */
export interface RunObjective {
  /** The CronJob's name (the job's name). */
  readonly name: string;
  readonly namespace: string;
  /**
   * Whether runs start on a schedule. A scheduled job also alerts when a run did not start; a manual one (a
   * suspended CronJob, runs started with `kubectl create job --from=cronjob/<name>`) only when a run fails.
   */
  readonly scheduled: boolean;
}

/**
 * The kube-state-metrics series the rules and dashboard rows read, as kubernetes/kube-state-metrics v2.20.0 names
 * them (internal/store/job.go: labels `namespace`, `job_name`; internal/store/cronjob.go: `namespace`, `cronjob`).
 */
export const RUN_METRICS = deepFreeze({
  jobFailed: 'kube_job_failed',
  jobComplete: 'kube_job_complete',
  jobActive: 'kube_job_status_active',
  jobOwner: 'kube_job_owner',
  nextSchedule: 'kube_cronjob_next_schedule_time',
  startingDeadline: 'kube_cronjob_spec_starting_deadline_seconds',
  suspended: 'kube_cronjob_spec_suspend',
  lastSuccess: 'kube_cronjob_status_last_successful_time',
} as const);

/** The run alerts: a failed run, a scheduled start missed. The alert manager sends each once (no "resolved"). */
export const RUN_ALERTS = deepFreeze({ failed: 'JobRunFailed', missed: 'JobRunMissed' } as const);

/** The alert rule group of runs, in the workspace's rule groups namespace of the same name. */
export const RUN_RULE_GROUP = 'job-runs';

/** How long the failed-run alert stays firing after a failed Job first shows up (one notification per run). */
const FAILED_RUN_WINDOW = '10m';

/** Selectors of one job's series. */
export class RunSelectors {
  public static cronJob(o: RunObjective): string {
    return `{namespace="${o.namespace}",cronjob="${o.name}"}`;
  }

  /**
   * The Jobs the CronJob owns, scheduled or started by hand: `kubectl create job --from=cronjob/<name>` sets an
   * owner reference to the CronJob without `controller: true` (kubectl pkg/cmd/create/create_job.go,
   * createJobFromCronJob), which kube-state-metrics reports as `owner_is_controller="false"`, so it is not matched on.
   */
  public static ownedJobs(o: RunObjective): string {
    return `${RUN_METRICS.jobOwner}{namespace="${o.namespace}",owner_kind="CronJob",owner_name="${o.name}"}`;
  }

  /** A Job's condition of this type holds (kube-state-metrics emits condition="true"|"false"|"unknown", value 1 for the one that holds). */
  public static condition(o: RunObjective, metric: string): string {
    return `(${metric}{namespace="${o.namespace}",condition="true"} == 1)`;
  }
}

/**
 * A run failed: a Job of the CronJob has its Failed condition, and had none `FAILED_RUN_WINDOW` earlier. A failed
 * Job stays in the CronJob's history (failedJobsHistoryLimit), and a manual run's Job, which the CronJob controller
 * neither reconciles nor cleans up (it keeps only Jobs whose controller reference names it: kubernetes
 * pkg/controller/cronjob/cronjob_controllerv2.go getJobsToBeReconciled), stays until deleted: alerting on the condition alone would fire as long as it is
 * there. Alerting on the failure's first hour of samples ("failed now, not failed anywhere in the hour before the
 * window") fires once per run and resolves after the window; a gap in the series over an hour (kube-state-metrics
 * or the scraper down that long) would let a still-listed failure alert once more.
 */
export function failedRunExpression(o: RunObjective): string {
  const failed = RunSelectors.condition(o, RUN_METRICS.jobFailed);
  const earlier = `(max_over_time(${RUN_METRICS.jobFailed}{namespace="${o.namespace}",condition="true"}[1h] offset ${FAILED_RUN_WINDOW}) == 1)`;
  return `(${failed} and on (namespace, job_name) ${RunSelectors.ownedJobs(o)}) unless on (namespace, job_name) ${earlier}`;
}

/** How long the missed-run alert fires after a start's deadline passed (one notification per missed start). */
const MISSED_RUN_WINDOW_SECONDS = 3600;

/**
 * A scheduled run did not start: the CronJob's next schedule time lies further in the past than its starting
 * deadline, by less than {@link MISSED_RUN_WINDOW_SECONDS}, while it is not suspended. kube-state-metrics computes
 * the next schedule time from the last schedule time (or the creation time) in the CronJob's `spec.timeZone`
 * (v2.20.0 internal/store/cronjob.go getNextScheduledTime and parseSchedule, `CRON_TZ=<timeZone>`; named zones
 * resolve from v2.20.0, which embeds tzdata: CHANGELOG #3022), and the CronJob controller leaves
 * `status.lastScheduleTime` unchanged when it skips a start, past the deadline ("Missed starting window") or while a
 * run is still active under concurrencyPolicy Forbid (kubernetes pkg/controller/cronjob/cronjob_controllerv2.go
 * syncCronJob), so the time stays in the past until a run starts. Unbounded, that would fire until the next start
 * (a week for a weekly job), and also right after a schedule change or after a manual job gains a schedule, when the
 * next time computed from an old last schedule (or the creation) lies long past: the window keeps a real miss to
 * one alert and those to none, unless the change lands within the hour after the deadline of a start it moved.
 * A CronJob without a starting deadline starts late instead of missing: no series, no alert.
 */
export function missedRunExpression(o: RunObjective): string {
  const s = RunSelectors.cronJob(o);
  const late = `(time() - ${RUN_METRICS.nextSchedule}${s})`;
  return (
    `(${late} > on (namespace, cronjob) ${RUN_METRICS.startingDeadline}${s})` +
    ` and on (namespace, cronjob) (${late} < on (namespace, cronjob) (${RUN_METRICS.startingDeadline}${s} + ${MISSED_RUN_WINDOW_SECONDS}))` +
    ` and on (namespace, cronjob) (${RUN_METRICS.suspended}${s} == 0)`
  );
}

/**
 * The alert rules of runs: per job, a failed run (every job) and a scheduled run that did not start (scheduled
 * jobs). Labels `namespace` and `app` (the job's name) group notifications as the inference rules do.
 */
export function runRules(objectives: RunObjective[]): string {
  const labels = (o: RunObjective) => ({ severity: 'warning', namespace: o.namespace, app: o.name, cronjob: o.name });
  return stringify({
    groups: [
      {
        name: RUN_RULE_GROUP,
        rules: objectives.flatMap((o) => [
          {
            alert: RUN_ALERTS.failed,
            expr: failedRunExpression(o),
            labels: labels(o),
            annotations: {
              summary: `Run {{ $labels.job_name }} of ${o.name} failed`,
              description: `kubectl -n ${o.namespace} logs job/{{ $labels.job_name }}; kubectl -n ${o.namespace} get cronjob,jobs`,
            },
          },
          ...(o.scheduled
            ? [
                {
                  alert: RUN_ALERTS.missed,
                  expr: missedRunExpression(o),
                  labels: labels(o),
                  annotations: {
                    summary: `A scheduled run of ${o.name} did not start within its starting deadline`,
                    description: `A run still active blocks the next (concurrencyPolicy Forbid); else see kubectl -n ${o.namespace} describe cronjob/${o.name}`,
                  },
                },
              ]
            : []),
        ]),
      },
    ],
  });
}
