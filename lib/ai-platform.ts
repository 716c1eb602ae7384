import { Annotations, Size, Stack, Tags, type Environment } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { GpuCluster } from './cluster/gpu-cluster';
import { GpuNodePool } from './compute/gpu-node-pool';
import { formatProblem } from './definition/problems';
import { resolveDefinition } from './definition/resolve';
import type { ResolvedDefinition } from './definition/resolved';
import { EndpointAccess, Provisioner, type AiPlatformDefinition } from './definition/types';
import { PlatformNetwork } from './network/platform-network';

/** Props of {@link AiPlatform}. */
export interface AiPlatformProps {
  /** The platform, as typed data or as parsed from a JSON/YAML file. */
  readonly definition: AiPlatformDefinition;
  /** Where the stacks deploy. @default - environment-agnostic stacks */
  readonly env?: Environment;
  /** Named in error messages, e.g. the definition file's path. @default - none */
  readonly source?: string;
}

/**
 * A complete AI platform from one definition. Composition only: it resolves the definition (every default,
 * every check) and maps it onto the domain constructs, each of which works on its own too.
 *
 * Stacks: `<name>-platform` (network, cluster, node pools).
 *
 * @throws DefinitionError listing every problem of an invalid definition
 */
export class AiPlatform extends Construct {
  public readonly definition: ResolvedDefinition;
  public readonly platformStack: Stack;
  public readonly network: PlatformNetwork;
  public readonly cluster: GpuCluster;
  /** Managed-node-group pools by name. */
  public readonly nodePools: Record<string, GpuNodePool> = {};

  constructor(scope: Construct, id: string, props: AiPlatformProps) {
    super(scope, id);
    const def = resolveDefinition(props.definition, props.source);
    this.definition = def;

    this.platformStack = new Stack(this, 'Platform', {
      stackName: `${def.name}-platform`,
      env: props.env,
      description: `AI platform ${def.name}: network, EKS cluster and accelerated node pools`,
    });
    for (const w of def.warnings) {
      Annotations.of(this.platformStack).addWarningV2(`ai-platform:definition:${w.path.replace(/[^\w.]+/g, '-')}`, formatProblem(w));
    }

    this.network = new PlatformNetwork(this.platformStack, 'Network', def.network);
    this.cluster = new GpuCluster(this.platformStack, 'Cluster', {
      vpc: this.network.vpc,
      nodeSubnets: this.network.nodeSubnets,
      kubernetesVersion: def.cluster.kubernetesVersion,
      endpointAccess: def.cluster.endpointAccess === EndpointAccess.PRIVATE
        ? eks.EndpointAccess.PRIVATE
        : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...def.cluster.publicAccessCidrs),
      adminRoleArns: def.cluster.adminRoleArns,
      systemInstanceType: new ec2.InstanceType(def.cluster.systemInstanceType),
      systemNodes: def.cluster.systemNodes,
    });

    for (const pool of def.nodePools.filter((p) => p.provisioner === Provisioner.KARPENTER)) {
      Annotations.of(this.platformStack).addWarningV2(`ai-platform:karpenter-pool-${pool.name}`,
        `nodePools: pool '${pool.name}' uses provisioner karpenter, which this version does not build yet; no capacity is created for it`);
    }
    for (const pool of def.nodePools.filter((p) => p.provisioner === Provisioner.MANAGED_NODE_GROUP)) {
      this.nodePools[pool.name] = new GpuNodePool(this.platformStack, `Pool-${pool.name}`, {
        cluster: this.cluster.cluster,
        poolName: pool.name,
        instanceTypes: pool.instanceTypes,
        minNodes: pool.minNodes,
        maxNodes: pool.maxNodes,
        capacityType: pool.capacityType,
        capacityReservationId: pool.capacityReservationId,
        amiFamily: pool.amiFamily,
        efa: pool.efa,
        diskSize: Size.gibibytes(pool.diskGiB),
        labels: pool.labels,
        subnets: this.network.nodeSubnets,
      });
    }

    for (const [k, v] of Object.entries({ 'ai-platform': def.name, ...def.tags })) Tags.of(this).add(k, v);
  }
}
