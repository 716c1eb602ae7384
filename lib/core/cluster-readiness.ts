import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct, DependencyGroup, type IDependable } from 'constructs';

/** The id of a cluster's {@link WorkloadPrerequisites} child: one per cluster, found by name in the tree. */
const ID = 'WorkloadPrerequisites';

/**
 * What must exist before workloads are installed on a cluster: its system nodes and core add-ons. A cluster
 * builder (GpuCluster, which exposes it as `workloadPrerequisites`) registers them once; every Helm release of
 * the library waits for them, so a chart's pods never race the nodes they run on (a release that waits on pods
 * with no node to run on fails the stack once Helm's timeout passes).
 *
 * It is a child of the cluster in the construct tree (`<cluster>/WorkloadPrerequisites`, no resources), the
 * way aws-cdk-lib keeps one of a thing per scope (`node.tryFindChild`), so it is visible in `tree.json` and
 * shared by every copy of this library an app loads.
 */
export class WorkloadPrerequisites extends Construct {
  /** The prerequisites registered for a cluster, or undefined for a cluster the library did not build. */
  public static of(cluster: eks.ICluster): WorkloadPrerequisites | undefined {
    return cluster.node.tryFindChild(ID) as WorkloadPrerequisites | undefined;
  }

  /** Registers what a cluster's workloads must wait for (adds to what is registered already). */
  public static register(cluster: eks.ICluster, ...deps: IDependable[]): WorkloadPrerequisites {
    const own = WorkloadPrerequisites.of(cluster) ?? new WorkloadPrerequisites(cluster, ID);
    own.group.add(...deps);
    return own;
  }

  /** Everything registered, as one dependable. */
  public readonly group = new DependencyGroup();
}

/** What workloads on a cluster wait for; empty for a cluster the library did not build. */
export function workloadPrerequisites(cluster: eks.ICluster): IDependable[] {
  const own = WorkloadPrerequisites.of(cluster);
  return own ? [own.group] : [];
}
