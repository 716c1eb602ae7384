import { amiFamiliesFor, findAmi } from '../catalog/ami';
import { findInstance, knownFamilies, type InstanceFacts } from '../catalog/accelerators';
import { nodeLabelProblems } from '../compute/pool-nodes';
import { DEFAULTS } from './defaults';
import type { ProblemCollector } from './problems';
import type { ResolvedNodePool } from './resolved';
import { duplicates, NAME_HINT, NAME_PATTERN } from './rules';
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

  out.check(NAME_PATTERN.test(pool.name) && pool.name.length <= 24, `${at}.name`, pool.name, `must be 1..24 characters: ${NAME_HINT}`);
  out.check(minNodes >= 0, `${at}.minNodes`, minNodes, 'must be >= 0');
  out.check(pool.maxNodes >= 1, `${at}.maxNodes`, pool.maxNodes, 'must be >= 1');
  out.check(pool.maxNodes >= minNodes, `${at}.maxNodes`, pool.maxNodes, `must be >= minNodes (${minNodes})`);
  out.check(pool.maxNodes <= 1000, `${at}.maxNodes`, pool.maxNodes, 'must be <= 1000 (the managed node group limit)');
  out.check(diskGiB >= 20 && diskGiB <= 16384, `${at}.diskGiB`, diskGiB, 'must be between 20 and 16384');

  // Instance types: known, one vendor.
  const instances: InstanceFacts[] = [];
  out.check(pool.instanceTypes.length > 0, `${at}.instanceTypes`, pool.instanceTypes, 'must list at least one instance type');
  pool.instanceTypes.forEach((type, j) => {
    const facts = findInstance(type);
    if (facts) {
      instances.push(facts);
    } else {
      out.error(`${at}.instanceTypes[${j}]`, type, `is not in the accelerator catalog; known families: ${knownFamilies().join(', ')}`);
    }
  });
  for (const dup of duplicates(pool.instanceTypes)) {
    out.error(`${at}.instanceTypes[${dup.index}]`, dup.name, 'is listed twice');
  }
  const vendors = [...new Set(instances.map((f) => f.vendor))];
  if (vendors.length > 1) {
    out.error(`${at}.instanceTypes`, pool.instanceTypes, `must all have one accelerator vendor; found ${vendors.join(', ')}`);
  }
  if (instances.length === 0 || vendors.length !== 1) return undefined;
  const vendor = vendors[0];

  const ami = findAmi(amiFamily, vendor);
  if (!ami) {
    out.error(`${at}.amiFamily`, amiFamily, `does not support ${vendor} instances; use one of: ${amiFamiliesFor(vendor).join(', ')}`);
  }

  // Capacity.
  if (capacityType === CapacityType.CAPACITY_BLOCK) {
    out.check(/^cr-[0-9a-f]{8,17}$/.test(pool.capacityReservationId ?? ''), `${at}.capacityReservationId`, pool.capacityReservationId,
      'is required with capacityType capacity-block and must look like cr-0123456789abcdef0');
    out.check(pool.instanceTypes.length === 1, `${at}.instanceTypes`, pool.instanceTypes, 'must name exactly one instance type with capacity-block (the reservation\'s type)');
  } else if (pool.capacityReservationId !== undefined) {
    out.error(`${at}.capacityReservationId`, pool.capacityReservationId, 'is only valid with capacityType capacity-block');
  }
  if (capacityType === CapacityType.SPOT && efa) {
    out.warn(`${at}.capacityType`, capacityType, 'spot capacity for an EFA training pool risks losing every node of a job at once');
  }

  // Karpenter keeps no minimum; EFA pools are built on managed node groups.
  if (provisioner === Provisioner.KARPENTER) {
    out.check(minNodes === 0, `${at}.minNodes`, minNodes, 'must be 0 with provisioner karpenter (Karpenter keeps no idle minimum); use managed-node-group for a floor');
    out.check(!efa, `${at}.efa`, efa, 'needs provisioner managed-node-group (this library builds EFA, placement groups and single-AZ pools on managed node groups)');
  }

  // EFA: every type must support it.
  if (efa) {
    instances.filter((f) => f.maxEfaInterfaces === 0).forEach((f) => {
      out.error(`${at}.instanceTypes[${pool.instanceTypes.indexOf(f.instanceType)}]`, f.instanceType,
        'does not support EFA; with efa: true use EFA-capable types such as p5.48xlarge, p4d.24xlarge, g6e.48xlarge or trn1.32xlarge');
    });
  }

  // Labels: the same rules GpuNodePool and KarpenterNodePool apply (Kubernetes syntax, kubelet- and
  // Karpenter-restricted domains, the library's own prefix).
  for (const [key, value] of Object.entries(pool.labels ?? {})) {
    for (const problem of nodeLabelProblems({ [key]: value })) out.error(`${at}.labels.${key}`, value, problem);
  }

  const sizes = instances.map((f) => f.acceleratorCount);
  if (new Set(sizes).size > 1 && provisioner === Provisioner.MANAGED_NODE_GROUP) {
    out.warn(`${at}.instanceTypes`, pool.instanceTypes,
      'mixes accelerator counts in one managed node group; Cluster Autoscaler plans with the first type, so a pod may wait for a node that fits');
  }
  if (!ami) return undefined;
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
    labels: { ...(pool.labels ?? {}) },
  };
}
