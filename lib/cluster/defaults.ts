import { deepFreeze } from '../catalog/deep-freeze';
import { DEFAULT_KUBERNETES_VERSION } from '../catalog/versions';

/** Defaults of GpuCluster (reused by the definition). */
export const CLUSTER_DEFAULTS = deepFreeze({
  kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
  systemInstanceType: 't3.large',
  systemNodes: 2,
} as const);
