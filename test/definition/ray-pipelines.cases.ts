import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatProblem } from '../../lib/definition/problems';
import { resolveDefinition, validateDefinition } from '../../lib/definition/resolve';
import { referenceWith } from '../helpers';

// `pipelines[]` with engine ray: resolved as a Ray job of the training list (`pipeline` set), its problems under
// pipelines[i] in the definition's words.

const RAY = {
  name: 'embed-nightly',
  engine: 'ray',
  script: 'examples/jobs/embed_reviews.py',
  image: 'rayproject/ray:2.49.0-py311-gpu',
  nodePool: 'inference',
  nodes: 2,
  gpusPerNode: 1,
  from: ['curated'],
  to: 'features',
  trigger: { schedule: 'cron(0 2 ? * 2-6 *)' },
  runTimeoutMinutes: 60,
};
/** The reference with the Ray pipeline (changed) appended, and the path it is at. */
const withRay = (change: (p: any) => void = () => undefined) =>
  referenceWith((d) => {
    const p = JSON.parse(JSON.stringify(RAY));
    change(p);
    d.pipelines = [...d.pipelines.filter((x: any) => x.name !== RAY.name), p];
  });
const at = () => `pipelines[${withRay().pipelines!.length - 1}]`;
const problems = (change: (p: any) => void) => validateDefinition(withRay(change)).map(formatProblem);

test('a Ray pipeline is a Ray job of the training list; the Spark list keeps only Spark pipelines', () => {
  const def = resolveDefinition(withRay());
  expect(def.pipelines.map((p) => p.name)).not.toContain('embed-nightly');
  const job = def.training.find((j) => j.name === 'embed-nightly')!;
  expect(job).toMatchObject({
    engine: 'ray',
    namespace: 'embed-nightly',
    nodePool: 'inference',
    nodes: 2,
    gpusPerNode: 1,
    schedule: { cron: '0 2 * * 1-5', timeZone: 'Etc/UTC' },
    maxRunHours: 1,
    dataAccess: [{ zone: 'curated', access: 'read' }],
    pipeline: {
      awsName: 'acme-ml-embed-nightly',
      from: ['curated'],
      to: 'features',
      trigger: 'cron(0 2 ? * 2-6 *)',
      runTimeoutMinutes: 60,
    },
  });
  expect(resolveDefinition(withRay((p) => delete p.trigger)).training.at(-1)!.schedule).toBeUndefined();
});

const RULES: [string, (p: any) => void, RegExp][] = [
  ['Spark-only capacity', (p) => (p.maxCapacity = { vcpu: 16 }), /^P\.maxCapacity .* is only for engine spark/],
  ['Spark-only table', (p) => (p.table = { name: 't' }), /^P\.table .* is only for engine spark/],
  ['an image', (p) => delete p.image, /^P\.image is required with engine ray/],
  ['a pool', (p) => delete p.nodePool, /^P\.nodePool is required with engine ray/],
  [
    'a pool that exists',
    (p) => (p.nodePool = 'cpu'),
    /^P\.nodePool \('cpu'\) must name a node pool of this definition/,
  ],
  ['GPUs that fit a node', (p) => (p.gpusPerNode = 9), /^P\.gpusPerNode \(9\) must fit one node of pool 'inference'/],
  ['nodes that fit the pool', (p) => (p.nodes = 99), /^P\.nodes \(99\) must fit pool 'inference'/],
  ['an image reference', (p) => (p.image = 'Ray Image'), /^P\.image \('Ray Image'\) must be a container image/],
  ['zones that exist', (p) => (p.from = ['bronze']), /^P\.from\[0\] \('bronze'\) must be a zone of the data lake/],
  ['no s3:// script', (p) => (p.script = 's3://b/x.py'), /^P\.script .* must be a local \.py file for engine ray/],
  [
    'no arrival',
    (p) => (p.trigger = { onArrival: { zone: 'curated' } }),
    /^P\.trigger\.onArrival .* cannot start on data arriving/,
  ],
  [
    'no one-time run',
    (p) => (p.trigger = { schedule: 'at(2027-01-01T00:00:00)' }),
    /^P\.trigger\.schedule .* is a one-time schedule/,
  ],
  ['no L/W/#', (p) => (p.trigger = { schedule: 'cron(0 2 ? * 2#1 *)' }), /^P\.trigger\.schedule .* uses L, W or #/],
  ['a name for Kubernetes', (p) => (p.name = 'e'.repeat(41)), /^P\.name .* must be 1\.\.40 characters/],
  [
    'a name that is no reserved namespace',
    (p) => (p.name = 'kube-system'),
    /^P\.name \('kube-system'\) becomes a namespace/,
  ],
];

test.each(RULES)('rule: %s', (_name, change, expected) => {
  const want = new RegExp(expected.source.replace('^P', `^${at().replace(/[[\]]/g, '\\$&')}`));
  expect(problems(change)).toEqual(expect.arrayContaining([expect.stringMatching(want)]));
});

test('Ray-only fields are refused on a Spark pipeline', () => {
  const out = validateDefinition(
    referenceWith((d) =>
      Object.assign(d.pipelines[0], { image: 'x:1', nodePool: 'inference', nodes: 2, gpusPerNode: 1 }),
    ),
  ).map(formatProblem);
  for (const f of ['image', 'nodePool', 'nodes', 'gpusPerNode'])
    expect(out).toContainEqual(expect.stringMatching(new RegExp(`^pipelines\\[0\\]\\.${f} .* is only for engine ray`)));
});

test("names: unique among pipelines, and not a workload's or a team's", () => {
  expect(problems((p) => (p.name = 'reviews-nightly'))).toContainEqual(
    expect.stringMatching(/\.name \('reviews-nightly'\) must be unique among pipelines/),
  );
  expect(problems((p) => (p.name = 'pretrain'))).toContainEqual(
    expect.stringMatching(/must be unique among inference services, training and optimization jobs and ray pipelines/),
  );
  expect(problems((p) => (p.name = 'research'))).toContainEqual(expect.stringMatching(/is also a team's name/));
});

test('a script too large for its ConfigMap as the cluster applies it is refused under script', () => {
  const big = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ray-')), 'big.py');
  fs.writeFileSync(big, `# ${'x'.repeat(260 * 1024)}\n`);
  expect(problems((p) => (p.script = big))).toEqual([
    expect.stringMatching(
      new RegExp(`^${at().replace(/[[\]]/g, '\\$&')}\\.script .* bytes: must be at most 258048 bytes as JSON`),
    ),
  ]);
});
