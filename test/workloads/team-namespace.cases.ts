import { Testing } from 'cdk8s';
import { BlockList } from 'node:net';
import { EgressProtocol, TeamNamespace } from '../../lib';

const docs = (props: Partial<ConstructorParameters<typeof TeamNamespace>[2]> = {}): any[] =>
  Testing.synth(new TeamNamespace(Testing.app(), 'ns', { name: 'research', ...props }));

test('Pod Security restricted is enforced, audited and warned', () => {
  expect(docs().find((d) => d.kind === 'Namespace').metadata.labels).toEqual({
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
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
  expect(docs().find((d) => d.kind === 'LimitRange').spec.limits[0]).toMatchObject({
    type: 'Container',
    defaultRequest: { cpu: '100m', memory: '128Mi' },
  });
});

test('default-deny ingress, same-namespace traffic, and the service ports from other namespaces', () => {
  const policies = docs({ servicePorts: [8000, 8000, 9000] }).filter(
    (d) => d.kind === 'NetworkPolicy' && d.spec.policyTypes.includes('Ingress'),
  );
  expect(policies.map((p) => p.metadata.name).sort()).toEqual([
    'allow-same-namespace',
    'allow-service-ports',
    'default-deny-ingress',
  ]);
  expect(policies.find((p) => p.metadata.name === 'default-deny-ingress').spec).toEqual({
    podSelector: {},
    policyTypes: ['Ingress'],
  });
  expect(policies.find((p) => p.metadata.name === 'allow-service-ports').spec.ingress[0].ports).toEqual([
    { protocol: 'TCP', port: 8000 },
    { protocol: 'TCP', port: 9000 },
  ]);
});

describe("egress: denied by default, admitted where the platform's pods go", () => {
  // What the API server's NetworkPolicy semantics admit for a pod of `research` (Kubernetes docs, Network
  // Policies: a pod selected by an Egress policy may reach what some rule of some such policy allows).
  type Peer = { ip: string; ns?: string; labels?: Record<string, string> };
  // Node's BlockList matches addresses against subnets of either family (independent of the code under test).
  const inCidr = (ip: string, cidr: string) => {
    const [net, bits] = cidr.split('/');
    const family = net.includes(':') ? 'ipv6' : 'ipv4';
    if (family !== (ip.includes(':') ? 'ipv6' : 'ipv4')) return false;
    const block = new BlockList();
    block.addSubnet(net, Number(bits), family);
    return block.check(ip, family);
  };
  const selects = (sel: any, labels: Record<string, string> = {}) =>
    Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const peerMatches = (p: any, to: Peer, policyNs: string) => {
    if (p.ipBlock)
      return inCidr(to.ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((e: string) => inCidr(to.ip, e));
    if (to.ns === undefined) return false;
    const nsOk = p.namespaceSelector
      ? selects(p.namespaceSelector, { 'kubernetes.io/metadata.name': to.ns })
      : to.ns === policyNs;
    return nsOk && (p.podSelector ? selects(p.podSelector, to.labels) : true);
  };
  const allows = (policies: any[], to: Peer, port: number, protocol = 'TCP') => {
    const egress = policies.filter((p) => p.spec.policyTypes.includes('Egress'));
    if (egress.length === 0) return true;
    return egress.some((p) =>
      (p.spec.egress ?? []).some(
        (rule: any) =>
          (rule.to === undefined || rule.to.some((peer: any) => peerMatches(peer, to, p.metadata.namespace))) &&
          (rule.ports === undefined ||
            rule.ports.some(
              (pp: any) =>
                (pp.protocol ?? 'TCP') === protocol &&
                (pp.port === undefined ||
                  (pp.endPort === undefined ? pp.port === port : pp.port <= port && port <= pp.endPort)),
            )),
      ),
    );
  };
  const policies = docs().filter((d) => d.kind === 'NetworkPolicy');
  const coreDns: Peer = { ip: '10.0.12.9', ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

  test.each([
    ['CoreDNS over UDP', coreDns, 53, 'UDP'],
    ['CoreDNS over TCP', coreDns, 53, 'TCP'],
    ['the kube-dns ClusterIP (default Service range)', { ip: '172.20.0.10' }, 53, 'UDP'],
    [
      'a Ray worker of the namespace, any port (object manager)',
      { ip: '10.0.40.7', ns: 'research', labels: { 'ray.io/node-type': 'worker' } },
      45123,
      'TCP',
    ],
    ["torchrun's store on pod 0 of the namespace", { ip: '10.0.40.8', ns: 'research' }, 29500, 'TCP'],
    ['S3 through the gateway endpoint (public S3 addresses)', { ip: '52.216.8.1' }, 443, 'TCP'],
    ['an interface endpoint in the VPC', { ip: '10.0.3.20' }, 443, 'TCP'],
    ['the EKS Pod Identity Agent', { ip: '169.254.170.23' }, 80, 'TCP'],
  ] as const)('admits %s', (_, to, port, protocol) => {
    expect(allows(policies, to, port, protocol)).toBe(true);
  });

  test.each([
    ['plain HTTP to the internet', { ip: '93.184.216.34' }, 80, 'TCP'],
    ['the instance metadata service', { ip: '169.254.169.254' }, 80, 'TCP'],
    [
      'a pod of another namespace on its service port',
      { ip: '10.0.41.9', ns: 'serving', labels: { 'ai-platform/serves': 'true' } },
      8000,
      'TCP',
    ],
    ['a database in the VPC', { ip: '10.0.5.5' }, 5432, 'TCP'],
    ['DNS to anywhere but CoreDNS', { ip: '8.8.8.8' }, 53, 'UDP'],
  ] as const)('denies %s', (_, to, port, protocol) => {
    expect(allows(policies, to, port, protocol)).toBe(false);
  });

  test('a declared egress admits its ranges on its ports only', () => {
    const declared = docs({ egress: [{ name: 'postgres', cidrs: ['10.0.5.0/24'], ports: [{ port: 5432 }] }] }).filter(
      (d) => d.kind === 'NetworkPolicy',
    );
    expect(allows(declared, { ip: '10.0.5.5' }, 5432)).toBe(true);
    expect(allows(declared, { ip: '10.0.5.5' }, 5433)).toBe(false);
    expect(allows(declared, { ip: '10.0.6.5' }, 5432)).toBe(false);
  });

  test('a declared egress admits IPv6 ranges, UDP port ranges and other namespaces, on what it names only', () => {
    const declared = docs({
      egress: [
        {
          name: 'statsd',
          cidrs: ['2001:db8:1::/48'],
          ports: [{ port: 8125, endPort: 8126, protocol: EgressProtocol.UDP }],
        },
        { name: 'llm', namespaces: ['serving'], ports: [{ port: 8000 }] },
      ],
    }).filter((d) => d.kind === 'NetworkPolicy');
    expect(allows(declared, { ip: '2001:db8:1::9' }, 8126, 'UDP')).toBe(true);
    expect(allows(declared, { ip: '2001:db8:1::9' }, 8127, 'UDP')).toBe(false);
    expect(allows(declared, { ip: '2001:db8:1::9' }, 8125, 'TCP')).toBe(false);
    expect(allows(declared, { ip: '2001:db8:2::9' }, 8125, 'UDP')).toBe(false);
    expect(allows(declared, { ip: '10.0.9.9', ns: 'serving', labels: { app: 'llm' } }, 8000)).toBe(true);
    expect(allows(declared, { ip: '10.0.9.9', ns: 'serving', labels: { app: 'llm' } }, 8001)).toBe(false);
    expect(allows(declared, { ip: '10.0.9.9', ns: 'other' }, 8000)).toBe(false);
  });

  // What the API server refuses in a NetworkPolicy (k8s.io/kubernetes pkg/apis/networking/validation,
  // ValidateNetworkPolicyPort and ValidateIPBlock), and CIDRs with host bits, refused with their field paths.
  test.each([
    ['a bad name', { name: 'Bad_Name', cidrs: ['10.0.5.0/24'], ports: [{ port: 1 }] }, 'egress[0].name', 'Bad_Name'],
    [
      'IPv4 host bits',
      { name: 'a', cidrs: ['10.0.5.1/24'], ports: [{ port: 1 }] },
      'egress[0].cidrs[0]',
      '10.0.5.0/24',
    ],
    [
      'an IPv4 octet over 255',
      { name: 'a', cidrs: ['300.0.0.0/8'], ports: [{ port: 1 }] },
      'egress[0].cidrs[0]',
      'IPv4 or IPv6 CIDR',
    ],
    [
      'IPv6 host bits',
      { name: 'a', cidrs: ['2001:db8::1/32'], ports: [{ port: 1 }] },
      'egress[0].cidrs[0]',
      '2001:db8::/32',
    ],
    [
      'an IPv6 prefix over 128',
      { name: 'a', cidrs: ['2001:db8::/129'], ports: [{ port: 1 }] },
      'egress[0].cidrs[0]',
      'IPv4 or IPv6 CIDR',
    ],
    [
      'two :: in IPv6',
      { name: 'a', cidrs: ['2001::db8::/32'], ports: [{ port: 1 }] },
      'egress[0].cidrs[0]',
      'IPv4 or IPv6 CIDR',
    ],
    ['neither ranges nor namespaces', { name: 'a', ports: [{ port: 1 }] }, 'egress[0].cidrs', 'at least one'],
    ['port 0', { name: 'a', cidrs: ['10.0.0.0/8'], ports: [{ port: 0 }] }, 'egress[0].ports[0].port', '1 and 65535'],
    [
      'endPort over 65535',
      { name: 'a', cidrs: ['10.0.0.0/8'], ports: [{ port: 1, endPort: 65536 }] },
      'egress[0].ports[0].endPort',
      '1 and 65535',
    ],
    [
      'endPort below port',
      { name: 'a', cidrs: ['10.0.0.0/8'], ports: [{ port: 9000, endPort: 8000 }] },
      'egress[0].ports[0].endPort',
      '>= port (9000)',
    ],
    [
      'protocol ICMP',
      { name: 'a', cidrs: ['10.0.0.0/8'], ports: [{ port: 1, protocol: 'ICMP' }] },
      'egress[0].ports[0].protocol',
      'TCP, UDP, SCTP',
    ],
    [
      'a bad namespace',
      { name: 'a', namespaces: ['Serving'], ports: [{ port: 1 }] },
      'egress[0].namespaces[0]',
      'DNS-1123',
    ],
  ])('a declared egress with %s is refused naming the field', (_, egress, field, hint) => {
    expect(() => docs({ egress: [egress as any] })).toThrow(field);
    expect(() => docs({ egress: [egress as any] })).toThrow(hint);
  });

  test.each([['10.0.0.0/8'], ['0.0.0.0/0'], ['2001:db8::/32'], ['::/0'], ['fd00:0:0:1::/64']])(
    '%s is accepted',
    (cidr) => {
      expect(() => docs({ egress: [{ name: 'a', cidrs: [cidr], ports: [{ port: 1 }] }] })).not.toThrow();
    },
  );
});
