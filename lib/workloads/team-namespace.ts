import { Chart, type ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';

/** Props of {@link TeamNamespace}. */
export interface TeamNamespaceProps extends ChartProps {
  /** The namespace to create. */
  readonly name: string;
  /**
   * Accelerators the namespace may request in total, per extended resource
   * (e.g. `{ 'nvidia.com/gpu': 16 }`). @default - no accelerator quota
   */
  readonly acceleratorQuota?: Record<string, number>;
  /** Ports that pods of other namespaces may reach (the team's services). @default - none */
  readonly servicePorts?: number[];
}

/**
 * A namespace for a team or a workload: Pod Security `restricted` enforced, a quota on accelerator
 * requests, a LimitRange so every container has requests, and a default-deny ingress NetworkPolicy that
 * still lets pods of the namespace talk to each other and lets the cluster reach the team's service ports.
 */
export class TeamNamespace extends Chart {
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: TeamNamespaceProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    this.namespaceName = props.name;
    const ns = props.name;
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
    const ports = [...new Set(props.servicePorts ?? [])].sort((a, b) => a - b);
    if (ports.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'ServicePorts', {
        metadata: { name: 'allow-service-ports', namespace: ns },
        spec: {
          podSelector: { matchLabels: { 'ai-platform/serves': 'true' } },
          policyTypes: ['Ingress'],
          ingress: [{
            from: [{ namespaceSelector: {} }],
            ports: ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          }],
        },
      });
    }
  }
}
