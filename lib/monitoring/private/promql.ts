import { QUEUE_METRIC, REQUESTS_METRIC } from './metric-helpers';
import { RUN_METRICS as M, RunSelectors as S, type RunObjective } from '../run-rules';

/**
 * The inference metrics as Amazon Managed Service for Prometheus holds them: the managed scraper runs the same
 * scrape job as the CloudWatch agent (`annotatedPodsScrapeJob`: labels `namespace`, `pod`, `app`), so the series
 * are the ones the CloudWatch metrics of InferenceMetricFactory are built from.
 */
export class InferencePromQL {
  private static selector(namespace: string, service: string, extra = ''): string {
    return `{namespace="${namespace}",app="${service}"${extra}}`;
  }

  /** Requests per minute in a status class (rate() is per second: Prometheus docs, "Query functions"). */
  public static requestsPerMinute(namespace: string, service: string, status: string): string {
    return `60 * sum(rate(${REQUESTS_METRIC}${InferencePromQL.selector(namespace, service, `,status="${status}"`)}[5m]))`;
  }

  /** Share of requests that failed with 5xx, in percent. */
  public static errorRate(namespace: string, service: string): string {
    const s = InferencePromQL.selector(namespace, service);
    const e = InferencePromQL.selector(namespace, service, ',status="5xx"');
    return `100 * sum(rate(${REQUESTS_METRIC}${e}[5m])) / sum(rate(${REQUESTS_METRIC}${s}[5m]))`;
  }

  /** Requests waiting, over all replicas. */
  public static queueDepth(namespace: string, service: string): string {
    return `sum(${QUEUE_METRIC}${InferencePromQL.selector(namespace, service)})`;
  }
}

/** A job's runs as kube-state-metrics reports them (the Jobs its CronJob owns, which the history limits keep). */
export class RunPromQL {
  /** Jobs of the CronJob whose condition (`kube_job_complete` or `kube_job_failed`) holds; 0 when none. */
  public static jobsWith(o: RunObjective, metric: string): string {
    return `count(${S.condition(o, metric)} and on (namespace, job_name) ${S.ownedJobs(o)}) or vector(0)`;
  }

  public static succeeded(o: RunObjective): string {
    return RunPromQL.jobsWith(o, M.jobComplete);
  }

  public static failed(o: RunObjective): string {
    return RunPromQL.jobsWith(o, M.jobFailed);
  }

  /** Runs active now (pods of its launcher Jobs running; Forbid keeps it at 0 or 1). */
  public static active(o: RunObjective): string {
    return `sum(${M.jobActive}{namespace="${o.namespace}"} and on (namespace, job_name) ${S.ownedJobs(o)}) or vector(0)`;
  }

  /** When the last run succeeded, in milliseconds (Grafana's time units take milliseconds). */
  public static lastSuccess(o: RunObjective): string {
    return `1000 * ${M.lastSuccess}${S.cronJob(o)}`;
  }

  /** When the next scheduled run is due, in milliseconds. */
  public static nextRun(o: RunObjective): string {
    return `1000 * ${M.nextSchedule}${S.cronJob(o)}`;
  }
}
