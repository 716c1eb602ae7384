import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { CONTAINER_INSIGHTS_INTERVAL_SECONDS, FIVE_MINUTES, insights, perPublication } from './private/metric-helpers';

/**
 * Metric factory of the cluster's GPUs, nodes and pods (Container Insights with accelerated compute metrics):
 * pure, it builds metrics and creates nothing.
 */
export class ClusterMetricFactory {
  constructor(private readonly clusterName: string) {}

  /** Average GPU utilisation (%) over the cluster's GPUs (Container Insights, DCGM). */
  public gpuUtilization(): cw.Metric {
    return insights(this.clusterName, 'node_gpu_utilization', 'Average', {}).with({ label: 'GPU utilisation %' });
  }

  /** Highest GPU memory utilisation (%) of any GPU. */
  public gpuMemoryUtilization(): cw.Metric {
    return insights(this.clusterName, 'node_gpu_memory_utilization', 'Maximum').with({ label: 'GPU memory %' });
  }

  /**
   * GPUs on running nodes (0 when every GPU pool is at zero): `node_gpu_limit` is one data point per node and
   * minute under the `ClusterName` dimension (amazon-cloudwatch-agent, awsemf/kubernetes.go
   * getNodeMetricDeclarations), so the cluster's GPUs are its Sum per collection interval.
   */
  public gpusAvailable(): cw.MathExpression {
    return perPublication(
      insights(this.clusterName, 'node_gpu_limit', 'Sum'),
      CONTAINER_INSIGHTS_INTERVAL_SECONDS,
      'GPUs running',
    );
  }

  /** Nodes of the cluster (one data point a minute from the agent that holds the cluster-level lease). */
  public clusterNodes(): cw.Metric {
    return insights(this.clusterName, 'cluster_node_count', 'Maximum').with({ label: 'nodes (cluster)' });
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
    return insights(this.clusterName, 'cluster_failed_node_count', 'Maximum').with({ label: 'failed nodes' });
  }

  /**
   * Pods pending: `pod_status_pending` is 1 or 0 per pod and minute (pending pods without a node come from the
   * agent holding the cluster lease: opentelemetry-collector-contrib (amazon-contributing), awscontainerinsight
   * receiver, k8sapiserver getPendingPodStatusMetrics), so the count is its Sum per collection interval.
   */
  public pendingPods(): cw.MathExpression {
    return perPublication(
      insights(this.clusterName, 'pod_status_pending', 'Sum'),
      CONTAINER_INSIGHTS_INTERVAL_SECONDS,
      'pending pods',
    );
  }

  /** Pods failed, counted as {@link pendingPods} is. */
  public failedPods(): cw.MathExpression {
    return perPublication(
      insights(this.clusterName, 'pod_status_failed', 'Sum'),
      CONTAINER_INSIGHTS_INTERVAL_SECONDS,
      'failed pods',
    );
  }
}
