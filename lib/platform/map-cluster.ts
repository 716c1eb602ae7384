import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { GpuCluster, GpuClusterProps } from '../cluster/gpu-cluster';
import type { ResolvedDefinition } from '../definition/resolved';
import { EndpointAccess } from '../definition/types';
import type { PlatformNetwork } from '../network/platform-network';
import { PLATFORM_TAG_KEY } from '../core/platform-tag';
import { AssemblyFile } from '../core/assembly-file';
import { RegistryMirror } from '../core/registry-mirror';
import { mirrorList } from '../catalog/versions';
import type { Construct } from 'constructs';

/** `cluster` onto GpuCluster, in the platform's network. */
export function clusterProps(def: ResolvedDefinition, network: PlatformNetwork): GpuClusterProps {
  return {
    // A known name (not a generated one) lets node classes and dashboards refer to the cluster at synth.
    clusterName: def.name,
    vpc: network.vpc,
    nodeSubnets: network.nodeSubnets,
    kubernetesVersion: def.cluster.kubernetesVersion,
    endpointAccess:
      def.cluster.endpointAccess === EndpointAccess.PRIVATE
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
  if (
    def.cluster.endpointAccess === EndpointAccess.PUBLIC_AND_PRIVATE &&
    !def.cluster.publicAccessCidrs.includes('0.0.0.0/0')
  ) {
    Validations.of(cluster.cluster).acknowledge({
      id: 'AiPlatform-EKSV2PublicEndpoint',
      reason: `The definition asks for a public endpoint limited to ${def.cluster.publicAccessCidrs.join(', ')}; every call is still authenticated by IAM through access entries`,
    });
  }
}

/**
 * `network.mirror`: every chart the platform installs on its cluster, and every image those charts run, come
 * from the mirror; what to copy there is written to `cdk.out/plan/<name>-mirror.txt`. Call it before anything
 * installs a chart on the cluster.
 */
export function useDefinedMirror(scope: Construct, def: ResolvedDefinition, cluster: GpuCluster): void {
  if (!def.network.mirror) return;
  const mirror = RegistryMirror.ecr(def.network.mirror.registry);
  mirror.useFor(cluster.cluster);
  const copies = mirrorList(mirror.registry, def.cluster.kubernetesVersion);
  new AssemblyFile(
    scope,
    'MirrorList',
    () => `plan/${def.name}-mirror.txt`,
    () =>
      [
        `# What ${mirror.registry} must hold for platform ${def.name} (Kubernetes ${def.cluster.kubernetesVersion}): every pinned chart`,
        '# and every image the charts run. ECR must accept the pushes: create the repositories first, or let a',
        '# repository creation template create them on push. Images: crane copy keeps digests (Karpenter pins one).',
        '# EKS add-ons need no copy (EKS pulls them from its own ECR in the region); your workload images are yours to put in ECR.',
        ...copies.map((c) => `${c.command}    # ${c.kind} ${c.source} -> ${c.target}`),
        '',
      ].join('\n'),
  );
}
