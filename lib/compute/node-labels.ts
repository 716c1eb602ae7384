// Kubernetes label syntax: apimachinery validation IsQualifiedName / IsValidLabelValue
// (k8s.io/apimachinery/pkg/util/validation/validation.go).
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Label domains a user may not set on nodes:
 * - `kubernetes.io` / `k8s.io` (and subdomains): the NodeRestriction admission plugin stops kubelets from
 *   setting them, except `kubelet.kubernetes.io`, `node.kubernetes.io` and a few well-known keys
 *   (kubernetes/plugin/pkg/admission/noderestriction; kubelet `--node-labels` validation in
 *   pkg/kubelet/apis/well_known_labels.go).
 * - `karpenter.sh`, `karpenter.k8s.aws`: rejected by the Karpenter v1 NodePool CRD's CEL rules on
 *   `spec.template.metadata.labels` (crds/karpenter/karpenter.sh_nodepools.yaml).
 * - `ai-platform`: the library's own labels.
 */
const RESTRICTED_DOMAINS = ['kubernetes.io', 'k8s.io', 'karpenter.sh', 'karpenter.k8s.aws', 'ai-platform'];
const ALLOWED_KUBE_DOMAINS = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/**
 * Problems of node labels a user adds to a pool: syntax, length and restricted domains. Empty when valid.
 * Lengths are the EKS node group API's, stricter than Kubernetes': a whole key of 1..63 characters and a
 * value of 1..63 (EKS API reference, UpdateLabelsPayload / CreateNodegroup `labels`), so a label that works
 * on a managed node group works on a Karpenter pool too.
 */
export function nodeLabelProblems(labels: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.indexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (
      !(key.length <= 63 && name.length >= 1 && LABEL_NAME.test(name)) ||
      (slash >= 0 && !DNS_SUBDOMAIN.test(prefix))
    ) {
      problems.push(
        `key '${key}' must be a qualified name of at most 63 characters: an optional DNS subdomain prefix and '/', then [A-Za-z0-9-_.] starting and ending alphanumeric`,
      );
      continue;
    }
    const domain = prefix.toLowerCase();
    const restricted = RESTRICTED_DOMAINS.find((d) => domain === d || domain.endsWith(`.${d}`));
    const allowed = ALLOWED_KUBE_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
    if (restricted && !allowed) problems.push(`key '${key}' uses the restricted label domain '${restricted}'`);
    if (typeof value !== 'string' || !(value.length >= 1 && value.length <= 63 && LABEL_NAME.test(value))) {
      problems.push(`value of '${key}' ('${value}') must be 1..63 of [A-Za-z0-9-_.] starting and ending alphanumeric`);
    }
  }
  return problems;
}
