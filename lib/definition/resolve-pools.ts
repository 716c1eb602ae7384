import { findAmi } from '../catalog/ami';
import { findInstance, type InstanceFacts } from '../catalog/accelerators';
import { nodePoolProblems } from '../compute/pool-checks';
import { poolNameProblems } from '../compute/pool-name';
import { PoolNodes } from '../compute/pool-nodes';
import { DEFAULTS } from './defaults';
import type { ProblemCollector } from './problems';
import type { ResolvedNodePool } from './resolved';
import { duplicates } from './rules';
import { CapacityType } from '../compute/capacity-type';
import { Provisioner, type NodePoolDefinition } from './types';

/** Applies pool defaults and checks every pool rule. Returns only pools without problems. */
export function resolveNodePools(pools: NodePoolDefinition[], out: ProblemCollector): ResolvedNodePool[] {
  out.check(pools.length > 0, 'nodePools', pools, 'must list at least one node pool');
  for (const d of duplicates(pools.map((p) => p.name))) {
    out.error(`nodePools[${d.index}].name`, d.name, 'must be unique among node pools');
  }
  const resolved: ResolvedNodePool[] = [];
  pools.forEach((pool, i) => {
    const before = out.problems.length;
    const r = resolvePool(pool, `nodePools[${i}]`, out);
    if (r && out.problems.length === before) resolved.push(r);
  });
  return resolved;
}

function resolvePool(pool: NodePoolDefinition, at: string, out: ProblemCollector): ResolvedNodePool | undefined {
  const d = DEFAULTS.nodePool;
  const minNodes = pool.minNodes ?? d.minNodes;
  const capacityType = pool.capacityType ?? d.capacityType;
  const amiFamily = pool.amiFamily ?? d.amiFamily;
  const provisioner = pool.provisioner ?? d.provisioner;
  const efa = pool.efa ?? d.efa;
  const diskGiB = pool.diskGiB ?? d.diskGiB;

  out.addAll(at, poolNameProblems(pool.name, 'name'));
  // The pool's own rules, as GpuNodePool and PoolNodes apply them (one set of checks, one set of messages).
  const nodeProblems = nodePoolProblems(pool);
  out.addAll(at, nodeProblems);
  const instances = pool.instanceTypes.map(findInstance).filter((f): f is InstanceFacts => f !== undefined);
  const vendors = [...new Set(instances.map((f) => f.vendor))];
  if (instances.length === 0 || vendors.length !== 1) return undefined;
  const vendor = vendors[0];
  const ami = findAmi(amiFamily, vendor);

  if (capacityType === CapacityType.SPOT && efa) {
    out.warn(
      `${at}.capacityType`,
      capacityType,
      'spot capacity for an EFA training pool risks losing every node of a job at once',
    );
  }

  // Karpenter keeps no minimum; EFA pools are built on managed node groups.
  if (provisioner === Provisioner.KARPENTER) {
    out.check(
      minNodes === 0,
      `${at}.minNodes`,
      minNodes,
      'must be 0 with provisioner karpenter (Karpenter keeps no idle minimum); use managed-node-group for a floor',
    );
    out.check(
      !efa,
      `${at}.efa`,
      efa,
      'needs provisioner managed-node-group (this library builds EFA, placement groups and single-AZ pools on managed node groups)',
    );
    // A Karpenter pool is a NodePool object applied by kubectl, not a CloudFormation resource a stack policy can name.
    out.check(
      pool.protect !== true,
      `${at}.protect`,
      pool.protect,
      'needs provisioner managed-node-group (a stack policy protects CloudFormation resources; a Karpenter NodePool is a Kubernetes object)',
    );
  }

  const sizes = instances.map((f) => f.acceleratorCount);
  if (new Set(sizes).size > 1 && provisioner === Provisioner.MANAGED_NODE_GROUP) {
    out.warn(
      `${at}.instanceTypes`,
      pool.instanceTypes,
      'mixes accelerator counts in one managed node group; Cluster Autoscaler plans with the first type, so a pod may wait for a node that fits',
    );
  }
  if (!ami || nodeProblems.length > 0) return undefined;
  return {
    name: pool.name,
    instanceTypes: [...pool.instanceTypes],
    instances,
    vendor,
    minAcceleratorsPerNode: Math.min(...sizes),
    maxAcceleratorsPerNode: Math.max(...sizes),
    minNodes,
    maxNodes: pool.maxNodes,
    capacityType,
    capacityReservationId: pool.capacityReservationId,
    amiFamily,
    ami,
    provisioner,
    efa,
    diskGiB,
    labels: { ...pool.labels },
    protect: pool.protect ?? false,
    nodes: new PoolNodes({
      poolName: pool.name,
      instanceTypes: pool.instanceTypes,
      amiFamily,
      efa,
      labels: pool.labels,
    }),
  };
}
