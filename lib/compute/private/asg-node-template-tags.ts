import { createHash } from 'node:crypto';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PlatformValidationError } from '../../core/problems';
import { poolCustomResource } from './pool-custom-resource';

/**
 * The tag keys the pools' tagging role may write or delete on an ASG (IAM StringLike patterns): Cluster
 * Autoscaler's discovery and node-template keys, and the pool name. The same for every pool.
 */
export const ASG_TAG_KEYS: readonly string[] = Object.freeze([
  'k8s.io/cluster-autoscaler/enabled',
  'k8s.io/cluster-autoscaler/node-template/*',
  'ai-platform/pool',
]);

/** Whether an IAM StringLike pattern (`*` any run of characters, `?` one character) matches a value. */
function matchesIamPattern(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

/** Props of {@link AsgNodeTemplateTags}. */
export interface AsgNodeTemplateTagsProps {
  readonly cluster: eks.ICluster;
  readonly nodegroup: eks.Nodegroup;
  /** Tags whose keys the ASG carries for its whole life: written together, never deleted. */
  readonly tags: Record<string, string>;
  /**
   * Tags whose keys a later deploy may drop while the ASG stays (the user's node labels): one resource each,
   * whose deletion deletes the tag. @default - none
   */
  readonly removableTags?: Record<string, string>;
}

/**
 * Writes tags onto the Auto Scaling group behind a managed node group.
 *
 * EKS does not copy node-group tags to the group's ASG, and Cluster Autoscaler reads a node template from
 * ASG tags when a group has no running node. So a custom resource looks the ASG up through the EKS API and
 * tags it. Its role may describe node groups of this cluster and tag only ASGs of this cluster.
 *
 * Tags must also leave: a label still on the ASG after it left the pool makes Cluster Autoscaler
 * plan with it. An AwsCustomResource update cannot see the previous properties, so each removable tag is a
 * resource of its own keyed by its tag key, whose onDelete deletes that key: a key dropped from the props
 * drops its resource, and CloudFormation deletes it. Chosen over a Lambda that diffs OldResourceProperties (own
 * code, runtime and role to maintain) and over one resource keyed on the whole tag set (its replacement
 * deletes the old set after the new one is written, so kept keys would be deleted too). The cost is a custom
 * resource per removable tag, so only tags that can leave while the ASG stays are removable; the others share
 * one resource.
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

    // The same statements for every pool of the cluster, so the stack's policy does not grow with pools (see
    // poolCustomResource). Node group ARNs are `arn:${Partition}:eks:${Region}:${Account}:nodegroup/${ClusterName}/
    // ${NodegroupName}/${UUID}` (Service Authorization Reference, Amazon EKS, resource types); ASG ARNs embed a
    // generated ID, so the ASG actions are scoped by the EKS ownership tag, a condition every one of them takes
    // (Service Authorization Reference, Amazon EC2 Auto Scaling: autoScalingGroup, autoscaling:ResourceTag/${TagKey}).
    const statements = [
      new iam.PolicyStatement({
        actions: ['eks:DescribeNodegroup'],
        resources: [
          Stack.of(this).formatArn({
            service: 'eks',
            resource: 'nodegroup',
            resourceName: `${cluster.clusterName}/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
      // CreateOrUpdateTags and DeleteTags take aws:TagKeys, EnableMetricsCollection does not (Service Authorization
      // Reference, Amazon EC2 Auto Scaling, actions table; Auto Scaling user guide, "Control which tag keys and tag
      // values can be used"): the tagging calls may name only the keys this construct writes.
      new iam.PolicyStatement({
        actions: ['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'autoscaling:ResourceTag/eks:cluster-name': cluster.clusterName },
          'ForAllValues:StringLike': { 'aws:TagKeys': [...ASG_TAG_KEYS] },
        },
      }),
      new iam.PolicyStatement({
        actions: ['autoscaling:EnableMetricsCollection'],
        resources: ['*'],
        conditions: { StringEquals: { 'autoscaling:ResourceTag/eks:cluster-name': cluster.clusterName } },
      }),
    ];
    // A key outside the policy's patterns would be refused at deploy (AccessDenied): refuse it at synth instead.
    const outside = [...Object.keys(props.tags), ...Object.keys(props.removableTags ?? {})].filter(
      (k) => !ASG_TAG_KEYS.some((p) => matchesIamPattern(p, k)),
    );
    if (outside.length > 0)
      throw new PlatformValidationError(
        'AsgNodeTemplateTags',
        outside.map((key) => ({
          field: `tags.${key}`,
          message: `is not among the keys the tagging role may write (${ASG_TAG_KEYS.join(', ')})`,
        })),
        this,
      );

    const describe = poolCustomResource(this, 'FindAsg', {
      onUpdate: {
        service: 'EKS',
        action: 'describeNodegroup',
        parameters: { clusterName: cluster.clusterName, nodegroupName },
        physicalResourceId: cr.PhysicalResourceId.of(nodegroupName),
        outputPaths: ['nodegroup.resources.autoScalingGroups.0.name'],
      },
      statements,
    });
    const asgName = describe.getResponseField('nodegroup.resources.autoScalingGroups.0.name');
    this.asgName = asgName;

    const tags = Object.entries(props.tags)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([Key, Value]) => ({
        ResourceId: asgName,
        ResourceType: 'auto-scaling-group',
        Key,
        Value,
        PropagateAtLaunch: false,
      }));
    const onOwnAsg = (id: string, action: string, parameters: Record<string, unknown>, physicalId: string) =>
      poolCustomResource(this, id, {
        onUpdate: {
          service: 'AutoScaling',
          action,
          parameters,
          physicalResourceId: cr.PhysicalResourceId.of(physicalId),
        },
        statements,
      });
    onOwnAsg('TagAsg', 'createOrUpdateTags', { Tags: tags }, asgName);
    for (const [Key, Value] of Object.entries(props.removableTags ?? {})) {
      const tag = { ResourceId: asgName, ResourceType: 'auto-scaling-group', Key };
      // Keyed by the tag key, never by position: removing one tag leaves the others' resources untouched.
      poolCustomResource(this, `Tag${createHash('sha256').update(Key).digest('hex').slice(0, 12)}`, {
        // Physical ID: the key, so a replaced node group (new ASG) updates the resource instead of deleting it.
        onUpdate: {
          service: 'AutoScaling',
          action: 'createOrUpdateTags',
          parameters: { Tags: [{ ...tag, Value, PropagateAtLaunch: false }] },
          physicalResourceId: cr.PhysicalResourceId.of(Key),
        },
        // DeleteTags needs the key only ("if you specify a value and the value is incorrect, the tag is not
        // deleted": Auto Scaling user guide, Delete tags). An ASG already gone (its node group deleted first)
        // answers ValidationError "AutoScalingGroup not found", and has no tag left to delete.
        onDelete: {
          service: 'AutoScaling',
          action: 'deleteTags',
          parameters: { Tags: [tag] },
          ignoreErrorCodesMatching: 'ValidationError',
        },
        statements,
      });
    }
    // Group metrics (in-service, pending, desired) give dashboards node counts per pool.
    onOwnAsg(
      'EnableGroupMetrics',
      'enableMetricsCollection',
      {
        AutoScalingGroupName: asgName,
        Granularity: '1Minute',
        Metrics: ['GroupInServiceInstances', 'GroupPendingInstances', 'GroupDesiredCapacity'],
      },
      `${asgName}-metrics`,
    );
  }
}
