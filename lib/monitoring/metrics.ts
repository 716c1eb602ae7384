import { ClusterMetricFactory } from './cluster-metrics';
import { InferenceMetricFactory } from './inference-metrics';
import { LoadBalancerMetricFactory } from './load-balancer-metrics';
import { CostMetricFactory, DataLakeMetricFactory, PipelineMetricFactory } from './service-metrics';

export {
  CONTAINER_INSIGHTS_INTERVAL_SECONDS,
  INFERENCE_NAMESPACE,
  INFERENCE_SCRAPE_INTERVAL_SECONDS,
  QUEUE_METRIC,
  REQUESTS_METRIC,
} from './private/metric-helpers';

/**
 * Metric factories for an AI platform, one per domain: pure, they build CloudWatch `Metric`s and expressions
 * and create no resources. Dashboards and alarms are assembled from them.
 */
export class AiPlatformMetrics {
  /** GPUs, nodes and pods of the cluster. */
  public readonly cluster: ClusterMetricFactory;
  /** Requests, errors, queues and replicas of inference services. */
  public readonly inference: InferenceMetricFactory;
  /** The ALBs in front of exposed inference services (dashboards only: SEARCH expressions). */
  public readonly loadBalancer = new LoadBalancerMetricFactory();
  /** The data lake's buckets. */
  public readonly dataLake = new DataLakeMetricFactory();
  /** The data pipelines' state machines. */
  public readonly pipelines = new PipelineMetricFactory();
  /** The account's cost. */
  public readonly cost = new CostMetricFactory();

  constructor(clusterName: string) {
    this.cluster = new ClusterMetricFactory(clusterName);
    this.inference = new InferenceMetricFactory(clusterName);
  }
}
