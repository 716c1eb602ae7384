import { AiPlatform, type AiPlatformDefinition } from '../../lib';
import { multiTeamPlatform } from '../../examples/multi-team';
import { referencePlatform } from '../../examples/reference-platform';
import { manifestsOf, schemaProblems, testApp } from '../helpers';

// Every manifest the examples emit passes the Kubernetes schemas (kubernetes-models) and, for custom
// resources, the schema of the vendored CRD release with unknown fields rejected.
describe.each<[string, AiPlatformDefinition]>([
  ['reference-platform', referencePlatform],
  ['multi-team', multiTeamPlatform],
])('%s', (_name, definition) => {
  const platform = new AiPlatform(testApp(), 'AiPlatform', { definition });
  const manifests = manifestsOf(platform.charts);

  test('every manifest validates', () => {
    expect(manifests.length).toBeGreaterThan(5);
    expect(schemaProblems(manifests)).toEqual([]);
  });
});

test('the validator rejects a broken manifest (so the test above can fail)', () => {
  const problems = schemaProblems([
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { replicas: 'two' } },
    { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'bad' }, spec: { scaleTargetRef: { name: 'x' }, triggers: [], minReplicas: 0 } },
    { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'bad' }, spec: {} },
  ]);
  expect(problems).toEqual(expect.arrayContaining([
    expect.stringMatching(/^Deployment\/bad:/),
    expect.stringMatching(/^ScaledObject\/bad: .*must NOT have additional properties \(minReplicas\)/),
    expect.stringMatching(/^NodePool\/bad: .*must have required property 'template'/),
  ]));
});
