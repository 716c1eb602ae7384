import { Fn, Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { annotatedPodsScrapeJob } from '../core/scrape-jobs';
import { deliverChart } from '../cluster/deliver-chart';
import { HELM_CHARTS } from '../catalog/versions';
import type { PrometheusSource } from '../workloads/inference-service';
import { alertManagerDefinition, latencyRules, type LatencyObjective } from '../monitoring/prometheus-rules';
import { RUN_RULE_GROUP, runRules, type RunObjective } from '../monitoring/run-rules';
import { installKubeStateMetrics, KUBE_STATE_METRICS_PORT, KUBE_STATE_METRICS_RELEASE } from './kube-state-metrics';

/** Props of {@link ManagedPrometheus}. */
export interface ManagedPrometheusProps {
  readonly cluster: eks.ICluster;
  /** Subnets the scraper reaches the cluster from (the node subnets). */
  readonly subnets: ec2.ISubnet[];
  /** A cdk8s app to add the scraper's RBAC chart to. */
  readonly k8sApp: cdk8s.App;
  /** @default '30s' */
  readonly scrapeInterval?: string;
  /**
   * Latency objectives of inference services, evaluated as Prometheus alerting rules in the workspace (vLLM's
   * latency is a histogram, which only Prometheus keeps: the CloudWatch agent drops histogram metrics).
   * @default - none
   */
  readonly latencyObjectives?: LatencyObjective[];
  /**
   * Jobs whose runs a CronJob starts: installs kube-state-metrics (Jobs and CronJobs only) and scrapes it, and,
   * with `alertTopicArn`, evaluates the rule group `job-runs` (a run failed; a scheduled run did not start).
   * @default - none: no kube-state-metrics
   */
  readonly runObjectives?: RunObjective[];
  /** SNS topic the workspace's alert manager sends firing rules to (same account, standard topic). @default - no alert manager */
  readonly alertTopicArn?: string;
}

/** Where the amazon-cloudwatch-observability add-on runs its agents and DCGM exporter. */
const DCGM_NAMESPACE = 'amazon-cloudwatch';

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
  /** The latency alerting rules, when there are objectives and a topic. */
  public readonly rules?: aps.CfnRuleGroupsNamespace;
  /** The alerting rules of runs, when there are run objectives and a topic. */
  public readonly runRules?: aps.CfnRuleGroupsNamespace;
  /** kube-state-metrics, when there are run objectives. */
  public readonly kubeStateMetrics?: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    super(scope, id);
    const { cluster } = props;
    // Encrypted at rest with an AWS-owned key: managed scrapers do not write to workspaces with a
    // customer-managed key. Metrics hold no customer data.
    const objectives = props.latencyObjectives ?? [];
    const runs = props.runObjectives ?? [];
    const alerting = objectives.length + runs.length > 0 && props.alertTopicArn !== undefined;
    this.workspace = new aps.CfnWorkspace(this, 'Workspace', {
      alias: `${Stack.of(this).stackName}-metrics`,
      alertManagerDefinition: alerting
        ? alertManagerDefinition(props.alertTopicArn!, Stack.of(this).region)
        : undefined,
    });
    if (alerting && objectives.length > 0) {
      this.rules = new aps.CfnRuleGroupsNamespace(this, 'LatencyRules', {
        workspace: this.workspace.attrArn,
        name: 'inference-latency',
        data: latencyRules(objectives),
      });
    }
    if (alerting && runs.length > 0) {
      this.runRules = new aps.CfnRuleGroupsNamespace(this, 'RunRules', {
        workspace: this.workspace.attrArn,
        name: RUN_RULE_GROUP,
        data: runRules(runs),
      });
    }
    if (runs.length > 0) this.kubeStateMetrics = installKubeStateMetrics(this, 'KubeStateMetrics', cluster);
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
      // Updated in place when jobs come or go (UpdateScraper takes a new scrape configuration; only the source is fixed:
      // Amazon Managed Service for Prometheus API reference, UpdateScraper).
      scrapeConfiguration: {
        configurationBlob: scrapeConfiguration(props.scrapeInterval ?? '30s', { kubeStateMetrics: runs.length > 0 }),
      },
    });

    // The scraper's service-linked role reads the Kubernetes API as the user `aps-collector-user`. AMP creates
    // that access entry itself for clusters in API authentication mode, so the library must not declare one
    // (Amazon Managed Service for Prometheus user guide, "Configuring your Amazon EKS cluster": "If your
    // cluster uses API authentication mode, the access entry is created for you"); it only binds the user.
    this.rbacChart = new ScraperRbac(props.k8sApp, 'prometheus-scraper-rbac');
    deliverChart(cluster, 'PrometheusScraperRbac', this.rbacChart).node.addDependency(this.scraper);
  }

  /**
   * Where KEDA and dashboards query the workspace: `https://aps-workspaces.<region>.<suffix>/workspaces/<id>`,
   * without the trailing `/` of the workspace's PrometheusEndpoint attribute, because KEDA appends
   * `/api/v1/query` to serverAddress (kedacore/keda pkg/scalers/prometheus_scaler.go, ExecutePromQuery).
   */
  public get source(): PrometheusSource {
    const stack = Stack.of(this);
    return {
      serverAddress: `https://aps-workspaces.${stack.region}.${stack.urlSuffix}/workspaces/${this.workspace.attrWorkspaceId}`,
      awsRegion: stack.region,
    };
  }
}

/** What the managed scraper collects: with `kubeStateMetrics`, also the kube-state-metrics release of this library. */
export function scrapeConfiguration(interval: string, options: { readonly kubeStateMetrics?: boolean } = {}): string {
  const podJob = annotatedPodsScrapeJob('annotated-pods');
  // The amazon-cloudwatch-observability add-on's DCGM exporter (aws-observability/helm-charts,
  // templates/linux/dcgm-exporter-daemonset.yaml; agent operator manifestutils/labels.go): pods labelled
  // app.kubernetes.io/name=dcgm-exporter in amazon-cloudwatch, serving HTTPS on 9400 with a certificate from
  // the chart's own CA whose SANs name only the service, so a pod scrape cannot verify it.
  const dcgmJob = {
    job_name: 'dcgm-exporter',
    scheme: 'https',
    tls_config: { insecure_skip_verify: true },
    // Keep the exporter's namespace/pod labels (DCGM_EXPORTER_KUBERNETES): they name the pod using the GPU.
    honor_labels: true,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [DCGM_NAMESPACE] } }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], action: 'keep', regex: 'dcgm-exporter' },
      { source_labels: ['__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: '9400' },
    ],
  };
  // kube-state-metrics labels each series with the object's `namespace` (and `pod`, `job_name`, `cronjob`); without
  // honor_labels a target label of the same name would win and rename them to exported_namespace (Prometheus docs,
  // Configuration, scrape_config honor_labels: "label conflicts are resolved by keeping label values from the
  // scraped data"). The job attaches no target label but `job` and `instance`, which kube-state-metrics does not emit.
  const ksmJob = {
    job_name: 'kube-state-metrics',
    honor_labels: true,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [HELM_CHARTS.kubeStateMetrics.namespace] } }],
    relabel_configs: [
      {
        source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
        action: 'keep',
        regex: KUBE_STATE_METRICS_RELEASE,
      },
      {
        source_labels: ['__meta_kubernetes_pod_container_port_number'],
        action: 'keep',
        regex: String(KUBE_STATE_METRICS_PORT),
      },
    ],
  };
  const jobs = [podJob, dcgmJob, ...(options.kubeStateMetrics ? [ksmJob] : [])];
  return Fn.base64(stringify({ global: { scrape_interval: interval }, scrape_configs: jobs }));
}

/**
 * Read-only access for the scraper's user: what its scrape configuration discovers, nothing more. The AMP user
 * guide ("Configuring your Amazon EKS cluster", clusterrole-binding.yml) grants a generic role for any
 * configuration: nodes/proxy (the kubelet API), configmaps, services, endpoints, ingresses, the control plane's
 * /metrics. Every job here discovers pods (kubernetes_sd_configs role `pod`, which lists and watches pods:
 * Prometheus docs, kubernetes_sd_config) and scrapes them at their own addresses, not through the API server, so
 * the role is the pods' get, list and watch (kube-state-metrics' job too: it finds the exporter's pod by label); a job
 * with another role must add what that role lists.
 */
class ScraperRbac extends cdk8s.Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
    new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: 'aps-collector-role' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name: 'aps-collector-user-role-binding' },
      subjects: [{ kind: 'User', name: SCRAPER_USER, apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'ClusterRole', name: 'aps-collector-role', apiGroup: 'rbac.authorization.k8s.io' },
    });
  }
}
