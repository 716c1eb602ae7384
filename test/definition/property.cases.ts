import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { AiPlatform, DefinitionError, loadDefinitionFile, type AiPlatformDefinition } from '../../lib';
import { multiTeamPlatform } from '../../examples/multi-team';
import { referencePlatform } from '../../examples/reference-platform';
import { testApp } from '../helpers';

// Property: whatever a user writes, the library either builds the platform or fails with a DefinitionError
// whose every problem names a field path — never another exception. Mutations replace one value (or add a
// field) anywhere in an example definition with an edge value: wrong types, limits, reserved names.
//
// `npm test` runs a short sample; PROPERTY_RUNS=500 runs more, and PROPERTY_SYNTH=1 also synthesizes each
// definition that builds and runs cfn-lint on its templates (slow: use it before a release).

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
const SYNTH = process.env.PROPERTY_SYNTH === '1';

const examples: AiPlatformDefinition[] = [
  referencePlatform,
  multiTeamPlatform,
  loadDefinitionFile(join(__dirname, '../../examples/llm-inference.yaml')) as AiPlatformDefinition,
  loadDefinitionFile(join(__dirname, '../../examples/distributed-training.json')) as AiPlatformDefinition,
];

/** Every path in a value (object keys and list indexes), containers included. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length > 0 ? [at] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

/** Sets the value at `path`; with `create`, missing parents are made (a list before an index, an object otherwise). */
function setAt(root: any, path: (string | number)[], value: unknown, create = false): void {
  let node = root;
  path.slice(0, -1).forEach((key, i) => {
    if (create && (node[key] === null || typeof node[key] !== 'object'))
      node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
  node[path[path.length - 1]] = value;
}

// Fields that no example sets, or only one does: a share of the mutations goes to them (their parents made when
// missing), so a short sample still reaches them. Add a field here when a session adds one.
const FOCUS: (string | number)[][] = [
  ['network', 'availabilityZones'],
  ['network', 'availabilityZones', 1],
  ['network', 'mirror'],
  ['network', 'mirror', 'registry'],
  ['monitoring', 'budgetCostFilter'],
  ['teams', 0, 'egress'],
  ['compliance'],
  ['inference', 0, 'model'],
  ['inference', 0, 'model', 'path'],
  ['inference', 0, 'model', 'uri'],
  ['inference', 0, 'args'],
  ['inference', 0, 'env'],
  ['inference', 0, 'secrets'],
  ['inference', 0, 'startupBudgetSeconds'],
];

const edgeStrings = fc.constantFrom(
  '',
  ' ',
  'kube-system',
  'default',
  'aws:x',
  'A_B',
  'x'.repeat(300),
  'a&b',
  'ümlaut',
  '10.0.0.1/16',
  '0.0.0.0/0',
  'karpenter.sh/x',
  'kubernetes.io/x',
  'constructor',
  '__proto__',
  'g6.xlarge',
  'p5.48xlarge',
  'inf2.xlarge',
  'research',
  'cr-0123456789abcdef0',
  'spot',
  'capacity-block',
  'karpenter',
  'ray',
  'cpu',
  'read-write',
  '1.36',
  '-1',
  '\uD800',
  'us-east-1a',
  'us-west-2a',
  'use1-az1',
  '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror',
  '123456789012.dkr.ecr.us-east-1.amazonaws.com',
  'cost-tag',
  'account',
  '2001:db8::1/32',
  'SCTP',
  'control-tower',
  'standard',
);
const edgeNumbers = fc.constantFrom(0, -1, 1, 0.5, 2 ** 31, 2 ** 53, Infinity, -Infinity, NaN, 1e21, 63, 64, 500, 1001);
const values = fc.oneof(
  edgeStrings,
  edgeNumbers,
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -5, max: 100 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(edgeStrings, { maxLength: 3 }),
  fc.dictionary(edgeStrings, edgeStrings, { maxKeys: 2 }),
);

const mutation = fc.record({
  example: fc.nat({ max: examples.length - 1 }),
  pick: fc.nat(),
  value: values,
  addField: fc.boolean(),
  field: edgeStrings,
  // One run in three mutates a FOCUS field.
  focus: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.nat({ max: FOCUS.length - 1 }), weight: 1 },
  ),
});
type Mutation = { example: number; pick: number; value: unknown; addField: boolean; field: string; focus?: number };

// Each FOCUS field once, first, on an example that lacks it (llm-inference: no AZ list, mirror or cost filter).
const focusExamples: [Mutation][] = FOCUS.map((_, focus) => [
  { example: 2, pick: 0, value: ' ', addField: false, field: '', focus },
]);

function mutate(m: Mutation): unknown {
  const def = JSON.parse(JSON.stringify(examples[m.example]));
  if (m.focus !== undefined) {
    setAt(def, FOCUS[m.focus], m.value, true);
    return def;
  }
  const all = paths(def);
  const path = all[m.pick % all.length];
  if (m.addField) {
    const parent = path.slice(0, -1).reduce((n: any, k) => n[k], def);
    if (parent && typeof parent === 'object' && !Array.isArray(parent)) parent[m.field] = m.value;
  } else {
    setAt(def, path, m.value);
  }
  return def;
}

function cfnLint(app: ReturnType<typeof testApp>): string {
  const out = mkdtempSync(join(tmpdir(), 'prop-'));
  const assembly = app.synth({ force: true });
  const files = assembly.stacks.map((s) => join(assembly.directory, s.templateFile));
  const run = spawnSync('cfn-lint', files, { encoding: 'utf8' });
  void out;
  // cfn-lint exits 0 (clean), 4 (warnings), 8 (informational): anything with the error bit (2) fails.
  return (run.status ?? 1) & 2 ? run.stdout : '';
}

test('any one-value mutation of an example builds, or fails with a DefinitionError naming field paths', () => {
  fc.assert(
    fc.property(mutation, (m) => {
      const definition = mutate(m);
      const app = testApp();
      try {
        new AiPlatform(app, 'AiPlatform', { definition: definition as AiPlatformDefinition });
      } catch (e) {
        if (!(e instanceof DefinitionError))
          throw new Error(`not a DefinitionError for ${JSON.stringify(m)}: ${(e as Error).stack}`);
        for (const p of e.problems) expect(p.path.length).toBeGreaterThan(0);
        expect(e.problems.length).toBeGreaterThan(0);
        return;
      }
      if (SYNTH) expect(cfnLint(app)).toBe('');
    }),
    {
      numRuns: RUNS + focusExamples.length,
      examples: focusExamples,
      seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined,
    },
  );
}, 120_000);
