import { Fn, Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { annotatedPodsScrapeJob } from '../private/scrape-jobs';
import { deliverChart } from '../workloads/deliver';
import type { PrometheusSource } from '../workloads/inference-service';

/** Props of {@link ManagedPrometheus}. */
export interface ManagedPrometheusProps {
  readonly cluster: eks.ICluster;
  /** Subnets the scraper reaches the cluster from (the node subnets). */
  readonly subnets: ec2.ISubnet[];
  /** A cdk8s app to add the scraper's RBAC chart to. */
  readonly k8sApp: cdk8s.App;
  /** @default '30s' */
  readonly scrapeInterval?: string;
}

/** The Kubernetes user name the managed scraper authenticates as. */
const SCRAPER_USER = 'aps-collector-user';

/**
 * Prometheus metrics of the cluster in Amazon Managed Service for Prometheus, collected by an AWS managed
 * scraper (no Prometheus server to run): pods annotated `prometheus.io/scrape` (the inference services)
 * and the DCGM exporter's GPU metrics. KEDA queries it to scale inference; the monitoring stack reads it.
 */
export class ManagedPrometheus extends Construct {
  public readonly workspace: aps.CfnWorkspace;
  public readonly scraper: aps.CfnScraper;
  /** Read-only RBAC for the scraper's Kubernetes user. */
  public readonly rbacChart: cdk8s.Chart;

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    super(scope, id);
    const { cluster } = props;
    // Encrypted at rest with an AWS-owned key: managed scrapers do not write to workspaces with a
    // customer-managed key. Metrics hold no customer data.
    this.workspace = new aps.CfnWorkspace(this, 'Workspace', { alias: `${Stack.of(this).stackName}-metrics` });
    this.scraper = new aps.CfnScraper(this, 'Scraper', {
      alias: `${Stack.of(this).stackName}-scraper`,
      source: {
        eksConfiguration: {
          clusterArn: cluster.clusterArn,
          subnetIds: props.subnets.map((s) => s.subnetId),
          securityGroupIds: [cluster.clusterSecurityGroupId],
        },
      },
      destination: { ampConfiguration: { workspaceArn: this.workspace.attrArn } },
      scrapeConfiguration: { configurationBlob: scrapeConfiguration(props.scrapeInterval ?? '30s') },
    });

    // The scraper's service-linked role reads the Kubernetes API as a read-only user.
    const access = new eks.CfnAccessEntry(this, 'ScraperAccess', {
      clusterName: cluster.clusterName,
      principalArn: this.scraper.attrRoleArn,
      username: SCRAPER_USER,
      type: 'STANDARD',
    });
    this.rbacChart = new ScraperRbac(props.k8sApp, 'prometheus-scraper-rbac');
    deliverChart(cluster, 'PrometheusScraperRbac', this.rbacChart).node.addDependency(access);
  }

  /** Where KEDA and dashboards query the workspace. */
  public get source(): PrometheusSource {
    return { serverAddress: this.workspace.attrPrometheusEndpoint, awsRegion: Stack.of(this).region };
  }
}

/** What the managed scraper collects. */
export function scrapeConfiguration(interval: string): string {
  const podJob = annotatedPodsScrapeJob('annotated-pods');
  const dcgmJob = {
    job_name: 'dcgm-exporter',
    // Keep the exporter's namespace/pod labels: they name the pod using the GPU.
    honor_labels: true,
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], action: 'keep', regex: 'dcgm-exporter' },
      { source_labels: ['__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: '9400' },
    ],
  };
  return Fn.base64(stringify({ global: { scrape_interval: interval }, scrape_configs: [podJob, dcgmJob] }));
}

/** Read-only access for the scraper's user: discovery of pods and nodes, and their metrics. */
class ScraperRbac extends cdk8s.Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
    new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: 'aps-collector-role' },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'nodes/proxy', 'nodes/metrics', 'services', 'endpoints', 'pods', 'ingresses', 'configmaps'], verbs: ['describe', 'get', 'list', 'watch'] },
        { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses/status', 'ingresses'], verbs: ['describe', 'get', 'list', 'watch'] },
        { apiGroups: ['metrics.eks.amazonaws.com'], resources: ['kcm/metrics', 'ksh/metrics'], verbs: ['get'] },
        { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name: 'aps-collector-user-role-binding' },
      subjects: [{ kind: 'User', name: SCRAPER_USER, apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'ClusterRole', name: 'aps-collector-role', apiGroup: 'rbac.authorization.k8s.io' },
    });
  }
}
