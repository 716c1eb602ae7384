import { deepFreeze } from '../../catalog/deep-freeze';

/**
 * Pod annotations for pods that must not be moved while they run (training pods: a lost worker restarts the whole
 * job; a launcher: it watches its run). Karpenter does not voluntarily disrupt a node running a pod with
 * `karpenter.sh/do-not-disrupt` (karpenter.sh docs, "Disruption": Pod-level controls), and Cluster Autoscaler does
 * not scale down a node whose pod says `safe-to-evict: "false"` (cluster-autoscaler FAQ, "What types of pods can
 * prevent CA from removing a node?"). Neither stops a drain or an involuntary eviction.
 */
export const DO_NOT_DISRUPT = deepFreeze({
  'karpenter.sh/do-not-disrupt': 'true',
  'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
});
