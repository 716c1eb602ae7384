import { Size, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { AmiFamily, findAmi, amiFamiliesFor } from '../catalog/ami';
import { AcceleratorVendor, acceleratorResourceName, EFA_RESOURCE_NAME, findInstance, type InstanceFacts } from '../catalog/accelerators';
import { DEFAULTS } from '../definition/defaults';
import { CapacityType } from '../definition/types';
import { ACCELERATOR_LABEL, ACCELERATOR_MODEL_LABEL, DEVICE_PLUGIN_LABEL, EFA_LABEL, POOL_LABEL } from './labels';
import { AsgNodeTemplateTags } from './private/asg-node-template-tags';
import { ensureDevicePlugins } from './private/device-plugins';
import { createNodeLaunchTemplate } from './private/node-launch-template';
import { createNodeRole } from './private/node-role';

/** Props of {@link GpuNodePool}. */
export interface GpuNodePoolProps {
  /** The cluster the pool joins (kubectl-enabled, to install device plugins). */
  readonly cluster: eks.ICluster;
  /** The pool's name: the `ai-platform/pool` label and part of the node group name. */
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
  /** Subnets to launch into; an EFA pool uses the first one only. @default - the VPC's private subnets */
  readonly subnets?: ec2.SubnetSelection;
}

const CAPACITY: Record<CapacityType, eks.CapacityType> = {
  [CapacityType.ON_DEMAND]: eks.CapacityType.ON_DEMAND,
  [CapacityType.SPOT]: eks.CapacityType.SPOT,
  [CapacityType.CAPACITY_BLOCK]: eks.CapacityType.CAPACITY_BLOCK,
};

/**
 * A managed node group of accelerated instances that scales from and to zero.
 *
 * - AMI type from the catalog (AL2023 NVIDIA, Bottlerocket NVIDIA, AL2023 Neuron), never the retired AL2 GPU AMI.
 * - Taint `nvidia.com/gpu=true:NoSchedule` (or `aws.amazon.com/neuron`), labels for pool and accelerator.
 * - A launch template with IMDSv2 required and an encrypted gp3 volume.
 * - Scale from zero: Cluster Autoscaler must know a node's labels, taints and accelerators before any node
 *   exists. We write its node-template tags onto the ASG (see {@link AsgNodeTemplateTags}) rather than rely
 *   on its reading of the EKS node-group API, because that API carries labels and taints but not extended
 *   resources: it would not know an empty pool offers `aws.amazon.com/neuron` or `vpc.amazonaws.com/efa`.
 * - EFA: one EFA interface per network card, a cluster placement group and a single subnet.
 */
export class GpuNodePool extends Construct {
  public readonly nodegroup: eks.Nodegroup;
  public readonly poolName: string;
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
  /** Name of the node group's Auto Scaling group, for node-count metrics (resolved at deploy time). */
  public readonly asgName: string;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    this.poolName = props.poolName;
    this.maxNodes = props.maxNodes;
    this.instances = props.instanceTypes.map((t) => {
      const facts = findInstance(t);
      if (!facts) throw new Error(`GpuNodePool '${props.poolName}' instanceTypes: '${t}' is not in the accelerator catalog`);
      return facts;
    });
    if (this.instances.length === 0) throw new Error(`GpuNodePool '${props.poolName}' instanceTypes must list at least one type`);
    const vendors = new Set(this.instances.map((f) => f.vendor));
    if (vendors.size !== 1) throw new Error(`GpuNodePool '${props.poolName}' instanceTypes must share one accelerator vendor; found ${[...vendors].join(', ')}`);
    this.vendor = this.instances[0].vendor;
    const amiFamily = props.amiFamily ?? DEFAULTS.nodePool.amiFamily;
    const ami = findAmi(amiFamily, this.vendor);
    if (!ami) throw new Error(`GpuNodePool '${props.poolName}' amiFamily '${amiFamily}' does not support ${this.vendor}; use ${amiFamiliesFor(this.vendor).join(', ')}`);
    const capacityType = props.capacityType ?? DEFAULTS.nodePool.capacityType;
    if ((capacityType === CapacityType.CAPACITY_BLOCK) !== (props.capacityReservationId !== undefined)) {
      throw new Error(`GpuNodePool '${props.poolName}': capacityReservationId goes with, and only with, CapacityType.CAPACITY_BLOCK`);
    }
    const minNodes = props.minNodes ?? DEFAULTS.nodePool.minNodes;
    const efa = props.efa ?? DEFAULTS.nodePool.efa;
    this.efaInterfaces = efa ? Math.min(...this.instances.map((f) => f.maxEfaInterfaces)) : 0;
    if (efa && this.efaInterfaces === 0) throw new Error(`GpuNodePool '${props.poolName}': every instance type must support EFA when efa is true`);
    this.acceleratorResource = acceleratorResourceName(this.vendor);
    this.acceleratorsPerNode = Math.min(...this.instances.map((f) => f.acceleratorCount));
    const diskGiB = (props.diskSize ?? Size.gibibytes(DEFAULTS.nodePool.diskGiB)).toGibibytes();

    // Labels and taints.
    const models = [...new Set(this.instances.map((f) => f.acceleratorModel))];
    this.labels = {
      ...(props.labels ?? {}),
      [POOL_LABEL]: props.poolName,
      [ACCELERATOR_LABEL]: this.vendor,
      ...(models.length === 1 && models[0] ? { [ACCELERATOR_MODEL_LABEL]: models[0] } : {}),
      ...(efa ? { [EFA_LABEL]: 'true' } : {}),
      ...(!ami.bundlesDevicePlugin ? { [DEVICE_PLUGIN_LABEL]: this.vendor === AcceleratorVendor.NVIDIA ? 'nvidia' : 'neuron' } : {}),
    };
    this.taints = this.acceleratorResource
      ? [{ key: this.acceleratorResource, value: 'true', effect: eks.TaintEffect.NO_SCHEDULE }]
      : [];

    // Placement and subnets.
    const cluster = props.cluster;
    const selection = cluster.vpc.selectSubnets(props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    if (efa) {
      this.placementGroup = new ec2.PlacementGroup(this, 'PlacementGroup', { strategy: ec2.PlacementGroupStrategy.CLUSTER });
    }
    const subnets: ec2.SubnetSelection = efa ? { subnets: selection.subnets.slice(0, 1) } : { subnets: selection.subnets };

    const launchTemplate = createNodeLaunchTemplate(this, 'LaunchTemplate', {
      amiFamily, diskGiB, efaInterfaces: this.efaInterfaces,
      efaSecurityGroupIds: [cluster.clusterSecurityGroupId],
      placementGroup: this.placementGroup,
      capacityBlockReservationId: props.capacityReservationId,
    });

    this.scaleFromZeroTags = this.nodeTemplateTags(diskGiB);
    this.nodegroup = new eks.Nodegroup(this, 'Nodegroup', {
      cluster,
      capacityType: CAPACITY[capacityType],
      minSize: minNodes,
      maxSize: props.maxNodes,
      desiredSize: minNodes,
      subnets,
      labels: this.labels,
      taints: this.taints.length > 0 ? this.taints : undefined,
      tags: this.scaleFromZeroTags,
      launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
      nodeRole: createNodeRole(this, 'NodeRole'),
    });
    // Instance and AMI types go on the L1: aws-eks-v2 checks amiType against its own list of GPU instance
    // classes, which lacks p5, p5e, p5en, gr6 and trn2 (it would reject the NVIDIA AMI for them), and cannot
    // parse `p6-b200.48xlarge`. The accelerator catalog is the source of truth here.
    const cfnNodegroup = this.nodegroup.node.defaultChild as eks.CfnNodegroup;
    cfnNodegroup.addPropertyOverride('InstanceTypes', this.instances.map((f) => f.instanceType));
    cfnNodegroup.addPropertyOverride('AmiType', ami.amiType);

    this.asgName = new AsgNodeTemplateTags(this, 'ScaleFromZero', { cluster, nodegroup: this.nodegroup, tags: this.scaleFromZeroTags }).asgName;
    ensureDevicePlugins(cluster, this.vendor, !ami.bundlesDevicePlugin, efa);
  }

  /** Cluster Autoscaler's view of a node of this pool while none runs. */
  private nodeTemplateTags(diskGiB: number): Record<string, string> {
    const prefix = 'k8s.io/cluster-autoscaler/node-template';
    const tags: Record<string, string> = {
      'k8s.io/cluster-autoscaler/enabled': 'true',
      [`${prefix}/resources/ephemeral-storage`]: `${diskGiB}Gi`,
    };
    for (const [k, v] of Object.entries(this.labels)) tags[`${prefix}/label/${k}`] = v;
    for (const t of this.taints) tags[`${prefix}/taint/${t.key}`] = `${t.value}:NoSchedule`;
    if (this.acceleratorResource) tags[`${prefix}/resources/${this.acceleratorResource}`] = String(this.acceleratorsPerNode);
    if (this.efaInterfaces > 0) tags[`${prefix}/resources/${EFA_RESOURCE_NAME}`] = String(this.efaInterfaces);
    if (!Token.isUnresolved(this.poolName)) tags['ai-platform/pool'] = this.poolName;
    return tags;
  }
}
