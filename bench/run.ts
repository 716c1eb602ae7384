/**
 * `npm run bench`:
 * 1. Side by side with the peer (../shared/peer: cdk-eks-blueprints' GPU blueprint), through the CDK CLI as
 *    users run it: `npx cdk synth` of the reference platform and of the peer, alternated, median of RUNS;
 *    resources, and the idle monthly cost of both sets of templates priced by one estimator
 *    (bench/idle-cost.ts). Prints ours/peer ratios. The peer is installed into .bench/peer on first use.
 * 2. In process: synth time and peak memory of the reference app and of generated definitions with 1, 10, 40
 *    and 100 node pools, next to the floor of just loading the libraries.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idleCostOfTemplates } from './idle-cost';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** The CLI comparison is noisier (two CLIs, two apps): more runs, alternated, median. */
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 6);
const CASES: { name: string; args: string[] }[] = [
  { name: 'load libraries only', args: ['load'] },
  { name: 'reference app', args: ['synth', 'reference', '1'] },
  { name: 'reference app, no CFN validation', args: ['synth', 'reference', '0'] },
  { name: '1 node pool', args: ['synth', '1', '1'] },
  { name: '10 node pools', args: ['synth', '10', '1'] },
  { name: '40 node pools', args: ['synth', '40', '1'] },
  { name: '40 node pools, no CFN validation', args: ['synth', '40', '0'] },
  { name: '100 node pools, no CFN validation', args: ['synth', '100', '0'] },
];

const ROOT = join(__dirname, '..');
const env = { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };

/** `npx cdk synth -q` in a directory: wall time, resources, idle cost of the templates. */
function cliSynth(cwd: string): { ms: number; resources: number; idleUsd: number } {
  const out = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const start = Date.now();
  const r = spawnSync('npx', ['cdk', 'synth', '-q', '-o', out], { cwd, env, encoding: 'utf8' });
  const ms = Date.now() - start;
  if (r.status !== 0) throw new Error(`cdk synth in ${cwd} failed:\n${r.stderr}`);
  const resources = readdirSync(out)
    .filter((f) => f.endsWith('.template.json'))
    .reduce((n, f) => n + Object.keys(JSON.parse(readFileSync(join(out, f), 'utf8')).Resources ?? {}).length, 0);
  return { ms, resources, idleUsd: idleCostOfTemplates(out).total };
}

function peerDir(): string {
  const dir = join(ROOT, '.bench/peer');
  if (!existsSync(join(dir, 'node_modules'))) {
    cpSync(join(ROOT, '../shared/peer'), dir, { recursive: true });
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`installing the peer failed:\n${r.stderr}`);
  }
  return dir;
}

const peer = peerDir();
const ours: ReturnType<typeof cliSynth>[] = [];
const theirs: ReturnType<typeof cliSynth>[] = [];
cliSynth(ROOT); // warm: .build and the disk cache, for both
cliSynth(peer);
for (let i = 0; i < CLI_RUNS; i++) {
  ours.push(cliSynth(ROOT));
  theirs.push(cliSynth(peer));
}
const o = { ms: median(ours.map((x) => x.ms)), resources: ours[0].resources, idle: ours[0].idleUsd };
const p = { ms: median(theirs.map((x) => x.ms)), resources: theirs[0].resources, idle: theirs[0].idleUsd };
const cmp = [
  ['figure', 'peer', 'ours', 'ours/peer'],
  ['CLI synth, median ms', p.ms.toFixed(0), o.ms.toFixed(0), (o.ms / p.ms).toFixed(2)],
  ['resources', String(p.resources), String(o.resources), (o.resources / p.resources).toFixed(2)],
  ['idle USD / month', p.idle.toFixed(0), o.idle.toFixed(0), (o.idle / p.idle).toFixed(2)],
];
const cw = cmp[0].map((_, i) => Math.max(...cmp.map((r) => r[i].length)));
console.log(
  `Through the CDK CLI, side by side with the peer (cdk-eks-blueprints GPU blueprint), median of ${CLI_RUNS} alternated runs after a warm-up:`,
);
for (const r of cmp) console.log(r.map((c, i) => (i === 0 ? c.padEnd(cw[i]) : c.padStart(cw[i]))).join('  '));
console.log('');
console.log('In process:');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows: string[][] = [];
for (const c of CASES) {
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const r = spawnSync(join(__dirname, '../node_modules/.bin/tsx'), [join(__dirname, 'case.ts'), ...c.args, out], {
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      const reason = /would hold (\d+) resources/.exec(r.stderr);
      if (!reason) throw new Error(`${c.name} failed:\n${r.stderr}`);
      times.push(NaN);
      rss = -1;
      break;
    }
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
    times.push(m.ms);
    rss = Math.max(rss, m.peakRssMiB);
  }
  rows.push(
    rss < 0
      ? [c.name, 'fails: over 500 resources in a stack', '-']
      : [c.name, `${median(times).toFixed(0)}`, `${rss.toFixed(0)}`],
  );
}
const floor = Number(rows[0][1]);
const header = ['case', 'median ms', 'peak RSS MiB', 'ms above load floor'];
const table = [
  header,
  ...rows.map((r) => [...r, r === rows[0] || Number.isNaN(Number(r[1])) ? '-' : String(Number(r[1]) - floor)]),
];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table)
  console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
console.log(`(${RUNS} runs each, Node ${process.version}, ${require('node:os').cpus().length} cores)`);
