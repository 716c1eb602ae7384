import { validateDefinition } from '../../lib/definition/resolve';
import { referenceWith } from '../helpers';

// allowReplace and protect: what a definition may say about the stack policy, and the messages when it is wrong.
const problems = (change: (d: any) => void) => validateDefinition(referenceWith(change)).map((p) => p.path);

test('allowReplace names zone:<zone>, key:lake or pool:<pool>, with a reason; a zone no longer defined is fine', () => {
  expect(
    problems((d) => {
      d.allowReplace = [
        { item: 'zone:scratch', reason: 'removed: rebuilt nightly' },
        { item: 'key:lake', reason: 'rotating to a new key' },
        { item: 'pool:training', reason: 'no runs this week' },
      ];
    }),
  ).toEqual([]);
  const bad = validateDefinition(
    referenceWith((d) => {
      d.allowReplace = [
        { item: 'bucket:raw', reason: 'x' },
        { item: 'zone:raw', reason: ' ' },
      ];
    }),
  );
  expect(bad.map((p) => [p.path, p.value])).toEqual([
    ['allowReplace[0].item', 'bucket:raw'],
    ['allowReplace[1].reason', ' '],
  ]);
  expect(bad[0].message).toMatch(/must be 'zone:<zone>' .*, 'key:lake' .* or 'pool:<pool>'/);
});

test('protect needs a managed node group (a Karpenter NodePool is no CloudFormation resource)', () => {
  const bad = validateDefinition(
    referenceWith((d) => {
      d.nodePools[0] = { ...d.nodePools[0], provisioner: 'karpenter', minNodes: 0, protect: true };
    }),
  );
  expect(bad.map((p) => p.path)).toEqual(['nodePools[0].protect']);
  expect(problems((d) => (d.nodePools[0].protect = true))).toEqual([]);
});
