import { Aws, CfnJson, Duration, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HELM_CHARTS } from '../catalog/versions';
import { PodIdentityRole } from '../core/pod-identity-role';
import { POOL_LABEL } from '../core/labels';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { createNodeRole } from '../core/node-role';
import { acknowledgeIamFindings } from '../core/acknowledge';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import type { RegistryMirror } from '../core/registry-mirror';

/** Props of {@link Karpenter}. */
export interface KarpenterProps {
  readonly cluster: eks.ICluster;
  /**
   * Install the chart and its images from this mirror (it becomes the cluster's mirror for every chart).
   * @default - the mirror set on the cluster (RegistryMirror.useFor), else the chart's public source
   */
  readonly mirror?: RegistryMirror;
}

/**
 * The Karpenter controller for `provisioner: karpenter` pools, from its pinned chart: a node role joined
 * to the cluster through an EC2_LINUX access entry, an encrypted interruption queue fed by EventBridge
 * (spot interruptions, rebalance, health and state changes), and a controller role limited to instances,
 * launch templates and fleets tagged for this cluster.
 */
export class Karpenter extends Construct {
  public readonly nodeRole: iam.Role;
  public readonly queue: sqs.Queue;
  public readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const { cluster } = props;
    const spec = HELM_CHARTS.karpenter;

    this.nodeRole = createNodeRole(this, 'NodeRole');
    const nodeAccess = new eks.CfnAccessEntry(this, 'NodeAccess', {
      clusterName: cluster.clusterName,
      principalArn: this.nodeRole.roleArn,
      type: 'EC2_LINUX',
    });

    this.queue = new sqs.Queue(this, 'InterruptionQueue', {
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'Interruption events are advisory and expire in 5 minutes; a dead-letter queue would only hold stale notices',
    });
    const rules: Record<string, events.EventPattern> = {
      SpotInterruption: { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] },
      Rebalance: { source: ['aws.ec2'], detailType: ['EC2 Instance Rebalance Recommendation'] },
      StateChange: { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'] },
      ScheduledChange: { source: ['aws.health'], detailType: ['AWS Health Event'] },
    };
    for (const [name, eventPattern] of Object.entries(rules)) {
      new events.Rule(this, name, { eventPattern, targets: [new targets.SqsQueue(this.queue)] });
    }

    const identity = new PodIdentityRole(this, 'Identity', {
      cluster,
      namespace: spec.namespace,
      serviceAccount: 'karpenter',
      description: 'Karpenter controller',
    });
    const role = identity.role;
    controllerPolicy(this, cluster, this.queue, this.nodeRole).forEach((statement) => role.addToPolicy(statement));
    acknowledgeIamFindings(this, {
      wildcards:
        'Karpenter launches instances whose IDs are unknown ahead; creation and termination are limited by the eks:eks-cluster-name tag of this cluster, discovery calls take no resource',
    });

    this.chart = pinnedHelmChart(this, 'Chart', cluster, spec, {
      mirror: props.mirror,
      wait: true,
      values: {
        settings: { clusterName: cluster.clusterName, interruptionQueue: this.queue.queueName },
        serviceAccount: { name: 'karpenter' },
        nodeSelector: { [POOL_LABEL]: SYSTEM_POOL_NAME },
        controller: { resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } } },
      },
    });
    this.chart.node.addDependency(identity.association, nodeAccess);
  }
}

/**
 * The controller's permissions, statement for statement as upstream publishes them for this release
 * (aws/karpenter-provider-aws website/content/en/docs/getting-started/getting-started-with-karpenter/
 * cloudformation.yaml at v1.14.1: NodeLifecycle, IAMIntegration, EKSIntegration, Interruption and
 * ResourceDiscovery policies). The zonal-shift read is left out: the chart runs without zonal shift.
 */
function controllerPolicy(
  scope: Construct,
  cluster: eks.ICluster,
  queue: sqs.IQueue,
  nodeRole: iam.IRole,
): iam.PolicyStatement[] {
  const name = cluster.clusterName;
  const arn = (service: string, resource: string, account: string = Aws.ACCOUNT_ID, region: string = Aws.REGION) =>
    `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
  // Any account, as upstream: subnets, security groups and reservations may be shared through AWS RAM.
  const ec2 = (resource: string) => arn('ec2', `${resource}/*`, '*');
  const created = ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map(
    ec2,
  );
  const instanceProfiles = arn('iam', 'instance-profile/*', Aws.ACCOUNT_ID, '');
  // Condition keys that embed the cluster name must resolve at deploy time: CfnJson renders them as keys.
  const json = (id: string, value: Record<string, unknown>) => new CfnJson(scope, id, { value });
  const clusterTag = `kubernetes.io/cluster/${name}`;
  const owned = (kind: 'RequestTag' | 'ResourceTag') => ({ [`aws:${kind}/${clusterTag}`]: 'owned' });
  const requestTags = { ...owned('RequestTag'), 'aws:RequestTag/eks:eks-cluster-name': name };
  const region = (kind: 'RequestTag' | 'ResourceTag') => ({
    [`aws:${kind}/topology.kubernetes.io/region`]: Aws.REGION,
  });
  return [
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        arn('ec2', 'image/*', ''),
        arn('ec2', 'snapshot/*', ''),
        ec2('security-group'),
        ec2('subnet'),
        ec2('capacity-reservation'),
        ec2('placement-group'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [ec2('launch-template')],
      conditions: {
        StringEquals: json('LaunchTemplateOwned', owned('ResourceTag')),
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedEC2InstanceActionsWithTags',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: created,
      conditions: {
        StringEquals: json('CreateOwned', requestTags),
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedResourceCreationTagging',
      actions: ['ec2:CreateTags'],
      resources: created,
      conditions: {
        StringEquals: json('TagOnCreate', {
          ...requestTags,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        }),
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedResourceTagging',
      actions: ['ec2:CreateTags'],
      resources: [ec2('instance')],
      conditions: {
        StringEquals: json('TagOwnedInstance', owned('ResourceTag')),
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': name },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedDeletion',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: [ec2('instance'), ec2('launch-template')],
      conditions: {
        StringEquals: json('DeleteOwned', owned('ResourceTag')),
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowPassingInstanceRole',
      actions: ['iam:PassRole'],
      resources: [nodeRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileCreationActions',
      actions: ['iam:CreateInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: json('ProfileCreate', { ...requestTags, ...region('RequestTag') }),
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileTagActions',
      actions: ['iam:TagInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: json('ProfileTag', {
          ...owned('ResourceTag'),
          ...region('ResourceTag'),
          ...requestTags,
          ...region('RequestTag'),
        }),
        StringLike: {
          'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
          'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowScopedInstanceProfileActions',
      actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: json('ProfileManage', { ...owned('ResourceTag'), ...region('ResourceTag') }),
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowAPIServerEndpointDiscovery',
      actions: ['eks:DescribeCluster'],
      resources: [cluster.clusterArn],
    }),
    new iam.PolicyStatement({
      sid: 'AllowInterruptionQueueActions',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [queue.queueArn],
    }),
    new iam.PolicyStatement({
      sid: 'AllowRegionalReadActions',
      actions: [
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribePlacementGroups',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': Aws.REGION } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowSSMReadActions',
      actions: ['ssm:GetParameter'],
      resources: [arn('ssm', 'parameter/aws/service/*', '')],
    }),
    new iam.PolicyStatement({ sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'AllowUnscopedInstanceProfileListAction',
      actions: ['iam:ListInstanceProfiles'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AllowInstanceProfileReadActions',
      actions: ['iam:GetInstanceProfile'],
      resources: [instanceProfiles],
    }),
  ];
}
