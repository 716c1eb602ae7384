/**
 * `npm run bench`: synth time and peak memory of the reference app and of generated definitions with
 * 1, 10 and 40 node pools, next to the floor of just loading the libraries. Each case runs in a fresh
 * Node process (so peak RSS is its own) a few times; the table shows the median time and the peak RSS.
 * Asset staging is on, as in `cdk synth`; the built-in CloudFormation validation is measured both ways.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CASES: { name: string; args: string[] }[] = [
  { name: 'load libraries only', args: ['load'] },
  { name: 'reference app', args: ['synth', 'reference', '1'] },
  { name: 'reference app, no CFN validation', args: ['synth', 'reference', '0'] },
  { name: '1 node pool', args: ['synth', '1', '1'] },
  { name: '10 node pools', args: ['synth', '10', '1'] },
  { name: '40 node pools', args: ['synth', '40', '1'] },
  { name: '40 node pools, no CFN validation', args: ['synth', '40', '0'] },
];

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
    const r = spawnSync(join(__dirname, '../node_modules/.bin/tsx'), [join(__dirname, 'case.ts'), ...c.args, out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${c.name} failed:\n${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
    times.push(m.ms);
    rss = Math.max(rss, m.peakRssMiB);
  }
  rows.push([c.name, `${median(times).toFixed(0)}`, `${rss.toFixed(0)}`]);
}
const floor = Number(rows[0][1]);
const header = ['case', 'median ms', 'peak RSS MiB', 'ms above load floor'];
const table = [header, ...rows.map((r) => [...r, r === rows[0] ? '-' : String(Number(r[1]) - floor)])];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
console.log(`(${RUNS} runs each, Node ${process.version}, ${require('node:os').cpus().length} cores)`);
