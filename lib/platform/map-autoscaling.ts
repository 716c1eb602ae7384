import { Duration, type Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as cdk8s from 'cdk8s';
import { ClusterAutoscaler } from '../autoscaling/cluster-autoscaler';
import { Karpenter } from '../autoscaling/karpenter';
import { KarpenterNodePool } from '../autoscaling/karpenter-node-pool';
import { ManagedPrometheus } from '../autoscaling/managed-prometheus';
import { DevicePlugins } from '../compute/device-plugins';
import type { ResolvedDefinition } from '../definition/resolved';
import { Provisioner } from '../definition/types';
import { DISCOVERY_TAG } from '../network/platform-network';
import type { ChartSink } from './map-workloads';
import { runObjectives } from './map-monitoring';

/** What node and workload scaling the definition needs. */
export interface AutoscalingMapping {
  readonly clusterAutoscaler?: ClusterAutoscaler;
  readonly karpenter?: Karpenter;
  readonly prometheus?: ManagedPrometheus;
}

/**
 * Node scaling (Cluster Autoscaler for managed pools, Karpenter and its NodePools for the others) and the
 * metrics KEDA scales inference on and run alarms read (a managed Prometheus workspace and scraper, only when
 * there is something to scrape or alert on), from `nodePools`, `inference` and the run list of `runObjectives`.
 */
export function mapAutoscaling(
  def: ResolvedDefinition,
  opts: {
    readonly stack: Stack;
    readonly cluster: eks.Cluster;
    readonly k8sApp: cdk8s.App;
    readonly deliver: ChartSink;
    readonly nodeSubnets: ec2.ISubnet[];
    readonly alertTopicArn: string;
  },
): AutoscalingMapping {
  const { stack, cluster } = opts;
  const managed = def.nodePools.filter((p) => p.provisioner === Provisioner.MANAGED_NODE_GROUP);
  const clusterAutoscaler =
    managed.length > 0
      ? new ClusterAutoscaler(stack, 'ClusterAutoscaler', { cluster, kubernetesVersion: def.cluster.kubernetesVersion })
      : undefined;
  const karpenterPools = def.nodePools.filter((p) => p.provisioner === Provisioner.KARPENTER);
  const karpenter = karpenterPools.length > 0 ? new Karpenter(stack, 'Karpenter', { cluster }) : undefined;
  for (const pool of karpenterPools) {
    const nodePool = new KarpenterNodePool(opts.k8sApp, `karpenter-pool-${pool.name}`, {
      poolName: pool.name,
      instanceTypes: pool.instanceTypes,
      maxNodes: pool.maxNodes,
      capacityType: pool.capacityType,
      capacityReservationId: pool.capacityReservationId,
      amiFamily: pool.amiFamily,
      nodeRoleName: karpenter!.nodeRole.roleName,
      subnetSelectorTags: { [DISCOVERY_TAG]: def.name },
      // EKS tags the cluster security group with the cluster's name.
      securityGroupSelectorTags: { 'aws:eks:cluster-name': def.name },
      diskGiB: pool.diskGiB,
      labels: pool.labels,
      nodes: pool.nodes,
    });
    opts.deliver(undefined, `KarpenterPool-${pool.name}`, nodePool, karpenter!.chart);
    // The same device plugins as a managed pool of this kind: they select the label PoolNodes puts on both.
    DevicePlugins.ensure(cluster, pool.nodes);
  }

  // The workspace exists for KEDA and the latency rules (inference), and for the run rules (CronJob-launched jobs):
  // nothing else alerts on a failed or missed run.
  const runs = runObjectives(def);
  const prometheus =
    def.inference.length > 0 || runs.length > 0
      ? new ManagedPrometheus(stack, 'Prometheus', {
          cluster,
          subnets: opts.nodeSubnets,
          k8sApp: opts.k8sApp,
          alertTopicArn: opts.alertTopicArn,
          latencyObjectives: def.inference.map((s) => ({
            name: s.name,
            namespace: s.namespace,
            p99LatencyTarget: Duration.millis(s.p99LatencyTargetMs),
          })),
          runObjectives: runs,
        })
      : undefined;
  return { clusterAutoscaler, karpenter, prometheus };
}
