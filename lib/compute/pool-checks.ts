import { amiFamiliesFor, findAmi, type AmiFamily } from '../catalog/ami';
import { CAPACITY_BLOCK_FAMILIES, findInstance, knownFamilies, type InstanceFacts } from '../catalog/accelerators';
import { ProblemList, type Problem } from '../core/problems';
import { CapacityType } from './capacity-type';
import { NODE_POOL_DEFAULTS } from './defaults';
import { nodeLabelProblems } from './node-labels';

/** What a pool's nodes are: checked by {@link poolNodesProblems}, described by `PoolNodes`. */
export interface PoolNodesSpec {
  /** Instance types of the accelerator catalog, all of one accelerator vendor. */
  readonly instanceTypes: string[];
  /** @default AmiFamily.AL2023 */
  readonly amiFamily?: AmiFamily;
  /** EFA interfaces on every node; every type must support EFA. @default false */
  readonly efa?: boolean;
  /** Extra node labels (checked like kubelet, EKS and Karpenter check them). @default - none */
  readonly labels?: Record<string, string>;
}

/** A pool's size and capacity: checked by {@link nodePoolProblems} with its nodes. */
export interface NodePoolSpec extends PoolNodesSpec {
  /** @default 0 */
  readonly minNodes?: number;
  readonly maxNodes: number;
  /** @default CapacityType.ON_DEMAND */
  readonly capacityType?: CapacityType;
  /** The Capacity Block reservation; required with CapacityType.CAPACITY_BLOCK. @default - none */
  readonly capacityReservationId?: string;
  /** Root volume size in GiB. @default 100 */
  readonly diskGiB?: number;
}

/** Managed node group maximum size (EKS service quota "Maximum number of nodes per managed node group"). */
export const MAX_NODES_PER_NODE_GROUP = 1000;
/** gp3 root volume sizes EC2 accepts, in GiB (EBS volume types: gp3 1 GiB–16 TiB; 20 GiB for the EKS AMIs). */
const DISK_GIB = { min: 20, max: 16384 };

/**
 * Problems of a pool's nodes: catalog instance types of one accelerator vendor, an AMI family for that
 * vendor, EFA on every type when asked, and node labels kubelet, EKS and Karpenter accept. Field names are
 * the spec's (`instanceTypes[1]`, `amiFamily`, `labels.<key>`).
 */
export function poolNodesProblems(spec: PoolNodesSpec): Problem[] {
  const out = new ProblemList();
  const instances: InstanceFacts[] = [];
  out.check(spec.instanceTypes.length > 0, 'instanceTypes', spec.instanceTypes, 'must list at least one instance type');
  spec.instanceTypes.forEach((type, j) => {
    const facts = findInstance(type);
    if (facts) instances.push(facts);
    else
      out.add(
        `instanceTypes[${j}]`,
        type,
        `is not in the accelerator catalog; known families: ${knownFamilies().join(', ')}`,
      );
  });
  spec.instanceTypes.forEach((type, j) => {
    if (spec.instanceTypes.indexOf(type) !== j) out.add(`instanceTypes[${j}]`, type, 'is listed twice');
  });
  const vendors = [...new Set(instances.map((f) => f.vendor))];
  if (vendors.length > 1)
    out.add('instanceTypes', spec.instanceTypes, `must all have one accelerator vendor; found ${vendors.join(', ')}`);
  if (vendors.length === 1) {
    const amiFamily = spec.amiFamily ?? NODE_POOL_DEFAULTS.amiFamily;
    if (!findAmi(amiFamily, vendors[0])) {
      out.add(
        'amiFamily',
        amiFamily,
        `does not support ${vendors[0]} instances; use one of: ${amiFamiliesFor(vendors[0]).join(', ')}`,
      );
    }
  }
  if (spec.efa ?? NODE_POOL_DEFAULTS.efa) {
    for (const f of instances.filter((i) => i.maxEfaInterfaces === 0)) {
      out.add(
        `instanceTypes[${spec.instanceTypes.indexOf(f.instanceType)}]`,
        f.instanceType,
        'does not support EFA; with efa: true use EFA-capable types such as p5.48xlarge, p4d.24xlarge, g6e.48xlarge or trn1.32xlarge',
      );
    }
  }
  for (const [key, value] of Object.entries(spec.labels ?? {})) {
    for (const problem of nodeLabelProblems({ [key]: value })) out.add(`labels.${key}`, value, problem);
  }
  return out.problems;
}

/** Problems of a pool: its nodes ({@link poolNodesProblems}), its size, disk and capacity type. */
export function nodePoolProblems(spec: NodePoolSpec): Problem[] {
  const out = new ProblemList();
  const minNodes = spec.minNodes ?? NODE_POOL_DEFAULTS.minNodes;
  const diskGiB = spec.diskGiB ?? NODE_POOL_DEFAULTS.diskGiB;
  const capacityType = spec.capacityType ?? NODE_POOL_DEFAULTS.capacityType;
  for (const [field, value] of [
    ['minNodes', minNodes],
    ['maxNodes', spec.maxNodes],
    ['diskGiB', diskGiB],
  ] as const) {
    out.check(Number.isInteger(value), field, value, 'must be a whole number');
  }
  out.check(minNodes >= 0, 'minNodes', minNodes, 'must be >= 0');
  out.check(spec.maxNodes >= 1, 'maxNodes', spec.maxNodes, 'must be >= 1');
  out.check(spec.maxNodes >= minNodes, 'maxNodes', spec.maxNodes, `must be >= minNodes (${minNodes})`);
  out.check(
    spec.maxNodes <= MAX_NODES_PER_NODE_GROUP,
    'maxNodes',
    spec.maxNodes,
    `must be <= ${MAX_NODES_PER_NODE_GROUP} (the managed node group limit)`,
  );
  out.check(
    diskGiB >= DISK_GIB.min && diskGiB <= DISK_GIB.max,
    'diskGiB',
    diskGiB,
    `must be between ${DISK_GIB.min} and ${DISK_GIB.max}`,
  );
  if (capacityType === CapacityType.CAPACITY_BLOCK) {
    // EC2 resource IDs: cr- and 17 hexadecimal digits (CapacityReservationId, e.g. cr-1234567890abcdef0 in the EC2 API reference).
    out.check(
      /^cr-[0-9a-f]{17}$/.test(spec.capacityReservationId ?? ''),
      'capacityReservationId',
      spec.capacityReservationId,
      'is required with capacityType capacity-block and must be cr- followed by 17 hexadecimal digits, e.g. cr-0123456789abcdef0',
    );
    spec.instanceTypes.forEach((type, i) => {
      const family = findInstance(type)?.family;
      if (family !== undefined && !CAPACITY_BLOCK_FAMILIES.includes(family)) {
        out.add(
          `instanceTypes[${i}]`,
          type,
          `is not offered as Capacity Blocks; families that are: ${CAPACITY_BLOCK_FAMILIES.join(', ')} (EC2 user guide, Capacity Blocks for ML)`,
        );
      }
    });
    out.check(
      spec.instanceTypes.length === 1,
      'instanceTypes',
      spec.instanceTypes,
      "must name exactly one instance type with capacity-block (the reservation's type)",
    );
  } else if (spec.capacityReservationId !== undefined) {
    out.add('capacityReservationId', spec.capacityReservationId, 'is only valid with capacityType capacity-block');
  }
  return [...out.problems, ...poolNodesProblems(spec)];
}
