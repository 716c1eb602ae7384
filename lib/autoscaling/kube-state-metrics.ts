import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Construct } from 'constructs';
import { deepFreeze } from '../catalog/deep-freeze';
import { HELM_CHARTS } from '../catalog/versions';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { POOL_LABEL } from '../core/labels';
import { pinnedHelmChart } from '../core/pinned-helm-chart';

/** The release's name: its pods' `app.kubernetes.io/name` and its Deployment are named after it (chart _helpers.tpl). */
export const KUBE_STATE_METRICS_RELEASE = 'kube-state-metrics';
/** The port its metrics are served on (values.yaml at kube-state-metrics-8.4.0: service.port 8080, container port `http`). */
export const KUBE_STATE_METRICS_PORT = 8080;

/**
 * Only the Job and CronJob collectors: the run rules and rows read nothing else, and each collector adds a
 * list/watch rule to the ClusterRole and a watch to the API server (templates/role.yaml renders one rule per
 * collector in `collectors`).
 */
export const KUBE_STATE_METRICS_COLLECTORS = deepFreeze(['cronjobs', 'jobs']);

/**
 * kube-state-metrics from its pinned chart, on the system nodes, watching only Jobs and CronJobs. The chart's
 * defaults already meet Pod Security `restricted` (values.yaml: runAsNonRoot, user 65534, seccomp RuntimeDefault,
 * no privilege escalation, all capabilities dropped, read-only root file system). The scraper finds its pod by
 * label; the Service's `prometheus.io/scrape` annotation (`prometheusScrape`) is off so nothing else scrapes it.
 */
export function installKubeStateMetrics(scope: Construct, id: string, cluster: eks.ICluster): eks.HelmChart {
  return pinnedHelmChart(scope, id, cluster, HELM_CHARTS.kubeStateMetrics, {
    release: KUBE_STATE_METRICS_RELEASE,
    values: {
      collectors: [...KUBE_STATE_METRICS_COLLECTORS],
      nodeSelector: { [POOL_LABEL]: SYSTEM_POOL_NAME },
      prometheusScrape: false,
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    },
  });
}
