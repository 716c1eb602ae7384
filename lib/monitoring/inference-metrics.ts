import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import {
  FIVE_MINUTES,
  INFERENCE_NAMESPACE,
  INFERENCE_SCRAPE_INTERVAL_SECONDS,
  QUEUE_METRIC,
  REQUESTS_METRIC,
  insights,
  perPublication,
} from './private/metric-helpers';

/**
 * Metric factory of the inference services: requests and queues the CloudWatch agent scrapes from their
 * Prometheus endpoints (`AIPlatform/Inference`), and replicas from Container Insights. Pure.
 */
export class InferenceMetricFactory {
  constructor(private readonly clusterName: string) {}

  private inference(
    metricName: string,
    namespace: string,
    service: string,
    statistic: string,
    extra: Record<string, string> = {},
  ): cw.Metric {
    return new cw.Metric({
      namespace: INFERENCE_NAMESPACE,
      metricName,
      statistic,
      period: FIVE_MINUTES,
      dimensionsMap: { ClusterName: this.clusterName, namespace, app: service, ...extra },
    });
  }

  /**
   * Requests of a service in a status class per period. The agent turns a Prometheus counter into the delta
   * since its last scrape (amazon-cloudwatch-agent, plugins/inputs/prometheus/calculator.go), so the Sum over a
   * period is the requests in it, when one agent scrapes each pod (`ContainerInsights`: target allocator).
   */
  public requests(namespace: string, service: string, status: '2xx' | '4xx' | '5xx'): cw.Metric {
    return this.inference(REQUESTS_METRIC, namespace, service, 'Sum', { status }).with({
      label: `${service} ${status}`,
    });
  }

  /** Requests of a service in a status class per minute, whatever period a dashboard shows. */
  public requestsPerMinute(namespace: string, service: string, status: '2xx' | '4xx' | '5xx'): cw.MathExpression {
    return perPublication(this.requests(namespace, service, status), 60, `${service} ${status} / min`);
  }

  /**
   * Share of a service's requests that failed with 5xx, in percent: a ratio of Sums over the same period, so it
   * holds at any period. A period without requests divides by zero, and metric math drops that data point
   * (CloudWatch user guide, "Metric math syntax and functions": basic arithmetic); missing terms count as 0.
   */
  public errorRate(namespace: string, service: string): cw.MathExpression {
    return new cw.MathExpression({
      expression: '100 * e / (ok + client + e)',
      usingMetrics: {
        ok: this.requests(namespace, service, '2xx'),
        client: this.requests(namespace, service, '4xx'),
        e: this.requests(namespace, service, '5xx'),
      },
      label: `${service} 5xx %`,
      period: FIVE_MINUTES,
    });
  }

  /**
   * Requests waiting in a service's queues, summed over its replicas (a gauge each replica reports at every
   * scrape), averaged over the period.
   */
  public queueDepth(namespace: string, service: string): cw.MathExpression {
    return perPublication(
      this.inference(QUEUE_METRIC, namespace, service, 'Sum'),
      INFERENCE_SCRAPE_INTERVAL_SECONDS,
      `${service} waiting (all replicas)`,
    );
  }

  /** Running replicas of a service (Container Insights). */
  public replicas(namespace: string, service: string): cw.Metric {
    return insights(this.clusterName, 'service_number_of_running_pods', 'Average', {
      Namespace: namespace,
      Service: service,
    }).with({ label: `${service} replicas` });
  }
}
