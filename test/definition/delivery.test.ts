import { validateDefinition } from '../../lib/definition/resolve';
import type { AiPlatformDefinition } from '../../lib';

const base = {
  name: 'ship',
  network: { availabilityZones: ['us-east-1a', 'us-east-1b'] },
  nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 2 }],
  inference: [{ name: 'chat', image: 'vllm/vllm-openai:v0.11.0', nodePool: 'gpu', minReplicas: 1, maxReplicas: 2 }],
  delivery: {
    source: {
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/abc-123',
      repository: 'acme/ml',
    },
    stages: [
      { name: 'staging', account: '111111111111', region: 'us-east-1', approval: 'none' },
      { name: 'production', account: '222222222222', region: 'us-east-1', approval: 'on-replacement' },
    ],
  },
};
/** Error paths of the base definition with `edit` applied to its delivery block. */
function errors(edit: (d: any) => void): string[] {
  const def = JSON.parse(JSON.stringify(base));
  edit(def.delivery);
  return validateDefinition(def as AiPlatformDefinition).map((p) => `${p.path}: ${p.message}`);
}

test('a valid delivery block has no problems', () => {
  expect(errors(() => undefined)).toEqual([]);
  expect(
    errors((d) => {
      d.source.connectionArn = 'arn:aws:codestar-connections:us-west-2:333333333333:connection/x';
      d.stages[0].overrides = { nodePools: [{ name: 'gpu', maxNodes: 4 }], monitoring: { monthlyBudgetUsd: 500 } };
    }),
  ).toEqual([]);
});

test.each([
  ['delivery.stages[0].account', (d: any) => (d.stages[0].account = '11111111111'), '12-digit'],
  ['delivery.stages[1].region', (d: any) => (d.stages[1].region = 'US East'), 'Region name'],
  ['delivery.stages[1].name', (d: any) => (d.stages[1].name = 'Staging'), 'unique among stages'],
  ['delivery.stages[1].account', (d: any) => (d.stages[1].account = '111111111111'), 'collide'],
  ['delivery.stages[0].approval', (d: any) => (d.stages[0].approval = 'sometimes'), 'manual'],
  ['delivery.source.connectionArn', (d: any) => (d.source.connectionArn = 'arn:aws:iam::1:role/x'), 'codeconnections'],
  ['delivery.source.repository', (d: any) => (d.source.repository = 'ml-platform'), 'owner/name'],
  ['delivery.stages', (d: any) => (d.stages = []), 'at least one'],
  ['delivery.stages[1].region', (d: any) => (d.stages[1].region = 'eu-west-1'), 'network.availabilityZones'],
  [
    'delivery.stages[0].overrides.nodePools[0].name',
    (d: any) => (d.stages[0].overrides = { nodePools: [{ name: 'cpu', maxNodes: 1 }] }),
    'one of nodePools',
  ],
  [
    'delivery.stages[0].overrides.nodePools[0].maxNodes',
    (d: any) => (d.stages[0].overrides = { nodePools: [{ name: 'gpu', minNodes: 3 }] }),
    'minNodes',
  ],
  [
    'delivery.stages[0].overrides.monitoring.alarmEmails[0]',
    (d: any) => (d.stages[0].overrides = { monitoring: { alarmEmails: ['nobody'] } }),
    'email',
  ],
  // Only sizes, e-mails and the budget may differ: anything else is an unknown field.
  [
    'delivery.stages[0].overrides',
    (d: any) => (d.stages[0].overrides = { cluster: { endpointAccess: 'private' } }),
    '',
  ],
  [
    'delivery.stages[0].overrides.nodePools[0]',
    (d: any) => (d.stages[0].overrides = { nodePools: [{ name: 'gpu', instanceTypes: ['p5.48xlarge'] }] }),
    '',
  ],
  // The stage's platform as a whole: a service must still fit its pool at the stage's size.
  [
    'delivery.stages[0].overrides',
    (d: any) => (d.stages[0].overrides = { nodePools: [{ name: 'gpu', maxNodes: 1 }] }),
    'inference[0].maxReplicas',
  ],
])('%s is refused with what is valid', (path, edit, says) => {
  const found = errors(edit);
  expect(found.some((e) => e.startsWith(path) && e.includes(says))).toBe(true);
});
