import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HELM_CHARTS, type HelmChartVersion } from '../catalog/versions';
import { PodIdentityRole } from '../core/pod-identity-role';
import { POOL_LABEL } from '../core/labels';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import { installKedaHttpAddOn } from './keda-http-add-on';
import { installLoadBalancerController } from './load-balancer-controller';
import type { RegistryMirror } from '../core/registry-mirror';

/** Operators workloads may need; each is installed once per cluster, only when used. */
export enum Operator {
  KEDA = 'keda',
  KUBERAY = 'kuberay',
  JOBSET = 'jobset',
  /** AWS Load Balancer Controller: the ALBs of exposed inference services. */
  AWS_LOAD_BALANCER_CONTROLLER = 'aws-load-balancer-controller',
  /** KEDA HTTP add-on (with KEDA): holds requests of exposed services at zero replicas until one is ready. */
  KEDA_HTTP_ADD_ON = 'keda-http-add-on',
}

const SYSTEM_NODES = { nodeSelector: { [POOL_LABEL]: SYSTEM_POOL_NAME } };

/** Options of {@link ensureOperator}. */
export interface OperatorOptions {
  /** KEDA: an Amazon Managed Prometheus workspace ARN its operator may query. */
  readonly prometheusWorkspaceArn?: string;
  /**
   * Install the chart and its images from this mirror (it becomes the cluster's mirror for every chart).
   * @default - the mirror set on the cluster (RegistryMirror.useFor), else the chart's public source
   */
  readonly mirror?: RegistryMirror;
}

/** Installs an operator from its pinned chart, once per cluster; later calls return the same chart. */
export function ensureOperator(
  cluster: eks.ICluster,
  operator: Operator,
  options: OperatorOptions = {},
): eks.HelmChart {
  const id = `Operator-${operator}`;
  options.mirror?.useFor(cluster);
  const existing = cluster.node.tryFindChild(id);
  if (existing) return existing as eks.HelmChart;
  switch (operator) {
    case Operator.KEDA:
      return keda(cluster, id, options);
    case Operator.KUBERAY:
      return chart(cluster, id, HELM_CHARTS.kuberay, { ...SYSTEM_NODES, singleNamespaceInstall: false });
    case Operator.JOBSET:
      return chart(cluster, id, HELM_CHARTS.jobset, { controller: SYSTEM_NODES });
    case Operator.AWS_LOAD_BALANCER_CONTROLLER:
      return installLoadBalancerController(cluster, id);
    case Operator.KEDA_HTTP_ADD_ON:
      return installKedaHttpAddOn(cluster, id, ensureOperator(cluster, Operator.KEDA, options));
  }
}

/** Operators install their CRDs: wait for the release so custom resources apply after it. */
function chart(
  cluster: eks.ICluster,
  id: string,
  spec: HelmChartVersion,
  values: Record<string, unknown>,
): eks.HelmChart {
  return pinnedHelmChart(cluster, id, cluster, spec, { values, wait: true });
}

function keda(cluster: eks.ICluster, id: string, options: OperatorOptions): eks.HelmChart {
  const spec = HELM_CHARTS.keda;
  const helm = chart(cluster, id, spec, {
    nodeSelector: SYSTEM_NODES.nodeSelector,
    serviceAccount: { operator: { name: 'keda-operator' } },
    podIdentity: { aws: { irsa: { enabled: false } } },
  });
  if (options.prometheusWorkspaceArn) {
    // KEDA signs Prometheus queries with its operator's identity (TriggerAuthentication identityOwner: keda).
    const identity = new PodIdentityRole(cluster, `${id}-Identity`, {
      cluster,
      namespace: spec.namespace,
      serviceAccount: 'keda-operator',
      description: 'KEDA operator: query Managed Prometheus',
    });
    identity.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['aps:QueryMetrics', 'aps:GetSeries', 'aps:GetLabels', 'aps:GetMetricMetadata'],
        resources: [options.prometheusWorkspaceArn],
      }),
    );
    helm.node.addDependency(identity.association);
  }
  return helm;
}

/** Operators as a static method, for every jsii language. */
export class Operators {
  /** Installs an operator from its pinned chart, once per cluster. */
  public static ensure(cluster: eks.ICluster, operator: Operator, options?: OperatorOptions): eks.HelmChart {
    return ensureOperator(cluster, operator, options ?? {});
  }

  private constructor() {}
}
