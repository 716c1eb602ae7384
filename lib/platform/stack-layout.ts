import type { ResolvedDefinition, ResolvedInference, ResolvedNodePool, ResolvedTraining } from '../definition/resolved';
import { CapacityType } from '../compute/capacity-type';
import { Provisioner } from '../definition/types';
import { CLOUDFORMATION } from '../catalog/service-limits';

/**
 * Which stack each pool and workload goes to, so large definitions stay within CloudFormation's 500
 * resources per stack. The seam is stable: pools and workloads are placed in definition order, each kind in
 * its own sequence with its own share of the platform stack, then into overflow stacks
 * (`<name>-pools-<n>`, `<name>-workloads-<n>`). Appending pools or workloads never moves what came before,
 * and adding a pool never moves a workload (or the reverse). A definition that fits its shares (every
 * example, and about 30 pools and 25 workloads) keeps everything in the platform stack, as before.
 *
 * Placement uses an estimate of each item's resources (below, measured on synthesized templates); the stack
 * quota check at validation still guards the real count.
 */
export interface StackLayout {
  /** 0: the platform stack; n >= 2: `<name>-pools-<n>`. */
  readonly pools: ReadonlyMap<string, number>;
  /** 0: the platform stack; n >= 2: `<name>-workloads-<n>`. */
  readonly workloads: ReadonlyMap<string, number>;
}

/** What one item adds to a template: resources, and kilobytes of template (measured on synthesized templates). */
interface Weight { readonly resources: number; readonly kb: number }

/**
 * The platform stack's shares for pools and for workloads, and an overflow stack's budget. The platform stack
 * keeps room for its own base (network, cluster, add-ons, operators, metrics: about 110 resources and 150 KB,
 * plus team namespaces and one alerting rule per service). Both limits bind: CloudFormation's 500 resources
 * and its 1 MB template (CloudFormation quotas), with margin because the weights are estimates.
 */
export const PLATFORM_POOL_SHARE: Weight = { resources: 220, kb: 300 };
export const PLATFORM_WORKLOAD_SHARE: Weight = { resources: 120, kb: 300 };
const OVERFLOW_BUDGET: Weight = { resources: CLOUDFORMATION.maxResources - 60, kb: 700 };

/** One managed pool: node group, launch template, node role, the scale-from-zero custom resources and policies. */
export function poolWeight(p: ResolvedNodePool): Weight {
  const efa = p.efa ? 1 : 0;
  const block = p.capacityType === CapacityType.CAPACITY_BLOCK ? 1 : 0;
  return { resources: 9 + efa + 4 * block, kb: 18 + efa + 8 * block };
}

/** One workload: its chart, its own namespace, its data-access role, policy and association. */
export function workloadWeight(w: ResolvedInference | ResolvedTraining, ownNamespace: boolean): Weight {
  const data = w.dataAccess.length > 0 ? 1 : 0;
  const own = ownNamespace ? 1 : 0;
  return { resources: 1 + own + 3 * data, kb: 7 + 3 * own + 2 * data + (w.dataAccess.some((a) => a.mountPath) ? 3 : 0) };
}

function place<T>(items: T[], name: (t: T) => string, weight: (t: T) => Weight, first: Weight): Map<string, number> {
  const out = new Map<string, number>();
  let shard = 0;
  let used = { resources: 0, kb: 0 };
  for (const item of items) {
    const w = weight(item);
    const budget = shard === 0 ? first : OVERFLOW_BUDGET;
    const full = used.resources + w.resources > budget.resources || used.kb + w.kb > budget.kb;
    if (full && used.resources > 0) {
      shard = shard === 0 ? 2 : shard + 1;
      used = { resources: 0, kb: 0 };
    }
    out.set(name(item), shard);
    used = { resources: used.resources + w.resources, kb: used.kb + w.kb };
  }
  return out;
}

export function layoutStacks(def: ResolvedDefinition): StackLayout {
  const teams = new Set(def.teams.map((t) => t.name));
  const workloads = [...def.inference, ...def.training];
  return {
    // Karpenter pools are one manifest each and stay with the Karpenter controller in the platform stack.
    pools: place(def.nodePools.filter((p) => p.provisioner === Provisioner.MANAGED_NODE_GROUP), (p) => p.name, poolWeight, PLATFORM_POOL_SHARE),
    workloads: place(workloads, (w) => w.name, (w) => workloadWeight(w, !teams.has(w.namespace)), PLATFORM_WORKLOAD_SHARE),
  };
}
