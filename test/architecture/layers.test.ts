import * as fs from 'node:fs';
import * as path from 'node:path';

// The one direction of dependency (the design's "flow of data"; docs/architecture.md): catalogs and core helpers are
// leaves, domains stand alone, the definition maps onto the domains, the plan reads the resolved definition,
// and only lib/platform composes them all.
const LIB = path.join(__dirname, '..', '..', 'lib');
// Which other domains each domain may use: a new edge between domains is a design decision, made here.
// `nag` and `testing` are leaves (their own entry points, `cdk-ai-platform/nag` and `/testing`): they use no
// domain and no layer uses them, so neither is ever loaded by the library itself.
const DOMAIN_DEPS: Record<string, string[]> = {
  network: [],
  compute: [],
  'data-lake': [],
  monitoring: [],
  // The cluster's system pool is described with the compute domain's pool facts; GpuCluster can install the
  // monitoring domain's Container Insights add-on.
  cluster: ['compute', 'monitoring'],
  // Workloads are placed on pools (labels, taints, accelerators).
  workloads: ['compute'],
  // Autoscalers install onto a cluster, for pools, and scale workloads (KEDA); the Prometheus workspace evaluates
  // the monitoring domain's alert rules.
  autoscaling: ['cluster', 'compute', 'workloads', 'monitoring'],
  // Pipelines read and write the lake's zones, and alarm through the monitoring domain's factories.
  pipelines: ['data-lake', 'monitoring'],
  nag: [],
  testing: [],
};
const DOMAINS = Object.keys(DOMAIN_DEPS);
const LEAVES = ['nag', 'testing'];
const USED = DOMAINS.filter((d) => !LEAVES.includes(d));
const ALLOWED: Record<string, string[]> = {
  catalog: ['catalog'],
  core: ['catalog', 'core'],
  ...Object.fromEntries(DOMAINS.map((d) => [d, ['catalog', 'core', d, ...DOMAIN_DEPS[d]]])),
  definition: ['catalog', 'core', ...USED, 'definition'],
  plan: ['catalog', 'core', ...USED, 'definition', 'plan'],
  platform: ['catalog', 'core', ...USED, 'definition', 'plan', 'platform'],
  // The change report reads two synthesized assemblies (and the plans in them); no construct uses it: the CDK app
  // loads it when asked for (-c ai-platform:baseline), and jsii leaves it out (scripts/jsii.mjs).
  'change-report': ['core', 'definition', 'plan', 'change-report'],
  // Delivery composes the platform once per stage (a cdk.Stage each) into a CDK Pipelines pipeline: above
  // platform, which it uses as users do; nothing below imports it.
  delivery: ['catalog', 'core', 'definition', 'platform', 'delivery'],
};

interface Edge {
  readonly from: string;
  readonly to: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import (static, type-only, dynamic or require) of every file under lib/, as lib-relative paths. */
function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sourceFiles(LIB)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|require\(|import\()['"](\.{1,2}\/[^'"]+)['"]/g)) {
      out.push({ from: path.relative(LIB, file), to: path.relative(LIB, path.resolve(path.dirname(file), m[1])) });
    }
  }
  return out;
}

const folderOf = (p: string) => (p.includes(path.sep) ? p.split(path.sep)[0] : '(top)');
const all = edges();

test('the import scan sees the library (a scan that finds nothing proves nothing)', () => {
  expect(all.length).toBeGreaterThan(100);
  expect(all.some((e) => folderOf(e.from) === 'platform' && folderOf(e.to) === 'definition')).toBe(true);
});

test.each(Object.keys(ALLOWED))('lib/%s imports only the layers below it', (folder) => {
  // lib/index.ts ('(top)') is not a layer anyone may import: through it a domain would reach everything.
  const bad = all.filter((e) => folderOf(e.from) === folder && !ALLOWED[folder].includes(folderOf(e.to)));
  expect(bad).toEqual([]);
});

test("no folder reaches into another folder's private/ internals", () => {
  const bad = all.filter((e) => e.to.split(path.sep).includes('private') && folderOf(e.to) !== folderOf(e.from));
  expect(bad).toEqual([]);
});

test('only lib/index.ts (exports) sits at the top of lib/', () => {
  const top = fs.readdirSync(LIB).filter((f) => f.endsWith('.ts'));
  expect(top).toEqual(['index.ts']);
});

test('every folder of lib/ has a layer', () => {
  const folders = fs
    .readdirSync(LIB, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
});

test('domains depend on each other without a cycle (each stands alone with what it imports)', () => {
  const graph = new Map<string, Set<string>>();
  for (const e of all) {
    const [from, to] = [folderOf(e.from), folderOf(e.to)];
    if (from !== to && DOMAINS.includes(from) && DOMAINS.includes(to))
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
  }
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (path.includes(node)) {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
      return;
    }
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
  };
  for (const d of DOMAINS) visit(d, []);
  expect([...new Set(cycles)]).toEqual([]);
});
