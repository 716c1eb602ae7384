import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { GpuCluster, GpuClusterProps } from '../cluster/gpu-cluster';
import type { ResolvedDefinition } from '../definition/resolved';
import { EndpointAccess } from '../definition/types';
import type { PlatformNetwork } from '../network/platform-network';
import { PLATFORM_TAG_KEY } from '../core/platform-tag';

/** `cluster` onto GpuCluster, in the platform's network. */
export function clusterProps(def: ResolvedDefinition, network: PlatformNetwork): GpuClusterProps {
  return {
    // A known name (not a generated one) lets node classes and dashboards refer to the cluster at synth.
    clusterName: def.name,
    vpc: network.vpc,
    nodeSubnets: network.nodeSubnets,
    kubernetesVersion: def.cluster.kubernetesVersion,
    endpointAccess: def.cluster.endpointAccess === EndpointAccess.PRIVATE
      ? eks.EndpointAccess.PRIVATE
      : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...def.cluster.publicAccessCidrs),
    adminRoleArns: def.cluster.adminRoleArns,
    systemInstanceType: new ec2.InstanceType(def.cluster.systemInstanceType),
    systemNodes: def.cluster.systemNodes,
    // Container Insights is added by the platform, in the platform stack, with its own construct ID.
    containerInsights: false,
    inheritedTagKeys: [PLATFORM_TAG_KEY],
  };
}

/**
 * A public endpoint the definition limited to named CIDRs is the user's informed choice; one open to any
 * address stays a finding (and a definition warning) for the user to acknowledge.
 */
export function acknowledgeChosenEndpoint(def: ResolvedDefinition, cluster: GpuCluster): void {
  if (def.cluster.endpointAccess === EndpointAccess.PUBLIC_AND_PRIVATE && !def.cluster.publicAccessCidrs.includes('0.0.0.0/0')) {
    Validations.of(cluster.cluster).acknowledge({
      id: 'AiPlatform-EKSV2PublicEndpoint',
      reason: `The definition asks for a public endpoint limited to ${def.cluster.publicAccessCidrs.join(', ')}; every call is still authenticated by IAM through access entries`,
    });
  }
}
