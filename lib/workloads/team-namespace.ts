import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { throwIfProblems } from '../core/problems';
import { namespaceProblems } from './workload-checks';

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
}

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
 * come from the node's own address, which the agent always admits (aws/aws-network-policy-agent PR 65), and
 * egress (DNS included) is not restricted.
 */
export class TeamNamespace extends Chart {
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: TeamNamespaceProps) {
    super(scope, id, { labels: props.labels, disableResourceNameHashes: true });
    this.namespaceName = props.name;
    const ns = props.name;
    throwIfProblems('TeamNamespace', namespaceProblems('name', ns));
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
        spec: { hard: Object.fromEntries(quota.map(([resource, n]) => [`requests.${resource}`, k8s.Quantity.fromNumber(n)])) },
      });
    }

    new k8s.KubeLimitRange(this, 'Defaults', {
      metadata: { name: 'container-defaults', namespace: ns },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
          default: { memory: k8s.Quantity.fromString('512Mi') },
        }],
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
    const tcp = (ports: number[]) => [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
    const ports = props.servicePorts ?? [];
    if (ports.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'ServicePorts', {
        metadata: { name: 'allow-service-ports', namespace: ns },
        spec: {
          podSelector: { matchLabels: { 'ai-platform/serves': 'true' } },
          policyTypes: ['Ingress'],
          ingress: [{
            // Pods of any namespace, and scrapers outside the pod network (ipBlock).
            from: [{ namespaceSelector: {} }, ...(props.scraperCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))],
            ports: tcp(ports),
          }],
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
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': op.fromNamespace } } }], ports: tcp(op.ports) }],
        },
      });
    }
  }
}
