import { PLATFORM_TAG_KEY } from '../core/platform-tag';
import { Size } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { GpuNodePoolProps } from '../compute/gpu-node-pool';
import type { ResolvedDefinition, ResolvedNodePool } from '../definition/resolved';
import type { PlatformNetwork } from '../network/platform-network';

/** A managed-node-group pool of `nodePools` onto GpuNodePool. */
export function nodePoolProps(
  def: ResolvedDefinition,
  pool: ResolvedNodePool,
  cluster: eks.ICluster,
  network: PlatformNetwork,
): GpuNodePoolProps {
  return {
    cluster,
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
    nodes: pool.nodes,
    subnets: network.nodeSubnets,
    nodegroupNamePrefix: def.name,
    // The platform's name tag (AiPlatform tags everything `ai-platform: <name>`) never changes: it may reach the
    // instances, where the budget's cost filter finds it; the user's tags stop at the node group.
    inheritedTagKeys: [PLATFORM_TAG_KEY],
  };
}
