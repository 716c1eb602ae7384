import type { Problem } from '../core/problems';

/**
 * The pool of the cluster's own node group (GpuCluster's system nodes): the `ai-platform/pool` value that
 * operators, controllers and Helm releases select. No user pool may take it, or its nodes would match every
 * operator's node selector.
 */
export const SYSTEM_POOL_NAME = 'system';

/** Hexadecimal digits of `PoolNodes.replacementKey`, the `-<digest>` that ends a pool's node group name. */
export const REPLACEMENT_KEY_LENGTH = 8;

/** EKS node group names: 1..63 characters (CloudFormation AWS::EKS::Nodegroup NodegroupName; EKS CreateNodegroup API). */
const NODEGROUP_NAME_MAX_LENGTH = 63;
/**
 * Longest prefix a node group name may carry (`<prefix>-<pool>-<digest>`): AiPlatform's name, 3..28 characters.
 * GpuNodePool checks its `nodegroupNamePrefix` against it.
 */
export const NODEGROUP_NAME_PREFIX_MAX_LENGTH = 28;

/**
 * Longest pool name: what is left of a node group's 63 characters after the longest prefix and its `-`, and the
 * `-<digest>` suffix (25). Well within the 63 of a Kubernetes label value (`ai-platform/pool`, Karpenter's
 * `karpenter.sh/nodepool`) and a Karpenter NodePool / EC2NodeClass name (kubernetes.io, "Object Names and IDs").
 */
export const POOL_NAME_MAX_LENGTH =
  NODEGROUP_NAME_MAX_LENGTH - (NODEGROUP_NAME_PREFIX_MAX_LENGTH + 1) - (REPLACEMENT_KEY_LENGTH + 1);

/**
 * A DNS-1123 label (a Kubernetes object name, a label value, an EKS node group name part) that starts with a
 * letter, so a YAML definition never reads it as a number.
 */
const POOL_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Problems of a pool's name under `field` (`poolName` for the constructs, `name` in the definition): the one rule
 * GpuNodePool, KarpenterNodePool and the definition apply.
 */
export function poolNameProblems(name: string, field: string): Problem[] {
  if (!POOL_NAME.test(name) || name.length > POOL_NAME_MAX_LENGTH) {
    return [
      {
        field,
        value: name,
        message:
          `must be 1..${POOL_NAME_MAX_LENGTH} characters: lowercase letters, digits and "-", starting with a letter and ` +
          `not ending with "-" (a node label value, a Karpenter NodePool name and, after a prefix of up to ${NODEGROUP_NAME_PREFIX_MAX_LENGTH} ` +
          `characters, part of a node group name of at most ${NODEGROUP_NAME_MAX_LENGTH})`,
      },
    ];
  }
  if (name === SYSTEM_POOL_NAME) {
    return [
      {
        field,
        value: name,
        message:
          `is reserved for the cluster's system nodes: operators select nodes labelled ai-platform/pool=${SYSTEM_POOL_NAME}, ` +
          "so this pool's nodes would run every operator; choose another name",
      },
    ];
  }
  return [];
}

/** Problems of a node group name prefix (`field`): at most the length the pool-name limit leaves for it. */
export function nodegroupNamePrefixProblems(prefix: string, field: string): Problem[] {
  // EKS node group names: letters, digits, "-" and "_", starting with a letter or digit (AWS::EKS::Nodegroup NodegroupName).
  if (/^[0-9A-Za-z][A-Za-z0-9\-_]*$/.test(prefix) && prefix.length <= NODEGROUP_NAME_PREFIX_MAX_LENGTH) return [];
  return [
    {
      field,
      value: prefix,
      message: `must be 1..${NODEGROUP_NAME_PREFIX_MAX_LENGTH} letters, digits, "-" or "_", starting with a letter or digit (the start of a node group name)`,
    },
  ];
}
