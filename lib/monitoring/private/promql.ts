import { QUEUE_METRIC, REQUESTS_METRIC } from './metric-helpers';

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
