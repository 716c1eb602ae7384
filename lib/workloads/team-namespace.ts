import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { throwIfProblems, type Problem } from '../core/problems';
import { egressProblems, egressRule, type EgressAllowance } from './egress';
import { namespaceProblems, quotaProblems } from './workload-checks';

export { EgressProtocol, type EgressAllowance, type EgressPort } from './egress';

/** Props of {@link TeamNamespace}. */
export interface TeamNamespaceProps {
  /** Labels on every object of the chart. @default - none */
  readonly labels?: Record<string, string>;
  /** The namespace to create. */
  readonly name: string;
  /**
   * Accelerators the namespace may request in total, per extended resource
   * (e.g. `{ 'nvidia.com/gpu': 16 }`). @default - no accelerator quota
   */
  readonly acceleratorQuota?: Record<string, number>;
  /** Ports that pods of other namespaces may reach (the team's services). @default - none */
  readonly servicePorts?: number[];
  /**
   * Address ranges outside the cluster's pods admitted to the service ports, e.g. the VPC CIDR for the Amazon
   * Managed Service for Prometheus scraper, whose ENIs sit in the node subnets and scrape pods directly.
   * @default - none
   */
  readonly scraperCidrs?: string[];
  /** Pods of other namespaces admitted to selected pods of this one (operators that call their workloads). @default - none */
  readonly operatorIngress?: OperatorIngress[];
  /**
   * Destinations the namespace's pods may reach besides what every namespace gets (DNS, its own pods, HTTPS,
   * the EKS Pod Identity Agent), e.g. a database in the VPC (CIDRs) or an inference service of another
   * namespace (namespaces), on TCP, UDP or SCTP ports or port ranges. @default - none
   */
  readonly egress?: EgressAllowance[];
}

/**
 * The EKS Pod Identity Agent's IPv4 address, on the node (EKS user guide, "Set up the Amazon EKS Pod Identity
 * Agent": it listens on 169.254.170.23), port 80 (the credentials URI the webhook injects).
 */
const POD_IDENTITY_AGENT = '169.254.170.23/32';
/**
 * The ranges EKS picks the Service CIDR from when the cluster names none (EKS API, KubernetesNetworkConfigRequest
 * serviceIpv4Cidr: 10.100.0.0/16 or 172.20.0.0/16): DNS to the kube-dns ClusterIP is admitted by address too.
 */
const EKS_DEFAULT_SERVICE_CIDRS = ['10.100.0.0/16', '172.20.0.0/16'];

/** An operator's pods admitted to some pods of a namespace, on some ports. */
export interface OperatorIngress {
  /** A name for the policy, e.g. `kuberay-dashboard`. */
  readonly name: string;
  /** The operator's namespace. */
  readonly fromNamespace: string;
  /** Labels of the pods it may reach. */
  readonly podLabels: Record<string, string>;
  readonly ports: number[];
}

/**
 * A namespace for a team or a workload: Pod Security `restricted` enforced, a quota on accelerator
 * requests, a LimitRange so every container has requests, and a default-deny ingress NetworkPolicy that
 * still lets pods of the namespace talk to each other, lets the cluster (and scrapers) reach the team's
 * service ports, and lets named operators reach what they manage.
 *
 * The policies are enforced by the VPC CNI's network policy agent (GpuCluster turns it on). Kubelet probes
 * come from the node's own address, which the agent always admits (aws/aws-network-policy-agent PR 65); replies
 * to admitted connections pass both ways (the agent tracks connections).
 *
 * Egress is denied by default too, and admitted to: CoreDNS (UDP/TCP 53); the namespace's own pods on every
 * port (Ray head and workers, torchrun rendezvous, the Ray submitter); HTTPS anywhere; the EKS Pod Identity
 * Agent; and the `egress` the namespace declares. HTTPS anywhere is the honest rule: S3 is reached through the
 * VPC's gateway endpoint at S3's public addresses, named only by a managed prefix list, which a NetworkPolicy
 * cannot express; the interface endpoints, the EKS API, Amazon Managed Service for Prometheus and model hubs
 * are HTTPS too. What it closes: plain HTTP and every other port to the internet and the VPC, the instance
 * metadata service, and other namespaces' pods (except on 443, and what `egress` names).
 */
export class TeamNamespace extends Chart {
  public readonly namespaceName: string;

  /**
   * Problems of the props (the namespace's name, its quotas, declared egress), with field names relative to the
   * props; the definition reports the same rules under `teams[i]`.
   */
  public static check(props: TeamNamespaceProps): Problem[] {
    return [
      ...namespaceProblems('name', props.name),
      ...Object.entries(props.acceleratorQuota ?? {}).flatMap(([resource, quota]) =>
        quotaProblems(`acceleratorQuota.${resource}`, quota),
      ),
      ...egressProblems(props.egress ?? []),
    ];
  }

  constructor(scope: Construct, id: string, props: TeamNamespaceProps) {
    super(scope, id, { labels: props.labels, disableResourceNameHashes: true });
    this.namespaceName = props.name;
    const ns = props.name;
    throwIfProblems('TeamNamespace', TeamNamespace.check(props), this);
    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: ns,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });

    const quota = Object.entries(props.acceleratorQuota ?? {});
    if (quota.length > 0) {
      new k8s.KubeResourceQuota(this, 'AcceleratorQuota', {
        metadata: { name: 'accelerators', namespace: ns },
        spec: {
          hard: Object.fromEntries(quota.map(([resource, n]) => [`requests.${resource}`, k8s.Quantity.fromNumber(n)])),
        },
      });
    }

    new k8s.KubeLimitRange(this, 'Defaults', {
      metadata: { name: 'container-defaults', namespace: ns },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
            default: { memory: k8s.Quantity.fromString('512Mi') },
          },
        ],
      },
    });

    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny-ingress', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'SameNamespace', {
      metadata: { name: 'allow-same-namespace', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
    });
    const tcp = (ports: number[]) =>
      [...new Set(ports)]
        .sort((a, b) => a - b)
        .map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
    this.egressPolicies(ns, tcp, props.egress ?? []);
    const ports = props.servicePorts ?? [];
    if (ports.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'ServicePorts', {
        metadata: { name: 'allow-service-ports', namespace: ns },
        spec: {
          podSelector: { matchLabels: { 'ai-platform/serves': 'true' } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              // Pods of any namespace, and scrapers outside the pod network (ipBlock).
              from: [{ namespaceSelector: {} }, ...(props.scraperCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))],
              ports: tcp(ports),
            },
          ],
        },
      });
    }
    for (const op of props.operatorIngress ?? []) {
      new k8s.KubeNetworkPolicy(this, `Operator-${op.name}`, {
        metadata: { name: `allow-${op.name}`, namespace: ns },
        spec: {
          podSelector: { matchLabels: op.podLabels },
          policyTypes: ['Ingress'],
          // Every namespace carries `kubernetes.io/metadata.name` (set by the API server since Kubernetes 1.22).
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': op.fromNamespace } } }],
              ports: tcp(op.ports),
            },
          ],
        },
      });
    }
  }

  private egressPolicies(
    ns: string,
    tcp: (ports: number[]) => k8s.NetworkPolicyPort[],
    declared: EgressAllowance[],
  ): void {
    const egress = (id: string, name: string, rules: k8s.NetworkPolicyEgressRule[]) =>
      new k8s.KubeNetworkPolicy(this, id, {
        metadata: { name, namespace: ns },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: rules },
      });
    egress('DefaultDenyEgress', 'default-deny-egress', []);
    // CoreDNS by its labels (aws/aws-network-policy-agent issue 230, the maintainers' rule); the controller adds the
    // ClusterIPs of Services whose selector the peer matches (amazon-network-policy-controller-k8s resolvers/
    // endpoints.go getMatchingServiceClusterIPs), and the default Service ranges on port 53 keep DNS up if it lags.
    const dnsPorts = [
      { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
      { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
    ];
    egress('EgressDns', 'allow-dns', [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
          ...EKS_DEFAULT_SERVICE_CIDRS.map((cidr) => ({ ipBlock: { cidr } })),
        ],
        ports: dnsPorts,
      },
    ]);
    // Every port: Ray picks its worker and object-manager ports at run time, torchrun's store is on 29500.
    egress('EgressSameNamespace', 'allow-same-namespace-egress', [{ to: [{ podSelector: {} }] }]);
    egress('EgressHttps', 'allow-https', [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcp([443]) }]);
    egress('EgressPodIdentity', 'allow-pod-identity-agent', [
      { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: tcp([80]) },
    ]);
    for (const d of declared) egress(`Egress-${d.name}`, `allow-egress-${d.name}`, [egressRule(d)]);
  }
}
