import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';

/** The CloudWatch namespace the CloudWatch agent writes inference (Prometheus) metrics to. */
export const INFERENCE_NAMESPACE = 'AIPlatform/Inference';
/** HTTP requests by status class (`2xx`, `4xx`, `5xx`), from the OpenAI-compatible server. */
export const REQUESTS_METRIC = 'http_requests_total';
/** vLLM's waiting requests (queue depth). */
export const QUEUE_METRIC = 'vllm:num_requests_waiting';

const FIVE_MINUTES = Duration.minutes(5);

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

  /** GPUs on running nodes (0 when every GPU pool is at zero). */
  public gpusAvailable(): cw.Metric {
    return this.insights('node_gpu_limit', 'Sum').with({ label: 'GPUs running' });
  }

  /**
   * GPU utilisation of one pool's nodes: a search over the pool's instance types (pools sharing an instance
   * type share this line). For dashboards; alarms use the cluster metrics.
   */
  public poolGpuUtilization(poolName: string, instanceTypes: string[]): cw.MathExpression {
    const types = instanceTypes.map((t) => `"${t}"`).join(' OR ');
    return new cw.MathExpression({
      expression: `AVG(SEARCH('{ContainerInsights,ClusterName,InstanceType} MetricName="node_gpu_utilization" ClusterName="${this.clusterName}" InstanceType=(${types})', 'Average', 300))`,
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

  public pendingPods(): cw.Metric {
    return this.insights('pod_status_pending', 'Maximum').with({ label: 'pending pods' });
  }

  public failedPods(): cw.Metric {
    return this.insights('pod_status_failed', 'Maximum').with({ label: 'failed pods' });
  }

  private inference(metricName: string, namespace: string, service: string, statistic: string, extra: Record<string, string> = {}): cw.Metric {
    return new cw.Metric({
      namespace: INFERENCE_NAMESPACE, metricName, statistic, period: FIVE_MINUTES,
      dimensionsMap: { ClusterName: this.clusterName, namespace, app: service, ...extra },
    });
  }

  /** Requests of a service in a status class per period. */
  public requests(namespace: string, service: string, status: '2xx' | '4xx' | '5xx'): cw.Metric {
    return this.inference(REQUESTS_METRIC, namespace, service, 'Sum', { status }).with({ label: `${service} ${status}` });
  }

  /** Share of a service's requests that failed with 5xx, in percent. */
  public errorRate(namespace: string, service: string): cw.MathExpression {
    return new cw.MathExpression({
      expression: '100 * e / MAX([ok + client + e, 1])',
      usingMetrics: {
        ok: this.requests(namespace, service, '2xx'),
        client: this.requests(namespace, service, '4xx'),
        e: this.requests(namespace, service, '5xx'),
      },
      label: `${service} 5xx %`,
      period: FIVE_MINUTES,
    });
  }

  /** Requests waiting in a service's queues (summed over replicas). */
  public queueDepth(namespace: string, service: string): cw.Metric {
    return this.inference(QUEUE_METRIC, namespace, service, 'Maximum').with({ label: `${service} queued` });
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
