import { Aws, Stack } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HELM_CHARTS } from '../catalog/versions';
import { acknowledgeIamFindings } from '../core/acknowledge';
import { POOL_LABEL } from '../core/labels';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import { PodIdentityRole } from '../core/pod-identity-role';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { LOAD_BALANCER_CONTROLLER_POLICY } from './private/load-balancer-controller-policy';

/** The controller's service account, which its Pod Identity association names. */
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = 'aws-load-balancer-controller';

/** The IngressClass the chart creates (values.yaml `ingressClass: alb`, `createIngressClassResource: true`). */
export const ALB_INGRESS_CLASS = 'alb';

/**
 * The upstream policy's statements for a partition: its ARNs name `arn:aws:` (iam_policy_cn.json differs only
 * there), rendered as `arn:<partition>:` so the role works in every partition.
 */
export function loadBalancerControllerStatements(): iam.PolicyStatement[] {
  return LOAD_BALANCER_CONTROLLER_POLICY.map((s) => {
    const arns = (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map((r) =>
      r.replace(/^arn:aws:/, `arn:${Aws.PARTITION}:`),
    );
    return iam.PolicyStatement.fromJson({ ...s, Resource: arns });
  });
}

/**
 * The AWS Load Balancer Controller from its pinned chart, on the system nodes, with its own Pod Identity role
 * carrying the pinned release's IAM policy. It reads its region and VPC from values, not from the instance
 * metadata service, which the nodes close to pods (hop limit 1). The release waits for the controller: its
 * Ingress webhook (`vingress.elbv2.k8s.aws`, failurePolicy Fail) must answer before an Ingress is applied, and
 * an Ingress delivered after it is deleted before it (CloudFormation deletes in reverse dependency order), so the
 * controller is still there to remove the ALB's rules, and the ALB with the group's last Ingress.
 */
export function installLoadBalancerController(cluster: eks.ICluster, id: string): eks.HelmChart {
  const spec = HELM_CHARTS.awsLoadBalancerController;
  const identity = new PodIdentityRole(cluster, `${id}-Identity`, {
    cluster,
    namespace: spec.namespace,
    serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
    description: 'AWS Load Balancer Controller: ALBs of exposed inference services',
  });
  // As one document, statement for statement (minimize: false: the app's minimizePolicies flag would merge them).
  const policy = new iam.Policy(identity, 'Policy', {
    roles: [identity.role],
    document: new iam.PolicyDocument({ statements: loadBalancerControllerStatements(), minimize: false }),
  });
  acknowledgeIamFindings(identity, {
    wildcards:
      'The upstream policy of the pinned controller release (docs/install/iam_policy.json v3.5.0): load balancers, target groups and security groups it creates get unknown IDs; changes are limited to resources tagged elbv2.k8s.aws/cluster, discovery calls take no resource',
  });
  const chart = pinnedHelmChart(cluster, id, cluster, spec, {
    wait: true,
    values: {
      clusterName: cluster.clusterName,
      region: Stack.of(cluster).region,
      vpcId: cluster.vpc.vpcId,
      serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
      nodeSelector: { [POOL_LABEL]: SYSTEM_POOL_NAME },
      // The system nodes carry no taint (GpuCluster's system node group), so no toleration is needed.
      // The platform creates no Service of type LoadBalancer; with this webhook on (failurePolicy Fail, values.yaml
      // v0.0.242) every Service creation in the cluster would wait on the controller.
      enableServiceMutatorWebhook: false,
    },
  });
  chart.node.addDependency(identity.association, policy);
  return chart;
}
