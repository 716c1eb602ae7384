import { Arn, Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HELM_CHARTS } from '../catalog/versions';
import { PodIdentityRole } from '../cluster/pod-identity-role';
import { POOL_LABEL } from '../compute/labels';
import { createNodeRole } from '../compute/private/node-role';
import { acknowledgeIamFindings } from '../private/acknowledge';
import { pinnedHelmChart } from '../private/pinned-helm-chart';

/** Props of {@link Karpenter}. */
export interface KarpenterProps {
  readonly cluster: eks.ICluster;
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
    const stack = Stack.of(this);

    this.nodeRole = createNodeRole(this, 'NodeRole');
    const nodeAccess = new eks.CfnAccessEntry(this, 'NodeAccess', {
      clusterName: cluster.clusterName, principalArn: this.nodeRole.roleArn, type: 'EC2_LINUX',
    });

    this.queue = new sqs.Queue(this, 'InterruptionQueue', {
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'Interruption events are advisory and expire in 5 minutes; a dead-letter queue would only hold stale notices',
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
      cluster, namespace: spec.namespace, serviceAccount: 'karpenter', description: 'Karpenter controller',
    });
    const role = identity.role;
    const ec2Arn = (resource: string) => Arn.format({ service: 'ec2', resource, resourceName: '*' }, stack);
    const owned = { 'aws:RequestTag/eks:eks-cluster-name': cluster.clusterName };
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'LaunchFromSharedResources',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        `arn:${Aws.PARTITION}:ec2:${Aws.REGION}::image/*`, `arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`,
        ec2Arn('security-group'), ec2Arn('subnet'), ec2Arn('capacity-reservation'),
      ],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'CreateTaggedForThisCluster',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map(ec2Arn),
      conditions: { StringEquals: owned },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'TagOnCreate',
      actions: ['ec2:CreateTags'],
      resources: ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map(ec2Arn),
      conditions: { StringEquals: { ...owned, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] } },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ManageOwnInstances',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate', 'ec2:CreateTags'],
      resources: [ec2Arn('instance'), ec2Arn('launch-template')],
      conditions: { StringEquals: { 'aws:ResourceTag/eks:eks-cluster-name': cluster.clusterName } },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'Discover',
      actions: [
        'ec2:DescribeAvailabilityZones', 'ec2:DescribeCapacityReservations', 'ec2:DescribeImages', 'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets', 'pricing:GetProducts',
      ],
      resources: ['*'],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadAmiParameters',
      actions: ['ssm:GetParameter'],
      resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}::parameter/aws/service/*`],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'Interruptions',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [this.queue.queueArn],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'PassNodeRole',
      actions: ['iam:PassRole'],
      resources: [this.nodeRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'InstanceProfiles',
      actions: [
        'iam:CreateInstanceProfile', 'iam:TagInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile', 'iam:GetInstanceProfile', 'iam:ListInstanceProfiles',
      ],
      resources: [Arn.format({ service: 'iam', region: '', resource: 'instance-profile', resourceName: '*' }, stack)],
    }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'Cluster', actions: ['eks:DescribeCluster'], resources: [cluster.clusterArn] }));
    acknowledgeIamFindings(this, {
      wildcards: 'Karpenter launches instances whose IDs are unknown ahead; creation and termination are limited by the eks:eks-cluster-name tag of this cluster, discovery calls take no resource',
    });

    this.chart = pinnedHelmChart(this, 'Chart', cluster, spec, {
      wait: true,
      values: {
        settings: { clusterName: cluster.clusterName, interruptionQueue: this.queue.queueName },
        serviceAccount: { name: 'karpenter' },
        nodeSelector: { [POOL_LABEL]: 'system' },
        controller: { resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } } },
      },
    });
    this.chart.node.addDependency(identity.association, nodeAccess);
  }
}
