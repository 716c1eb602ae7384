import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { HELM_CHARTS } from '../catalog/versions';
import { kubernetesVersionEntry } from '../core/kubernetes-version';
import { PodIdentityRole } from '../core/pod-identity-role';
import { POOL_LABEL } from '../core/labels';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { acknowledgeIamFindings } from '../core/acknowledge';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import type { RegistryMirror } from '../core/registry-mirror';

/** Props of {@link ClusterAutoscaler}. */
export interface ClusterAutoscalerProps {
  readonly cluster: eks.ICluster;
  /**
   * Install the chart and its images from this mirror (it becomes the cluster's mirror for every chart).
   * @default - the mirror set on the cluster (RegistryMirror.useFor), else the chart's public source
   */
  readonly mirror?: RegistryMirror;
  /** The cluster's Kubernetes version: picks the autoscaler image of the same minor version. */
  readonly kubernetesVersion: string;
}

/**
 * Cluster Autoscaler for managed node groups, from its pinned Helm chart. It discovers node groups by the
 * tags EKS puts on their ASGs, reads empty groups' node templates from the tags `GpuNodePool` writes, and
 * may change the size of (or terminate instances in) this cluster's groups only.
 */
export class ClusterAutoscaler extends Construct {
  public readonly role: iam.Role;
  public readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const { cluster } = props;
    const version = kubernetesVersionEntry(props.kubernetesVersion, 'ClusterAutoscaler', this);
    const spec = HELM_CHARTS.clusterAutoscaler;
    const serviceAccount = 'cluster-autoscaler';

    const identity = new PodIdentityRole(this, 'Identity', {
      cluster,
      namespace: spec.namespace,
      serviceAccount,
      description: 'Cluster Autoscaler',
    });
    this.role = identity.role;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'Discover',
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeAutoScalingInstances',
          'autoscaling:DescribeLaunchConfigurations',
          'autoscaling:DescribeScalingActivities',
          'autoscaling:DescribeTags',
          'ec2:DescribeImages',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplateVersions',
          'ec2:GetInstanceTypesFromInstanceRequirements',
          'eks:DescribeNodegroup',
        ],
        resources: ['*'],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ScaleOwnGroups',
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': cluster.clusterName } },
      }),
    );
    acknowledgeIamFindings(this, {
      wildcards:
        'Describe calls take no resource; scaling is limited to ASGs tagged eks:cluster-name of this cluster (ASG ARNs embed generated IDs)',
    });

    this.chart = pinnedHelmChart(this, 'Chart', cluster, spec, {
      mirror: props.mirror,
      values: {
        autoDiscovery: { clusterName: cluster.clusterName },
        awsRegion: Stack.of(this).region,
        cloudProvider: 'aws',
        image: { tag: version.clusterAutoscalerImageTag },
        rbac: { serviceAccount: { create: true, name: serviceAccount } },
        nodeSelector: { [POOL_LABEL]: SYSTEM_POOL_NAME },
        priorityClassName: 'system-cluster-critical',
        extraArgs: {
          'balance-similar-node-groups': true,
          'skip-nodes-with-local-storage': false,
          expander: 'least-waste',
          'scale-down-unneeded-time': '10m',
          'scale-down-delay-after-add': '10m',
        },
      },
    });
    this.chart.node.addDependency(identity.association);
  }
}
