import type { ResolvedDefinition } from '../definition/resolved';
import { findInstance } from '../catalog/accelerators';

/** Hours in an average month. */
export const HOURS_PER_MONTH = 730;

/** Monthly on-demand cost of one pool at maxNodes of its most expensive type, and of the system nodes. */
export interface ComputeCostCeiling {
  readonly pools: Record<string, number>;
  readonly systemNodes: number;
  readonly total: number;
}

/**
 * The most the definition's compute can cost a month at on-demand catalog prices: every pool at maxNodes of
 * its most expensive type, plus the system nodes. Spot and Capacity Blocks cost less; this is a ceiling.
 */
export function computeCostCeiling(def: ResolvedDefinition): ComputeCostCeiling {
  const pools = Object.fromEntries(def.nodePools.map((p) => [
    p.name, p.maxNodes * Math.max(...p.instances.map((f) => f.onDemandHourlyUsd)) * HOURS_PER_MONTH,
  ]));
  const systemNodes = def.cluster.systemNodes * (findInstance(def.cluster.systemInstanceType)?.onDemandHourlyUsd ?? 0) * HOURS_PER_MONTH;
  const total = Object.values(pools).reduce((a, b) => a + b, 0) + systemNodes;
  return { pools, systemNodes, total };
}
