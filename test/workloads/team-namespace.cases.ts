import { Testing } from 'cdk8s';
import { TeamNamespace } from '../../lib';

const docs = (props: Partial<ConstructorParameters<typeof TeamNamespace>[2]> = {}): any[] =>
  Testing.synth(new TeamNamespace(Testing.app(), 'ns', { name: 'research', ...props }));

test('Pod Security restricted is enforced, audited and warned', () => {
  expect(docs().find((d) => d.kind === 'Namespace').metadata.labels).toEqual({
    'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
  });
});

test('a quota on accelerator requests', () => {
  const quota = docs({ acceleratorQuota: { 'nvidia.com/gpu': 16 } }).find((d) => d.kind === 'ResourceQuota');
  expect(quota.spec.hard).toEqual({ 'requests.nvidia.com/gpu': 16 });
});

test('no quota object without a quota', () => {
  expect(docs().some((d) => d.kind === 'ResourceQuota')).toBe(false);
});

test('a LimitRange gives every container requests', () => {
  expect(docs().find((d) => d.kind === 'LimitRange').spec.limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' } });
});

test('default-deny ingress, same-namespace traffic, and the service ports from other namespaces', () => {
  const policies = docs({ servicePorts: [8000, 8000, 9000] }).filter((d) => d.kind === 'NetworkPolicy' && d.spec.policyTypes.includes('Ingress'));
  expect(policies.map((p) => p.metadata.name).sort()).toEqual(['allow-same-namespace', 'allow-service-ports', 'default-deny-ingress']);
  expect(policies.find((p) => p.metadata.name === 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  expect(policies.find((p) => p.metadata.name === 'allow-service-ports').spec.ingress[0].ports).toEqual([
    { protocol: 'TCP', port: 8000 }, { protocol: 'TCP', port: 9000 },
  ]);
});

describe('egress: denied by default, admitted where the platform\'s pods go', () => {
  // What the API server's NetworkPolicy semantics admit for a pod of `research` (Kubernetes docs, Network
  // Policies: a pod selected by an Egress policy may reach what some rule of some such policy allows).
  type Peer = { ip: string; ns?: string; labels?: Record<string, string> };
  const ipv4 = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const inCidr = (ip: string, cidr: string) => {
    const [net, bits] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(net) / size);
  };
  const selects = (sel: any, labels: Record<string, string> = {}) => Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const peerMatches = (p: any, to: Peer, policyNs: string) => {
    if (p.ipBlock) return inCidr(to.ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((e: string) => inCidr(to.ip, e));
    if (to.ns === undefined) return false;
    const nsOk = p.namespaceSelector ? selects(p.namespaceSelector, { 'kubernetes.io/metadata.name': to.ns }) : to.ns === policyNs;
    return nsOk && (p.podSelector ? selects(p.podSelector, to.labels) : true);
  };
  const allows = (policies: any[], to: Peer, port: number, protocol = 'TCP') => {
    const egress = policies.filter((p) => p.spec.policyTypes.includes('Egress'));
    if (egress.length === 0) return true;
    return egress.some((p) => (p.spec.egress ?? []).some((rule: any) =>
      (rule.to === undefined || rule.to.some((peer: any) => peerMatches(peer, to, p.metadata.namespace)))
      && (rule.ports === undefined || rule.ports.some((pp: any) => (pp.protocol ?? 'TCP') === protocol && (pp.port === undefined || pp.port === port)))));
  };
  const policies = docs().filter((d) => d.kind === 'NetworkPolicy');
  const coreDns: Peer = { ip: '10.0.12.9', ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

  test.each([
    ['CoreDNS over UDP', coreDns, 53, 'UDP'],
    ['CoreDNS over TCP', coreDns, 53, 'TCP'],
    ['the kube-dns ClusterIP (default Service range)', { ip: '172.20.0.10' }, 53, 'UDP'],
    ['a Ray worker of the namespace, any port (object manager)', { ip: '10.0.40.7', ns: 'research', labels: { 'ray.io/node-type': 'worker' } }, 45123, 'TCP'],
    ['torchrun\'s store on pod 0 of the namespace', { ip: '10.0.40.8', ns: 'research' }, 29500, 'TCP'],
    ['S3 through the gateway endpoint (public S3 addresses)', { ip: '52.216.8.1' }, 443, 'TCP'],
    ['an interface endpoint in the VPC', { ip: '10.0.3.20' }, 443, 'TCP'],
    ['the EKS Pod Identity Agent', { ip: '169.254.170.23' }, 80, 'TCP'],
  ] as const)('admits %s', (_, to, port, protocol) => {
    expect(allows(policies, to, port, protocol)).toBe(true);
  });

  test.each([
    ['plain HTTP to the internet', { ip: '93.184.216.34' }, 80, 'TCP'],
    ['the instance metadata service', { ip: '169.254.169.254' }, 80, 'TCP'],
    ['a pod of another namespace on its service port', { ip: '10.0.41.9', ns: 'serving', labels: { 'ai-platform/serves': 'true' } }, 8000, 'TCP'],
    ['a database in the VPC', { ip: '10.0.5.5' }, 5432, 'TCP'],
    ['DNS to anywhere but CoreDNS', { ip: '8.8.8.8' }, 53, 'UDP'],
  ] as const)('denies %s', (_, to, port, protocol) => {
    expect(allows(policies, to, port, protocol)).toBe(false);
  });

  test('a declared egress admits its ranges on its ports only', () => {
    const declared = docs({ egress: [{ name: 'postgres', cidrs: ['10.0.5.0/24'], ports: [5432] }] }).filter((d) => d.kind === 'NetworkPolicy');
    expect(allows(declared, { ip: '10.0.5.5' }, 5432)).toBe(true);
    expect(allows(declared, { ip: '10.0.5.5' }, 5433)).toBe(false);
    expect(allows(declared, { ip: '10.0.6.5' }, 5432)).toBe(false);
  });

  test('a declared egress with a bad name, CIDR or port is refused naming the field', () => {
    expect(() => docs({ egress: [{ name: 'Bad_Name', cidrs: ['10.0.5.1/24', '300.0.0.0/8'], ports: [0] }] }))
      .toThrow(/egress\[0\]\.name[\s\S]*egress\[0\]\.cidrs\[0\][\s\S]*10\.0\.5\.0\/24[\s\S]*egress\[0\]\.cidrs\[1\][\s\S]*egress\[0\]\.ports\[0\]/);
  });
});
