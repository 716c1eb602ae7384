import { Token } from 'aws-cdk-lib';
import { AcceleratorVendor, findInstance, knownFamilies } from '../catalog/accelerators';
import { findKubernetesVersion, missingKubectlLayer, supportedKubernetesVersions } from '../catalog/versions';
import { ProblemList, type Problem } from '../core/problems';
import { IAM } from '../catalog/service-limits';

const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::\d{12}:role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/;

/** What {@link clusterProblems} checks (GpuCluster's props, or the definition's `cluster`). */
export interface ClusterSpec {
  readonly kubernetesVersion?: string;
  readonly adminRoleArns?: string[];
  readonly systemInstanceType?: string;
  readonly systemNodes?: number;
}

/**
 * The rules of a cluster: a Kubernetes version of the catalog whose kubectl layer is installed, admin roles
 * that are role ARNs (one access entry each), a general-purpose system node type and 1..10 system nodes.
 */
export function clusterProblems(spec: ClusterSpec): Problem[] {
  const out = new ProblemList();
  const version = spec.kubernetesVersion;
  if (version !== undefined && !Token.isUnresolved(version)) {
    if (
      out.check(
        findKubernetesVersion(version) !== undefined,
        'kubernetesVersion',
        version,
        `must be a supported version: ${supportedKubernetesVersions().join(', ')}`,
      )
    ) {
      const missing = missingKubectlLayer(version);
      if (missing)
        out.add(
          'kubernetesVersion',
          version,
          `needs the kubectl layer package of that version: npm install ${missing}`,
        );
    }
  }
  const arns = spec.adminRoleArns ?? [];
  arns.forEach((arn, i) => {
    if (Token.isUnresolved(arn)) return;
    const m = ROLE_ARN.exec(arn);
    if (
      !out.check(
        m !== null,
        `adminRoleArns[${i}]`,
        arn,
        'must be an IAM role ARN (arn:aws:iam::123456789012:role/name); account roots and users are not accepted',
      )
    )
      return;
    // IAM quotas: a role name is at most 64 characters (the path before it is not part of the name).
    out.check(
      m![2].length <= IAM.maxRoleNameLength,
      `adminRoleArns[${i}]`,
      arn,
      `has a role name of ${m![2].length} characters; IAM allows ${IAM.maxRoleNameLength}`,
    );
    // An access entry names a principal of the cluster's own partition (aws, aws-cn, aws-us-gov): they cannot all be right.
    const first = arns.map((a) => ROLE_ARN.exec(a)?.[1]).find((p) => p !== undefined);
    if (first !== undefined && m![1] !== first) {
      out.add(
        `adminRoleArns[${i}]`,
        arn,
        `is in partition ${m![1]}, but adminRoleArns[${arns.findIndex((a) => ROLE_ARN.exec(a)?.[1] === first)}] is in ${first}: a cluster's access entries are in its own partition`,
      );
    }
    // One access entry per principal: EKS CreateAccessEntry fails (ResourceInUseException) for a second one.
    if (arns.indexOf(arn) !== i)
      out.add(`adminRoleArns[${i}]`, arn, 'is listed twice (EKS takes one access entry per principal)');
  });
  const type = spec.systemInstanceType;
  if (type !== undefined && !Token.isUnresolved(type)) {
    const sys = findInstance(type);
    out.check(
      sys !== undefined && sys.vendor === AcceleratorVendor.NONE,
      'systemInstanceType',
      type,
      `must be a general-purpose type of the catalog (${knownFamilies()
        .filter((f) => findInstance(`${f}.large`)?.vendor === AcceleratorVendor.NONE)
        .join(', ')})`,
    );
  }
  const nodes = spec.systemNodes;
  if (nodes !== undefined && !Token.isUnresolved(nodes))
    out.check(nodes >= 1 && nodes <= 10, 'systemNodes', nodes, 'must be between 1 and 10');
  return out.problems;
}
