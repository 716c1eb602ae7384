import { createHash } from 'node:crypto';
import type { ResolvedDefinition } from '../definition/resolved';
import { Provisioner } from '../definition/types';

/**
 * Which stack each managed pool and each workload goes to. Placement depends on the item's own name and
 * nothing else: a fixed number of shard stacks (`<name>-pools-<k>`, `<name>-workloads-<k>`, k = 1..N) is
 * always synthesized, and an item goes to the shard its name hashes to. So appending, removing (also from
 * the middle) or reordering pools and workloads never moves another one between stacks: no node group is
 * replaced and no Pod Identity association or Kubernetes object is created in one stack while another still
 * holds it. A shard with nothing in it is synthesized with no resources, and the CDK CLI deletes a deployed
 * stack whose template has none ("stack has no resources, deleting existing stack": aws-cdk
 * toolkit deploy, CDK_TOOLKIT_W5022), so a shard that empties is removed by the same `cdk deploy --all`.
 *
 * N is fixed (changing it would move items): 4 shards each take about 25 pools or 25 workloads of the
 * 100-pool, 100-service scale definition CI synthesizes, well within CloudFormation's 500 resources and 1 MB
 * per stack; the stack quota check at validation guards the real count.
 */
export interface StackLayout {
  /** Shard (1..POOL_STACKS) of each managed-node-group pool, by name. */
  readonly pools: ReadonlyMap<string, number>;
  /** Shard (1..WORKLOAD_STACKS) of each inference service and training job, by name. */
  readonly workloads: ReadonlyMap<string, number>;
}

/** Number of `<name>-pools-<k>` stacks. Part of the contract: changing it moves pools between stacks. */
export const POOL_STACKS = 4;
/** Number of `<name>-workloads-<k>` stacks. Part of the contract: changing it moves workloads between stacks. */
export const WORKLOAD_STACKS = 4;

/** The shard (1..shards) a name hashes to: the first 32 bits of its SHA-256, modulo the shard count. */
export function shardOf(name: string, shards: number): number {
  return (createHash('sha256').update(name).digest().readUInt32BE(0) % shards) + 1;
}

export function layoutStacks(def: ResolvedDefinition): StackLayout {
  // Karpenter pools are one manifest each and stay with the Karpenter controller in the platform stack.
  const managed = def.nodePools.filter((p) => p.provisioner === Provisioner.MANAGED_NODE_GROUP);
  return {
    pools: new Map(managed.map((p) => [p.name, shardOf(p.name, POOL_STACKS)])),
    workloads: new Map([...def.inference, ...def.training].map((w) => [w.name, shardOf(w.name, WORKLOAD_STACKS)])),
  };
}
