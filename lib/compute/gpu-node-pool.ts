import { Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { AmiFamily } from '../catalog/ami';
import { AcceleratorVendor, type InstanceFacts } from '../catalog/accelerators';
import { CapacityType } from './capacity-type';
import { NODE_POOL_DEFAULTS } from './defaults';
import { nodePoolProblems } from './pool-checks';
import { nodegroupNamePrefixProblems, poolNameProblems } from './pool-name';
import { throwIfProblems, type Problem } from '../core/problems';
import { PoolNodes } from './pool-nodes';
import { AsgNodeTemplateTags } from './private/asg-node-template-tags';
import { CapacityReservationSubnet } from './private/capacity-reservation-subnet';
import { ensureDevicePlugins } from './device-plugins';
import { createNodeLaunchTemplate, keptTags } from '../core/node-launch-template';
import { createNodeRole } from '../core/node-role';

/** Props of {@link GpuNodePool}. */
export interface GpuNodePoolProps {
  /** The cluster the pool joins (kubectl-enabled, to install device plugins). */
  readonly cluster: eks.ICluster;
  /**
   * The pool's name: the `ai-platform/pool` label and part of the node group name. 1..25 lowercase letters, digits
   * and "-", starting with a letter; not `system` (the cluster's own pool).
   */
  readonly poolName: string;
  /** Instance types of the accelerator catalog, all of one accelerator vendor. */
  readonly instanceTypes: string[];
  /** @default 0 */
  readonly minNodes?: number;
  readonly maxNodes: number;
  /** @default CapacityType.ON_DEMAND */
  readonly capacityType?: CapacityType;
  /** The Capacity Block reservation; required with CapacityType.CAPACITY_BLOCK. @default - none */
  readonly capacityReservationId?: string;
  /** @default AmiFamily.AL2023 */
  readonly amiFamily?: AmiFamily;
  /** EFA interfaces, a cluster placement group, and one AZ. @default false */
  readonly efa?: boolean;
  /** @default Size.gibibytes(100) */
  readonly diskSize?: Size;
  /** Extra node labels. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * The pool's nodes when already described from these props (AiPlatform passes its resolved pool's, so one
   * description serves the provisioner, the workloads and the plan). @default - described from the props
   */
  readonly nodes?: PoolNodes;
  /** Subnets to launch into; an EFA pool uses the first one only. @default - the VPC's private subnets */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Prefix of the node group name (e.g. the platform's name), so dashboards of several clusters in one
   * account tell their pools apart; at most 28 characters. @default - none: the name is `<poolName>-<digest>`
   */
  readonly nodegroupNamePrefix?: string;
  /**
   * Keys of tags applied from above (`Tags.of(scope)`) that still reach the pool's launch template (so its
   * instances and volumes) and its placement group. Every other inherited tag stops at the node group: a tag
   * edit would otherwise make a new launch template version, which rolls every node of the pool, and replace the
   * placement group. Name only keys whose value never changes (AiPlatform keeps `ai-platform`, its fixed name,
   * for cost allocation). @default - none
   */
  readonly inheritedTagKeys?: string[];
}

const CAPACITY: Record<CapacityType, eks.CapacityType> = {
  [CapacityType.ON_DEMAND]: eks.CapacityType.ON_DEMAND,
  [CapacityType.SPOT]: eks.CapacityType.SPOT,
  [CapacityType.CAPACITY_BLOCK]: eks.CapacityType.CAPACITY_BLOCK,
};

/** EKS node group names: 1..63 of letters, digits, `-` and `_`, starting alphanumeric (CreateNodegroup API). */
const NODEGROUP_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,62}$/;

/**
 * A managed node group of accelerated instances that scales from and to zero.
 *
 * - AMI type from the catalog (AL2023 NVIDIA, Bottlerocket NVIDIA, AL2023 Neuron), never the retired AL2 GPU AMI.
 * - Labels, taints and device plugins from {@link PoolNodes}, the description Karpenter pools share.
 * - A launch template with IMDSv2 required and an encrypted gp3 volume.
 * - Scale from zero: Cluster Autoscaler must know a node's labels, taints and accelerators before any node
 *   exists. We write its node-template tags onto the ASG (see {@link AsgNodeTemplateTags}) rather than rely
 *   on its reading of the EKS node-group API, because that API carries labels and taints but not extended
 *   resources: it would not know an empty pool offers `aws.amazon.com/neuron` or `vpc.amazonaws.com/efa`.
 * - EFA: one EFA interface per network card, a cluster placement group and a single subnet.
 * - Capacity Blocks: the instance type goes in the launch template, not on the node group, and the group
 *   launches only into the reservation's Availability Zone (EKS user guide, "Create a managed node group
 *   with Capacity Blocks for ML"). EKS asks for a desired size of 0 before a Capacity Block group is
 *   upgraded: change its launch template (disk, AMI family) only while the pool is at zero.
 * - Tags applied from above reach the node group (its Tags update without interruption) but not the launch
 *   template or placement group, except `inheritedTagKeys`: a tag edit never rolls nodes. Instances therefore
 *   carry only those tags.
 * - The node group has a stable name, `[prefix-]<pool>-<digest of what forces replacement>`, so monitoring
 *   can find its Auto Scaling group by name without a cross-stack reference.
 */
export class GpuNodePool extends Construct {
  public readonly nodegroup: eks.Nodegroup;
  public readonly poolName: string;
  /** The node group's name, a plain string known at synth. */
  public readonly nodegroupName: string;
  /** What the pool's nodes are: labels, taints, accelerators, device plugin. */
  public readonly nodes: PoolNodes;
  public readonly instances: InstanceFacts[];
  public readonly vendor: AcceleratorVendor;
  /** The extended resource the pool's accelerators are requested as, e.g. `nvidia.com/gpu`; undefined without one. */
  public readonly acceleratorResource?: string;
  /** Accelerators on the smallest node type of the pool. */
  public readonly acceleratorsPerNode: number;
  /** EFA interfaces per node (0 without EFA). */
  public readonly efaInterfaces: number;
  public readonly labels: Record<string, string>;
  public readonly taints: eks.TaintSpec[];
  public readonly maxNodes: number;
  /** The Cluster Autoscaler node-template tags written to the pool's ASG. */
  public readonly scaleFromZeroTags: Record<string, string>;
  public readonly placementGroup?: ec2.PlacementGroup;
  /** Name of the node group's Auto Scaling group (resolved at deploy time; use within this stack only). */
  public readonly asgName: string;

  /**
   * Problems of the props (pool name, node group name prefix, size, disk, capacity type, instance types, AMI family, EFA, labels), with field
   * names relative to the props; the definition reports the same ones under `nodePools[i]`. Values that
   * are tokens are not checked.
   */
  public static check(props: GpuNodePoolProps): Problem[] {
    const numbers = [props.minNodes, props.maxNodes].filter((n) => n !== undefined && Token.isUnresolved(n));
    if (numbers.length > 0 || Token.isUnresolved(props.instanceTypes)) return [];
    const diskGiB = props.diskSize?.isUnresolved()
      ? undefined
      : props.diskSize?.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    const problems = nodePoolProblems({ ...props, diskGiB }).map((p) =>
      p.field === 'diskGiB' ? { ...p, field: 'diskSize', message: `${p.message} GiB` } : p,
    );
    const names = [
      ...(Token.isUnresolved(props.poolName) ? [] : poolNameProblems(props.poolName, 'poolName')),
      ...(props.nodegroupNamePrefix === undefined || Token.isUnresolved(props.nodegroupNamePrefix)
        ? []
        : nodegroupNamePrefixProblems(props.nodegroupNamePrefix, 'nodegroupNamePrefix')),
    ];
    return [...names, ...problems];
  }

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    throwIfProblems(`GpuNodePool '${props.poolName}'`, GpuNodePool.check(props), this);
    this.poolName = props.poolName;
    this.maxNodes = props.maxNodes;
    const amiFamily = props.amiFamily ?? NODE_POOL_DEFAULTS.amiFamily;
    const efa = props.efa ?? NODE_POOL_DEFAULTS.efa;
    this.nodes = PoolNodes.of(
      { poolName: props.poolName, instanceTypes: props.instanceTypes, amiFamily, efa, labels: props.labels },
      props.nodes,
    );
    const nodes = this.nodes;
    this.instances = nodes.instances;
    this.vendor = nodes.vendor;
    this.acceleratorResource = nodes.acceleratorResource;
    this.acceleratorsPerNode = nodes.acceleratorsPerNode;
    this.efaInterfaces = nodes.efaInterfaces;
    this.labels = nodes.labels;
    this.taints = nodes.taints.map((t) => ({ key: t.key, value: t.value, effect: eks.TaintEffect.NO_SCHEDULE }));

    const capacityType = props.capacityType ?? NODE_POOL_DEFAULTS.capacityType;
    const capacityBlock = capacityType === CapacityType.CAPACITY_BLOCK;
    const minNodes = props.minNodes ?? NODE_POOL_DEFAULTS.minNodes;
    const diskGiB = (props.diskSize ?? Size.gibibytes(NODE_POOL_DEFAULTS.diskGiB)).toGibibytes();

    // Placement and subnets: a Capacity Block launches only in its reservation's AZ; EFA pools in one subnet.
    const cluster = props.cluster;
    const selection = cluster.vpc.selectSubnets(props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    if (efa) {
      this.placementGroup = new ec2.PlacementGroup(this, 'PlacementGroup', {
        strategy: ec2.PlacementGroupStrategy.CLUSTER,
      });
      // AWS::EC2::PlacementGroup Tags: update requires replacement (CloudFormation template reference), and the
      // launch template names the group: only tags that never change may reach it.
      const cfnGroup = this.placementGroup.node.defaultChild as ec2.CfnPlacementGroup;
      cfnGroup.addPropertyOverride('Tags', keptTags(cfnGroup, props.inheritedTagKeys ?? []));
    }
    let subnets: ec2.SubnetSelection;
    if (capacityBlock) {
      const inAz = new CapacityReservationSubnet(this, 'ReservationSubnet', {
        reservationId: props.capacityReservationId!,
        candidates: selection.subnets,
      });
      subnets = { subnets: [inAz.subnet] };
    } else {
      subnets = { subnets: efa ? selection.subnets.slice(0, 1) : selection.subnets };
    }

    // The name carries a digest of every property whose change makes CloudFormation replace the node group
    // (AWS::EKS::Nodegroup: InstanceTypes, AmiType, CapacityType, Subnets, NodeRole, ...), so a replacement
    // gets a new name instead of failing on "a custom-named resource requires replacing". Subnets are named
    // by construct path (or literal ID), which stay the same across synths while the subnets do.
    const nodeRole = createNodeRole(this, 'NodeRole');
    const subnetKeys = capacityBlock
      ? []
      : (subnets.subnets ?? []).map((sn) => (Token.isUnresolved(sn.subnetId) ? sn.node.path : sn.subnetId));
    const key = nodes.replacementKey({
      capacityType,
      reservation: props.capacityReservationId,
      subnets: subnetKeys,
      role: nodeRole.node.path,
    });
    this.nodegroupName = `${props.nodegroupNamePrefix ? `${props.nodegroupNamePrefix}-` : ''}${props.poolName}-${key}`;
    if (!NODEGROUP_NAME.test(this.nodegroupName)) {
      throwIfProblems(
        `GpuNodePool '${props.poolName}'`,
        [
          {
            field: 'poolName',
            value: props.poolName,
            message: `makes the node group name '${this.nodegroupName}', which must be 1..63 letters, digits, '-' or '_' starting alphanumeric; shorten the pool name or nodegroupNamePrefix`,
          },
        ],
        this,
      );
    }

    const launchTemplate = createNodeLaunchTemplate(this, 'LaunchTemplate', {
      amiFamily,
      diskGiB,
      efaInterfaces: this.efaInterfaces,
      efaSecurityGroupIds: [cluster.clusterSecurityGroupId],
      placementGroup: this.placementGroup,
      capacityBlockReservationId: props.capacityReservationId,
      instanceType: capacityBlock ? this.instances[0].instanceType : undefined,
      inheritedTagKeys: props.inheritedTagKeys,
    });

    this.scaleFromZeroTags = nodeTemplateTags(nodes, diskGiB);
    this.nodegroup = new eks.Nodegroup(this, 'Nodegroup', {
      cluster,
      nodegroupName: this.nodegroupName,
      capacityType: CAPACITY[capacityType],
      minSize: minNodes,
      maxSize: props.maxNodes,
      subnets,
      labels: this.labels,
      taints: this.taints.length > 0 ? this.taints : undefined,
      tags: this.scaleFromZeroTags,
      launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
      nodeRole,
    });
    // Instance and AMI types go on the L1: aws-eks-v2 checks amiType against its own list of GPU instance
    // classes, which lacks p5, p5e, p5en, gr6 and trn2 (it would reject the NVIDIA AMI for them), and cannot
    // parse `p6-b200.48xlarge`. The accelerator catalog is the source of truth here. A Capacity Block group
    // names its type only in the launch template.
    const cfnNodegroup = this.nodegroup.node.defaultChild as eks.CfnNodegroup;
    if (!capacityBlock)
      cfnNodegroup.addPropertyOverride(
        'InstanceTypes',
        this.instances.map((f) => f.instanceType),
      );
    cfnNodegroup.addPropertyOverride('AmiType', nodes.ami.amiType);
    // Cluster Autoscaler owns the desired size: a template value is re-sent with a change of min or max and resizes
    // a busy pool. DesiredSize is optional, and "when using CloudFormation, no action occurs if you remove this
    // parameter from your CFN template" (CloudFormation template reference, AWS::EKS::Nodegroup ScalingConfig).
    // The same page asks for all or none of the sizes when a group is created: a deploy must confirm EKS accepts it.
    cfnNodegroup.addPropertyDeletionOverride('ScalingConfig.DesiredSize');

    // Every node-template tag key is fixed or derives from what names the node group (instance types, AMI, EFA: a
    // change makes a new group, so a new ASG without stale tags), except the user's labels, which update the
    // group in place: a label the user drops must be deleted from the ASG, so each has a resource whose deletion
    // deletes it. (A library upgrade that changed a derived label of the same AMI type would leave its old tag.)
    const own = new PoolNodes({ poolName: props.poolName, instanceTypes: props.instanceTypes, amiFamily, efa }).labels;
    const userLabelTags = new Set(
      Object.keys(props.labels ?? {})
        .filter((k) => !(k in own))
        .map((k) => `${NODE_TEMPLATE}/label/${k}`),
    );
    const split = (removable: boolean) =>
      Object.fromEntries(Object.entries(this.scaleFromZeroTags).filter(([k]) => userLabelTags.has(k) === removable));
    this.asgName = new AsgNodeTemplateTags(this, 'ScaleFromZero', {
      cluster,
      nodegroup: this.nodegroup,
      tags: split(false),
      removableTags: split(true),
    }).asgName;
    ensureDevicePlugins(cluster, nodes);
  }
}

const NODE_TEMPLATE = 'k8s.io/cluster-autoscaler/node-template';

/**
 * Cluster Autoscaler's view of a node of a pool while none runs: the node-template tags it reads from an
 * empty group's ASG (cluster-autoscaler cloudprovider/aws README, "Auto-Discovery Setup" / scaling from 0).
 */
export function nodeTemplateTags(nodes: PoolNodes, diskGiB: number): Record<string, string> {
  const prefix = NODE_TEMPLATE;
  const tags: Record<string, string> = {
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`${prefix}/resources/ephemeral-storage`]: `${diskGiB}Gi`,
  };
  for (const [k, v] of Object.entries(nodes.labels)) tags[`${prefix}/label/${k}`] = v;
  for (const t of nodes.taints) tags[`${prefix}/taint/${t.key}`] = `${t.value}:${t.effect}`;
  for (const [resource, count] of Object.entries(nodes.extendedResources))
    tags[`${prefix}/resources/${resource}`] = String(count);
  tags['ai-platform/pool'] = nodes.poolName;
  return tags;
}
