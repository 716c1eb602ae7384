import { AiPlatform, loadDefinitionFile, type AiPlatformDefinition } from '../../lib';
import { join } from 'node:path';
import { multiTeamPlatform } from '../../examples/multi-team';
import { referencePlatform } from '../../examples/reference-platform';
import { manifestsOf, schemaProblems, testApp } from '../helpers';

// Every manifest the examples emit passes the Kubernetes schemas (kubernetes-models) and, for custom
// resources, the schema of the vendored CRD release with unknown fields rejected. One validator process for
// every set: loading the models is most of its cost.
const examples: Record<string, AiPlatformDefinition> = {
  'reference-platform': referencePlatform,
  'multi-team': multiTeamPlatform,
  'distributed-training.json': loadDefinitionFile(join(__dirname, '../../examples/distributed-training.json')) as AiPlatformDefinition,
};
const sets = Object.fromEntries(Object.entries(examples).map(([name, definition]) => [name, manifestsOf(new AiPlatform(testApp(), 'AiPlatform', { definition }).charts)]));
const broken = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { replicas: 'two' } },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'bad' }, spec: { scaleTargetRef: { name: 'x' }, triggers: [], minReplicas: 0 } },
  { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'bad' }, spec: {} },
];
const results = schemaProblems({ ...sets, broken });

test.each(Object.keys(examples))('every manifest of %s validates', (name) => {
  expect(sets[name].length).toBeGreaterThan(5);
  expect(results[name]).toEqual([]);
});

test('the validator rejects a broken manifest (so the test above can fail)', () => {
  expect(results.broken).toEqual(expect.arrayContaining([
    expect.stringMatching(/^Deployment\/bad:/),
    expect.stringMatching(/^ScaledObject\/bad: .*must NOT have additional properties \(minReplicas\)/),
    expect.stringMatching(/^NodePool\/bad: .*must have required property 'template'/),
  ]));
});
