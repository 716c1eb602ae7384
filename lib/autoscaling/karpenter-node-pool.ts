import { Token } from 'aws-cdk-lib';
import { nodePoolProblems } from '../compute/pool-checks';
import { poolNameProblems } from '../compute/pool-name';
import { throwIfProblems, type Problem } from '../core/problems';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AmiFamily } from '../catalog/ami';
import { RUNTIME_VERSIONS } from '../catalog/versions';
import { POOL_LABEL } from '../core/labels';
import { PoolNodes } from '../compute/pool-nodes';
import { NODE_POOL_DEFAULTS } from '../compute/defaults';
import { CapacityType } from '../compute/capacity-type';
import {
  Ec2NodeClass,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
  Ec2NodeClassSpecMetadataOptionsHttpEndpoint,
  Ec2NodeClassSpecMetadataOptionsHttpTokens,
} from './imports/karpenter-ec2nodeclass-karpenter.k8s.aws';
import {
  NodePool,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirementsOperator,
  NodePoolSpecTemplateSpecTaintsEffect,
} from './imports/karpenter-nodepool-karpenter.sh';

/** Props of {@link KarpenterNodePool}. */
export interface KarpenterNodePoolProps {
  /** The NodePool's and EC2NodeClass's name and the `ai-platform/pool` label: the pool-name rule of GpuNodePool. */
  readonly poolName: string;
  /** Instance types of the accelerator catalog, all of one accelerator vendor. */
  readonly instanceTypes: string[];
  readonly maxNodes: number;
  /** @default CapacityType.ON_DEMAND */
  readonly capacityType?: CapacityType;
  /** Capacity Block reservation to launch into (with CapacityType.CAPACITY_BLOCK). @default - none */
  readonly capacityReservationId?: string;
  /** @default AmiFamily.AL2023 */
  readonly amiFamily?: AmiFamily;
  /** Name of the IAM role Karpenter's nodes use. */
  readonly nodeRoleName: string;
  /** Tags that select the node subnets, e.g. `{ 'karpenter.sh/discovery': 'acme-ml' }`. */
  readonly subnetSelectorTags: Record<string, string>;
  /** Tags that select the nodes' security groups, e.g. `{ 'aws:eks:cluster-name': 'acme-ml' }`. */
  readonly securityGroupSelectorTags: Record<string, string>;
  /** @default 100 */
  readonly diskGiB?: number;
  /** Extra node labels. @default - none */
  readonly labels?: Record<string, string>;
  /** The pool's nodes when already described from these props (AiPlatform passes its resolved pool's). @default - described from the props */
  readonly nodes?: PoolNodes;
}

const CAPACITY: Record<CapacityType, string> = {
  [CapacityType.ON_DEMAND]: 'on-demand',
  [CapacityType.SPOT]: 'spot',
  [CapacityType.CAPACITY_BLOCK]: 'reserved',
};

/**
 * A Karpenter pool (karpenter.sh/v1 NodePool + karpenter.k8s.aws/v1 EC2NodeClass): the pool's instance types
 * and capacity type as requirements, the labels and taints of {@link PoolNodes} (the same description
 * managed node groups use, so device plugins select these nodes too), limits from `maxNodes` (nodes'
 * accelerators and CPU), consolidation of empty or underused nodes, IMDSv2 required, encrypted gp3.
 * The pool's labels go on the nodes only, never on the NodePool or EC2NodeClass objects.
 */
export class KarpenterNodePool extends Chart {
  /** What the pool's nodes are: labels, taints, accelerators, device plugin. */
  public readonly nodes: PoolNodes;

  /**
   * Problems of the props (pool name, instance types, AMI family, labels, size, disk, capacity type), with field names
   * relative to the props: the same pool rules as GpuNodePool (Karpenter keeps no minimum and builds no EFA).
   */
  public static check(props: KarpenterNodePoolProps): Problem[] {
    const names = Token.isUnresolved(props.poolName) ? [] : poolNameProblems(props.poolName, 'poolName');
    if (Token.isUnresolved(props.maxNodes) || Token.isUnresolved(props.instanceTypes)) return names;
    return [...names, ...nodePoolProblems({ ...props, minNodes: 0, efa: false })];
  }

  constructor(scope: Construct, id: string, props: KarpenterNodePoolProps) {
    super(scope, id, { disableResourceNameHashes: true });
    throwIfProblems(`KarpenterNodePool '${props.poolName}'`, KarpenterNodePool.check(props), this);
    const name = props.poolName;
    const amiFamily = props.amiFamily ?? NODE_POOL_DEFAULTS.amiFamily;
    this.nodes = PoolNodes.of(
      { poolName: name, instanceTypes: props.instanceTypes, amiFamily, labels: props.labels },
      props.nodes,
    );
    const instances = this.nodes.instances;
    const resource = this.nodes.acceleratorResource;
    const capacityType = props.capacityType ?? NODE_POOL_DEFAULTS.capacityType;
    const maxAccelerators = Math.max(...instances.map((f) => f.acceleratorCount));
    const maxVcpu = Math.max(...instances.map((f) => f.vcpu));

    new Ec2NodeClass(this, 'NodeClass', {
      metadata: { name },
      spec: {
        role: props.nodeRoleName,
        amiSelectorTerms: [{ alias: RUNTIME_VERSIONS.karpenterAmiAlias[amiFamily] }],
        subnetSelectorTerms: [{ tags: props.subnetSelectorTags }],
        securityGroupSelectorTerms: [{ tags: props.securityGroupSelectorTags }],
        capacityReservationSelectorTerms: props.capacityReservationId
          ? [{ id: props.capacityReservationId }]
          : undefined,
        metadataOptions: {
          httpEndpoint: Ec2NodeClassSpecMetadataOptionsHttpEndpoint.ENABLED,
          httpTokens: Ec2NodeClassSpecMetadataOptionsHttpTokens.REQUIRED,
          httpPutResponseHopLimit: 1,
        },
        blockDeviceMappings: [
          {
            deviceName: amiFamily === AmiFamily.BOTTLEROCKET ? '/dev/xvdb' : '/dev/xvda',
            ebs: {
              volumeSize: `${props.diskGiB ?? NODE_POOL_DEFAULTS.diskGiB}Gi`,
              volumeType: Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType.GP3,
              encrypted: true,
              deleteOnTermination: true,
            },
          },
        ],
        tags: { [POOL_LABEL]: name },
      },
    });

    const limits: Record<string, NodePoolSpecLimits> = { cpu: NodePoolSpecLimits.fromNumber(props.maxNodes * maxVcpu) };
    if (resource) limits[resource] = NodePoolSpecLimits.fromNumber(props.maxNodes * maxAccelerators);
    new NodePool(this, 'NodePool', {
      metadata: { name },
      spec: {
        template: {
          metadata: { labels: this.nodes.labels },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name },
            requirements: [
              {
                key: 'node.kubernetes.io/instance-type',
                operator: NodePoolSpecTemplateSpecRequirementsOperator.IN,
                values: instances.map((f) => f.instanceType),
              },
              {
                key: 'karpenter.sh/capacity-type',
                operator: NodePoolSpecTemplateSpecRequirementsOperator.IN,
                values: [CAPACITY[capacityType]],
              },
            ],
            taints:
              this.nodes.taints.length > 0
                ? this.nodes.taints.map((t) => ({
                    key: t.key,
                    value: t.value,
                    effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE,
                  }))
                : undefined,
            expireAfter: '720h',
          },
        },
        limits,
        disruption: {
          consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
          consolidateAfter: '10m',
        },
      },
    });
  }
}
