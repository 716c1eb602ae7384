import { Validations } from 'aws-cdk-lib';
import { acknowledgeIamFindings } from '../../core/acknowledge';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** Props of {@link AsgNodeTemplateTags}. */
export interface AsgNodeTemplateTagsProps {
  readonly cluster: eks.ICluster;
  readonly nodegroup: eks.Nodegroup;
  readonly tags: Record<string, string>;
}

/**
 * Writes tags onto the Auto Scaling group behind a managed node group.
 *
 * EKS does not copy node-group tags to the group's ASG, and Cluster Autoscaler reads a node template from
 * ASG tags when a group has no running node. So a custom resource looks the ASG up through the EKS API and
 * tags it. Its role may describe this one node group and tag only ASGs of this cluster.
 */
export class AsgNodeTemplateTags extends Construct {
  /** Name of the node group's Auto Scaling group (known at deploy time). */
  public readonly asgName: string;

  constructor(scope: Construct, id: string, props: AsgNodeTemplateTagsProps) {
    super(scope, id);
    const { cluster, nodegroup } = props;
    // The node group's name attribute, never its Ref: an AWS::EKS::Nodegroup Ref is `cluster/nodegroup`,
    // which DescribeNodegroup rejects (CloudFormation AWS::EKS::Nodegroup return values; aws-cdk issue 22442).
    // GetAtt also orders the lookup after the node group exists.
    const nodegroupName = (nodegroup.node.defaultChild as eks.CfnNodegroup).attrNodegroupName;

    const describe = new cr.AwsCustomResource(this, 'FindAsg', {
      onUpdate: {
        service: 'EKS',
        action: 'describeNodegroup',
        parameters: { clusterName: cluster.clusterName, nodegroupName },
        physicalResourceId: cr.PhysicalResourceId.of(nodegroupName),
        outputPaths: ['nodegroup.resources.autoScalingGroups.0.name'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['eks:DescribeNodegroup'], resources: [nodegroup.nodegroupArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    const asgName = describe.getResponseField('nodegroup.resources.autoScalingGroups.0.name');
    this.asgName = asgName;

    const tags = Object.entries(props.tags).sort(([a], [b]) => a.localeCompare(b)).map(([Key, Value]) => ({
      ResourceId: asgName, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: false,
    }));
    const onOwnAsg = (id: string, action: string, parameters: Record<string, unknown>, physicalId: string) =>
      new cr.AwsCustomResource(this, id, {
        onUpdate: { service: 'AutoScaling', action, parameters, physicalResourceId: cr.PhysicalResourceId.of(physicalId) },
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({
            actions: [`autoscaling:${action.charAt(0).toUpperCase()}${action.slice(1)}`],
            // ASG ARNs embed a generated UUID, so they cannot be named ahead; scope by the EKS ownership tag.
            resources: ['*'],
            conditions: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': cluster.clusterName } },
          }),
        ]),
        installLatestAwsSdk: false,
      });
    onOwnAsg('TagAsg', 'createOrUpdateTags', { Tags: tags }, asgName);
    // Group metrics (in-service, pending, desired) give dashboards node counts per pool.
    onOwnAsg('EnableGroupMetrics', 'enableMetricsCollection', {
      AutoScalingGroupName: asgName, Granularity: '1Minute',
      Metrics: ['GroupInServiceInstances', 'GroupPendingInstances', 'GroupDesiredCapacity'],
    }, `${asgName}-metrics`);

    acknowledgeIamFindings(this, {
      wildcards: 'ASG ARNs embed a generated ID and cannot be named ahead; tagging is limited to ASGs tagged eks:cluster-name of this cluster',
    });
    // AwsCustomResource shares one function per stack; its role (the public grantPrincipal) sits in that
    // function's scope, so acknowledge there, wherever the function was created.
    const role = describe.grantPrincipal;
    const provider = Construct.isConstruct(role) ? role.node.scope : undefined;
    if (provider) {
      acknowledgeIamFindings(provider, { managedPolicies: 'The AwsCustomResource function only writes its own logs (AWSLambdaBasicExecutionRole)' });
      Validations.of(provider).acknowledge({ id: 'AwsSolutions-L1', reason: 'The AwsCustomResource runtime is chosen and upgraded by aws-cdk-lib' });
    }
  }
}
