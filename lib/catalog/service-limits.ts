import { deepFreeze } from './deep-freeze';
/**
 * The limits AWS and Kubernetes enforce on what the library generates, in one place, each with its source.
 * The definition's rules and the standalone constructs check values against these before synthesis, so a
 * value a service would reject fails synth with its field path instead of a rollback.
 */

/** CloudFormation quotas (CloudFormation user guide, "Understand CloudFormation quotas"). */
export const CLOUDFORMATION = deepFreeze({
  /** Resources declared in one template. */
  maxResources: 500,
  /** Outputs declared in one template. */
  maxOutputs: 200,
  /** Template body size when uploaded through S3 (the CDK CLI uploads large templates), bytes. */
  maxTemplateBytes: 1_000_000,
} as const);

/**
 * Resource tags (CloudFormation `Tag` type and the Tagging API: "Tag naming limits and requirements"):
 * keys 1..128 and values 0..256 of Unicode letters, digits, spaces and `_ . : / = + - @`, no `aws:` prefix.
 */
export const TAGS = deepFreeze({
  maxKeyLength: 128,
  maxValueLength: 256,
  pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  /** Tags per resource (EKS node groups, like most resources, accept 50: EKS user guide, "Tag your Amazon EKS resources"). */
  maxPerResource: 50,
} as const);

/** Problems of one tag; empty when CloudFormation and the service would accept it. */
export function tagProblems(key: string, value: string): string[] {
  const problems: string[] = [];
  if (key.length < 1 || key.length > TAGS.maxKeyLength) problems.push(`key must be 1..${TAGS.maxKeyLength} characters`);
  if (!TAGS.pattern.test(key)) problems.push('key may hold only letters, digits, spaces and _ . : / = + - @');
  if (/^aws:/i.test(key)) problems.push("key must not start with 'aws:' (reserved for AWS)");
  if (value.length > TAGS.maxValueLength) problems.push(`value must be at most ${TAGS.maxValueLength} characters`);
  if (!TAGS.pattern.test(value)) problems.push('value may hold only letters, digits, spaces and _ . : / = + - @');
  return problems;
}

/** Kubernetes API machinery (k8s.io/apimachinery/pkg/util/validation/validation.go). */
export const KUBERNETES = deepFreeze({
  /** IsDNS1123Label: namespaces, Service names, label values' shape. */
  dns1123Label: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  maxLabelLength: 63,
  /** IsDNS1123Subdomain: most object names (PersistentVolume, ConfigMap, ...). */
  dns1123Subdomain: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  maxSubdomainLength: 253,
  /** int32 fields (replicas, ports, HPA targets): the OpenAPI `format: int32` of the API types. */
  maxInt32: 2_147_483_647,
} as const);

/**
 * Namespaces a team or workload may not take: those the cluster owns (`default`, `kube-*`; Kubernetes
 * "Namespaces": initial namespaces, and the `kube-` prefix reserved for Kubernetes system namespaces) and
 * those the platform installs its operators and agents into.
 */
export const RESERVED_NAMESPACES: readonly string[] = deepFreeze([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'karpenter',
  'keda',
  'kuberay-system',
  'jobset-system',
  'amazon-cloudwatch',
  'mount-s3',
]);

/** Why a namespace may not be used, or undefined when it may. */
export function reservedNamespaceReason(name: string): string | undefined {
  if (name.startsWith('kube-')) return "the 'kube-' prefix is reserved for Kubernetes system namespaces";
  if (RESERVED_NAMESPACES.includes(name))
    return `'${name}' is a namespace the cluster or the platform owns (${RESERVED_NAMESPACES.join(', ')})`;
  return undefined;
}

/** IAM quotas (IAM user guide, "IAM and AWS STS quotas"). */
export const IAM = deepFreeze({
  maxRoleNameLength: 64,
  maxRoleDescriptionLength: 1000,
} as const);

/**
 * A description cut to fit `max` characters (IAM CreateRole / CreatePolicy: Description at most 1,000): the
 * platform writes some from user names (a workload's zones), which must never make aws-iam throw.
 */
export function fitDescription(text: string, max: number = IAM.maxRoleDescriptionLength): string {
  if (text.length <= max) return text;
  // Cut on a code point, not inside a surrogate pair.
  return `${text.slice(0, max - 3).replace(/[\uD800-\uDBFF]$/, '')}...`;
}

/** AWS Budgets: `BudgetLimit.Amount` is a decimal string matching `([0-9]*\.)?[0-9]+` (Budgets API, Spend). */
export const BUDGETS = deepFreeze({
  amountPattern: /^([0-9]*\.)?[0-9]+$/,
} as const);

/** Whether a budget amount renders as a decimal string Budgets accepts (JavaScript writes 1e21 and up with an exponent). */
export function isBudgetAmount(amount: number): boolean {
  return Number.isFinite(amount) && amount > 0 && BUDGETS.amountPattern.test(String(amount));
}

/**
 * A container image reference as the container runtimes parse it (distribution/reference grammar:
 * `[host[:port]/]path[:tag][@digest]`, lowercase path components, tags of up to 128 characters).
 */
export const IMAGE_REFERENCE = new RegExp(
  [
    // An optional registry: a first component with a dot or a port, or localhost (otherwise it is a path).
    '^(?:(?:localhost|[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)+)(?::[0-9]+)?/|[a-zA-Z0-9-]+:[0-9]+/)?',
    // Lowercase path components separated by `/`.
    '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*',
    // An optional tag and digest.
    '(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
  ].join(''),
);

/**
 * Hex digits of an image digest by algorithm (OCI image spec, "Digests": sha256 is 64 and sha512 128 lowercase
 * hex digits; go-digest, which containerd uses, also verifies sha384, 96).
 */
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  sha256: 64,
  sha384: 96,
  sha512: 128,
});

/** Smallest KEDA metric target: KEDA sends the HPA int64(target * 1000) milli-units (pkg/scalers/scaler.go GetMetricTargetMili). */
export const KEDA_MIN_TARGET = 0.001;

/** Longest image reference the library accepts (distribution/reference NameTotalLengthMax is 255 for the name). */
export const MAX_IMAGE_REFERENCE_LENGTH = 512;

/**
 * An IPv4 CIDR: the address parts, the prefix, and whether host bits are set (`10.0.0.1/16` names the network
 * 10.0.0.0/16 with a host part, which EC2 and EKS reject or silently truncate).
 */
export function parseCidr(value: string): { network: string; prefix: number; hostBits: boolean } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const base = address - (address % size);
  const network = [24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.');
  return { network: `${network}/${prefix}`, prefix, hostBits: base !== address };
}

/**
 * Whether subnets of the given masks, allocated in order and each aligned to its size (as aws-ec2's
 * NetworkBuilder allocates a VPC's subnets), fit a network of `prefix`.
 */
export function subnetsFit(prefix: number, masks: number[]): boolean {
  let next = 0;
  for (const mask of masks) {
    const size = 2 ** (32 - mask);
    const start = Math.ceil(next / size) * size;
    next = start + size;
  }
  return next <= 2 ** (32 - prefix);
}
