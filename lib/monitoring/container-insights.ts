import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { kubernetesVersionEntry } from '../core/kubernetes-version';
import { createPodIdentityRole } from '../core/pod-identity-role';
import { acknowledgeIamFindings } from '../core/acknowledge';
import { annotatedPodsScrapeJob } from '../core/scrape-jobs';
import {
  CONTAINER_INSIGHTS_INTERVAL_SECONDS,
  INFERENCE_NAMESPACE,
  INFERENCE_SCRAPE_INTERVAL_SECONDS,
  QUEUE_METRIC,
  REQUESTS_METRIC,
} from './metrics';

/** Props of {@link ContainerInsights}. */
export interface ContainerInsightsProps {
  readonly cluster: eks.ICluster;
  /** The cluster's name as a plain string (it names the metrics). */
  readonly clusterName: string;
  readonly kubernetesVersion: string;
}

/**
 * The `amazon-cloudwatch-observability` EKS add-on at its catalog version, with its own Pod Identity role:
 * Container Insights with enhanced observability (node, pod and service metrics), accelerated compute
 * metrics (NVIDIA DCGM, Neuron), and the inference services' Prometheus metrics (pods annotated
 * `prometheus.io/scrape`) written to CloudWatch as `AIPlatform/Inference`: request counts by status and
 * queue depth (counters and gauges; latency histograms stay in Managed Prometheus).
 */
export class ContainerInsights extends Construct {
  public readonly addon: eks.Addon;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ContainerInsightsProps) {
    super(scope, id);
    const version = kubernetesVersionEntry(props.kubernetesVersion, 'ContainerInsights', this);
    this.role = createPodIdentityRole(this, 'Role', 'CloudWatch agent (amazon-cloudwatch/cloudwatch-agent)');
    this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'));
    acknowledgeIamFindings(this.role, {
      managedPolicies:
        'CloudWatchAgentServerPolicy is the AWS-maintained policy the CloudWatch agent needs to put metrics and logs',
    });

    this.addon = new eks.Addon(this, 'Addon', {
      cluster: props.cluster,
      addonName: 'amazon-cloudwatch-observability',
      addonVersion: version.addons.cloudwatchObservability,
      configurationValues: observabilityConfiguration(props.clusterName),
    });
    const cfn = this.addon.node.defaultChild as eks.CfnAddon;
    cfn.resolveConflicts = 'OVERWRITE';
    cfn.podIdentityAssociations = [{ serviceAccount: 'cloudwatch-agent', roleArn: this.role.roleArn }];
  }
}

/**
 * The add-on's configuration: enhanced Container Insights, accelerator metrics, and inference Prometheus metrics.
 *
 * The agent runs as a DaemonSet, and each of its pods would scrape every annotated pod of the cluster (a `pod`
 * service discovery has no node filter), so every request would be counted once per node. The Prometheus target
 * allocator hands each target to one agent (consistent hashing) instead: the chart's
 * `agent.prometheus.targetAllocator.enabled` (aws-observability/helm-charts, amazon-cloudwatch-observability
 * values.yaml and templates/linux/cloudwatch-agent-custom-resource.yaml, PR 126), which the operator accepts for a
 * DaemonSet with a warning only (aws/amazon-cloudwatch-agent-operator apis/v1alpha1/collector_webhook.go; PR 253
 * "Enable Deployment and Daemonset modes", PR 261 "metric duplication due to multiple agent instances").
 * The collection and scrape intervals are pinned: the dashboard's counts divide by them (`metrics.ts`).
 */
export function observabilityConfiguration(clusterName: string): Record<string, unknown> {
  return {
    agent: {
      config: {
        logs: {
          metrics_collected: {
            kubernetes: {
              enhanced_container_insights: true,
              accelerated_compute_metrics: true,
              metrics_collection_interval: CONTAINER_INSIGHTS_INTERVAL_SECONDS,
            },
            prometheus: {
              cluster_name: clusterName,
              emf_processor: {
                metric_namespace: INFERENCE_NAMESPACE,
                metric_declaration: [
                  {
                    source_labels: ['job'],
                    label_matcher: '^inference-pods$',
                    dimensions: [
                      ['ClusterName', 'namespace', 'app'],
                      ['ClusterName', 'namespace', 'app', 'status'],
                    ],
                    // Counters and gauges only: the agent drops histograms (vLLM's latency), see MonitoredService.
                    metric_selectors: [`^${REQUESTS_METRIC}$`, `^${QUEUE_METRIC}$`],
                  },
                ],
              },
            },
          },
        },
      },
      prometheus: {
        config: {
          global: { scrape_interval: `${INFERENCE_SCRAPE_INTERVAL_SECONDS}s` },
          scrape_configs: [annotatedPodsScrapeJob('inference-pods')],
        },
        targetAllocator: { enabled: true },
      },
    },
  };
}
