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
  const policies = docs({ servicePorts: [8000, 8000, 9000] }).filter((d) => d.kind === 'NetworkPolicy');
  expect(policies.map((p) => p.metadata.name).sort()).toEqual(['allow-same-namespace', 'allow-service-ports', 'default-deny-ingress']);
  expect(policies.find((p) => p.metadata.name === 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  expect(policies.find((p) => p.metadata.name === 'allow-service-ports').spec.ingress[0].ports).toEqual([
    { protocol: 'TCP', port: 8000 }, { protocol: 'TCP', port: 9000 },
  ]);
});
