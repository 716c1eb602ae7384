import { deepFreeze } from '../catalog/deep-freeze';
import { AmiFamily } from '../catalog/ami';
import { CapacityType } from './capacity-type';

/** Defaults of a pool's nodes, applied by GpuNodePool, KarpenterNodePool and PoolNodes (and reused by the definition). */
export const NODE_POOL_DEFAULTS = deepFreeze({
  minNodes: 0,
  capacityType: CapacityType.ON_DEMAND,
  amiFamily: AmiFamily.AL2023,
  efa: false,
  diskGiB: 100,
} as const);
