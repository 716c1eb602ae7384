import { createHash } from 'node:crypto';
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';

/** The CloudWatch namespace the CloudWatch agent writes inference (Prometheus) metrics to. */
export const INFERENCE_NAMESPACE = 'AIPlatform/Inference';
/** HTTP requests by status class (`2xx`, `4xx`, `5xx`), from the OpenAI-compatible server. */
export const REQUESTS_METRIC = 'http_requests_total';
/** vLLM's waiting requests (queue depth). */
export const QUEUE_METRIC = 'vllm:num_requests_waiting';

/**
 * Seconds between two publications of a Container Insights node or pod metric by one agent: the agent's
 * `metrics_collection_interval` (default 60 s: amazon-cloudwatch-agent, translator/translate/otel/receiver/
 * awscontainerinsight/utils.go DefaultMetricsCollectionInterval), pinned by `ContainerInsights`.
 */
export const CONTAINER_INSIGHTS_INTERVAL_SECONDS = 60;
/** Seconds between two scrapes of an inference pod by the CloudWatch agent (Prometheus `scrape_interval`, set by `ContainerInsights`). */
export const INFERENCE_SCRAPE_INTERVAL_SECONDS = 30;

/** The period every alarm and most widgets read: alarm durations are whole multiples of it. */
export const FIVE_MINUTES = Duration.minutes(5);

/** A Container Insights metric of one cluster. */
export function insights(
  clusterName: string,
  metricName: string,
  statistic: string,
  dimensionsMap: Record<string, string> = {},
): cw.Metric {
  return new cw.Metric({
    namespace: 'ContainerInsights',
    metricName,
    statistic,
    period: FIVE_MINUTES,
    dimensionsMap: { ClusterName: clusterName, ...dimensionsMap },
  });
}

/**
 * A count from a metric that every source publishes once per `intervalSeconds` (one data point per node, pod or
 * scrape target): its Sum over any period, divided by the publications one source makes in that period
 * (`PERIOD(m)` is the period in seconds: CloudWatch user guide, "Metric math syntax and functions"). A bare Sum
 * over 5 minutes counts every source five times (at 60 s); Maximum or Average give one source's value, not a
 * count. Dashboards widen the period on long time ranges, and the result stays a count.
 */
export function perPublication(sum: cw.Metric, intervalSeconds: number, label: string): cw.MathExpression {
  // An id of its own per metric: a graph may hold several of these, and metric ids are unique in a graph.
  const id = `m${createHash('sha256')
    .update(JSON.stringify([sum.namespace, sum.metricName, sum.dimensions]))
    .digest('hex')
    .slice(0, 8)}`;
  return new cw.MathExpression({
    expression: `${id} / (PERIOD(${id}) / ${intervalSeconds})`,
    usingMetrics: { [id]: sum },
    label,
    period: FIVE_MINUTES,
  });
}
