import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { DependencyGroup, type IDependable } from 'constructs';

/**
 * What must exist before workloads are installed on a cluster: its system nodes and core add-ons. A cluster
 * builder (GpuCluster) registers them once; every Helm release of the library waits for them, so a chart's
 * pods never race the nodes they run on (a release that waits on pods with no node to run on fails the
 * stack once Helm's timeout passes).
 */
const READY = new WeakMap<eks.ICluster, DependencyGroup>();

/** Registers what a cluster's workloads must wait for. */
export function registerWorkloadPrerequisites(cluster: eks.ICluster, ...deps: IDependable[]): void {
  const group = READY.get(cluster) ?? new DependencyGroup();
  group.add(...deps);
  READY.set(cluster, group);
}

/** What workloads on a cluster wait for; empty for a cluster the library did not build. */
export function workloadPrerequisites(cluster: eks.ICluster): IDependable[] {
  const group = READY.get(cluster);
  return group ? [group] : [];
}
