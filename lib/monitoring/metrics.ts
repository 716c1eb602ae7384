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

const FIVE_MINUTES = Duration.minutes(5);

/**
 * A count from a metric that every source publishes once per `intervalSeconds` (one data point per node, pod or
 * scrape target): its Sum over any period, divided by the publications one source makes in that period
 * (`PERIOD(m)` is the period in seconds: CloudWatch user guide, "Metric math syntax and functions"). A bare Sum
 * over 5 minutes counts every source five times (at 60 s); Maximum or Average give one source's value, not a
 * count. Dashboards widen the period on long time ranges, and the result stays a count.
 */
function perPublication(sum: cw.Metric, intervalSeconds: number, label: string): cw.MathExpression {
  // An id of its own per metric: a graph may hold several of these, and metric ids are unique in a graph.
  const id = `m${createHash('sha256').update(JSON.stringify([sum.namespace, sum.metricName, sum.dimensions])).digest('hex').slice(0, 8)}`;
  return new cw.MathExpression({ expression: `${id} / (PERIOD(${id}) / ${intervalSeconds})`, usingMetrics: { [id]: sum }, label, period: FIVE_MINUTES });
}

/**
 * Metric factories for an AI platform: pure functions that build CloudWatch `Metric`s and expressions
 * and create no resources. Dashboards and alarms are assembled from them.
 */
export class AiPlatformMetrics {
  constructor(private readonly clusterName: string) {}

  private insights(metricName: string, statistic: string, dimensionsMap: Record<string, string> = {}): cw.Metric {
    return new cw.Metric({
      namespace: 'ContainerInsights', metricName, statistic, period: FIVE_MINUTES,
      dimensionsMap: { ClusterName: this.clusterName, ...dimensionsMap },
    });
  }

  /** Average GPU utilisation (%) over the cluster's GPUs (Container Insights, DCGM). */
  public gpuUtilization(): cw.Metric {
    return this.insights('node_gpu_utilization', 'Average', {}).with({ label: 'GPU utilisation %' });
  }

  /** Highest GPU memory utilisation (%) of any GPU. */
  public gpuMemoryUtilization(): cw.Metric {
    return this.insights('node_gpu_memory_utilization', 'Maximum').with({ label: 'GPU memory %' });
  }

  /**
   * GPUs on running nodes (0 when every GPU pool is at zero): `node_gpu_limit` is one data point per node and
   * minute under the `ClusterName` dimension (amazon-cloudwatch-agent, awsemf/kubernetes.go
   * getNodeMetricDeclarations), so the cluster's GPUs are its Sum per collection interval.
   */
  public gpusAvailable(): cw.MathExpression {
    return perPublication(this.insights('node_gpu_limit', 'Sum'), CONTAINER_INSIGHTS_INTERVAL_SECONDS, 'GPUs running');
  }

  /** Nodes of the cluster (one data point a minute from the agent that holds the cluster-level lease). */
  public clusterNodes(): cw.Metric {
    return this.insights('cluster_node_count', 'Maximum').with({ label: 'nodes (cluster)' });
  }

  /**
   * GPU utilisation of one pool's nodes: a search over the pool's instance types (pools sharing an instance
   * type share this line), averaged over their GPUs. For dashboards; alarms use the cluster metrics.
   * `InstanceType` is only in the per-GPU dimension set of `node_gpu_utilization` (ClusterName, NodeName,
   * InstanceId, InstanceType, GpuDevice: amazon-cloudwatch-agent, awsemf/kubernetes.go getGPUMetricDeclarations),
   * and a SEARCH schema names a metric's whole dimension set.
   */
  public poolGpuUtilization(poolName: string, instanceTypes: string[]): cw.MathExpression {
    const types = instanceTypes.map((t) => `"${t}"`).join(' OR ');
    return new cw.MathExpression({
      expression: `AVG(SEARCH('{ContainerInsights,ClusterName,GpuDevice,InstanceId,InstanceType,NodeName} MetricName="node_gpu_utilization" ClusterName="${this.clusterName}" InstanceType=(${types})', 'Average', 300))`,
      label: `${poolName} GPU %`,
      period: FIVE_MINUTES,
    });
  }

  /**
   * In-service nodes of a managed node group pool (Auto Scaling group metrics), found by the node group's
   * name: EKS names a node group's ASG `eks-<nodegroupName>-<uuid>`, so a SEARCH on that name needs no
   * deploy-time ASG name (and no cross-stack reference that would block removing the pool). The term is
   * unquoted: a quoted term matches only a whole name, an unquoted one matches consecutive tokens of it
   * (CloudWatch user guide, "CloudWatch search expression syntax": exact and partial matches, non-alphanumeric
   * characters), and the node group name ends in the pool's digest, so no other pool's ASG shares the prefix.
   */
  public poolNodes(poolName: string, nodegroupName: string): cw.MathExpression {
    return new cw.MathExpression({
      expression: `SUM(SEARCH('{AWS/AutoScaling,AutoScalingGroupName} MetricName="GroupInServiceInstances" AutoScalingGroupName=eks-${nodegroupName}', 'Maximum', 300))`,
      label: `${poolName} nodes`,
      period: FIVE_MINUTES,
    });
  }

  public failedNodes(): cw.Metric {
    return this.insights('cluster_failed_node_count', 'Maximum').with({ label: 'failed nodes' });
  }

  /**
   * Pods pending: `pod_status_pending` is 1 or 0 per pod and minute (pending pods without a node come from the
   * agent holding the cluster lease: opentelemetry-collector-contrib (amazon-contributing), awscontainerinsight
   * receiver, k8sapiserver getPendingPodStatusMetrics), so the count is its Sum per collection interval.
   */
  public pendingPods(): cw.MathExpression {
    return perPublication(this.insights('pod_status_pending', 'Sum'), CONTAINER_INSIGHTS_INTERVAL_SECONDS, 'pending pods');
  }

  /** Pods failed, counted as {@link pendingPods} is. */
  public failedPods(): cw.MathExpression {
    return perPublication(this.insights('pod_status_failed', 'Sum'), CONTAINER_INSIGHTS_INTERVAL_SECONDS, 'failed pods');
  }

  private inference(metricName: string, namespace: string, service: string, statistic: string, extra: Record<string, string> = {}): cw.Metric {
    return new cw.Metric({
      namespace: INFERENCE_NAMESPACE, metricName, statistic, period: FIVE_MINUTES,
      dimensionsMap: { ClusterName: this.clusterName, namespace, app: service, ...extra },
    });
  }

  /**
   * Requests of a service in a status class per period. The agent turns a Prometheus counter into the delta
   * since its last scrape (amazon-cloudwatch-agent, plugins/inputs/prometheus/calculator.go), so the Sum over a
   * period is the requests in it, when one agent scrapes each pod (`ContainerInsights`: target allocator).
   */
  public requests(namespace: string, service: string, status: '2xx' | '4xx' | '5xx'): cw.Metric {
    return this.inference(REQUESTS_METRIC, namespace, service, 'Sum', { status }).with({ label: `${service} ${status}` });
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
    return perPublication(this.inference(QUEUE_METRIC, namespace, service, 'Sum'), INFERENCE_SCRAPE_INTERVAL_SECONDS, `${service} waiting (all replicas)`);
  }

  /** Running replicas of a service (Container Insights). */
  public replicas(namespace: string, service: string): cw.Metric {
    return this.insights('service_number_of_running_pods', 'Average', { Namespace: namespace, Service: service }).with({ label: `${service} replicas` });
  }

  /** Bytes stored in a bucket (daily). */
  public bucketSize(label: string, bucketName: string): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/S3', metricName: 'BucketSizeBytes', statistic: 'Average', period: Duration.days(1),
      dimensionsMap: { BucketName: bucketName, StorageType: 'StandardStorage' }, label,
    });
  }

  /** Server errors of a bucket (request metrics filter `EntireBucket`). */
  public bucketServerErrors(label: string, bucketName: string): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/S3', metricName: '5xxErrors', statistic: 'Sum', period: FIVE_MINUTES,
      dimensionsMap: { BucketName: bucketName, FilterId: 'EntireBucket' }, label,
    });
  }

  /** Month-to-date estimated charges of the account (published in us-east-1 only). */
  public estimatedCharges(): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/Billing', metricName: 'EstimatedCharges', statistic: 'Maximum', period: Duration.hours(6),
      dimensionsMap: { Currency: 'USD' }, region: 'us-east-1', label: 'estimated charges (USD, month to date)',
    });
  }

  /**
   * A data pipeline's state machine metric (AWS/States, dimension StateMachineArn; Step Functions developer
   * guide, "Monitoring Step Functions metrics"): e.g. `ExecutionsStarted`, `ExecutionsFailed`, `ExecutionTime`.
   */
  public pipelineRuns(metricName: string, pipeline: string, stateMachineArn: string, statistic: string = 'Sum'): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/States', metricName, dimensionsMap: { StateMachineArn: stateMachineArn }, statistic, period: Duration.hours(1), label: pipeline,
    });
  }
}
