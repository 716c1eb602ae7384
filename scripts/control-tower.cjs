#!/usr/bin/env node
// Runs AWS Control Tower's proactive controls (the cfn-guard rules and binary @cdklabs/cdk-validator-cfnguard
// ships) on synthesized cloud assemblies and holds what they report to the README's "AWS Control Tower" table:
//   node scripts/control-tower.cjs --standard <cdk.out>... --profile <cdk.out>...
// - `--standard`: assemblies of definitions without `compliance`. The controls failing in them, together, must be
//   exactly the rows whose "Standard" cell says "fails".
// - `--profile`: assemblies with `compliance: control-tower`. A failure is allowed only on a row whose profile cell
//   names it as offline-only, on a resource whose construct path contains one of the row's `backticked` names
//   (values CloudFormation resolves before a hook sees them, which the offline rules cannot follow).
// Exits 1 with every difference listed; prints the failures it found either way.
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, readdirSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { arch, platform } = require('node:os');

const pkg = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const GUARD = join(
  pkg,
  'bin',
  platform() === 'darwin' ? 'macos' : 'ubuntu',
  arch() === 'arm64' ? 'aarch64' : 'x86_64',
  'cfn-guard',
);
const RULES = join(pkg, 'rules', 'control-tower', 'cfn-guard');
const README = resolve(__dirname, '..', 'README.md');

/** Failures of one assembly: [{ control, stack, path }]. */
function evaluate(assemblyDir) {
  const templates = readdirSync(assemblyDir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => join(assemblyDir, f))
    .filter((f) => Object.keys(JSON.parse(readFileSync(f, 'utf8')).Resources ?? {}).length > 0);
  if (templates.length === 0) throw new Error(`${assemblyDir}: no template with resources`);
  let out;
  try {
    out = execFileSync(
      GUARD,
      ['validate', '-r', RULES, ...templates.flatMap((t) => ['-d', t]), '-o', 'json', '-z', '-S', 'none'],
      { encoding: 'utf8', maxBuffer: 1 << 30 },
    );
  } catch (e) {
    // cfn-guard exits 19 when a rule fails; anything else is a failure to run.
    if (e.status !== 19) throw e;
    out = e.stdout;
  }
  return JSON.parse(out).flatMap((file) => failuresOf(file));
}

function failuresOf(file) {
  const template = JSON.parse(readFileSync(file.name, 'utf8'));
  const stack = file.name.split('/').pop().replace('.template.json', '');
  const found = new Map();
  const walk = (node, control) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((n) => walk(n, control));
      return;
    }
    const id = node.messages?.custom_message?.match(/\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/)?.[1];
    if (id) control = id;
    if (control && typeof node.path === 'string' && node.path.startsWith('/Resources/')) {
      const logicalId = node.path.split('/')[2];
      const path = template.Resources[logicalId]?.Metadata?.['aws:cdk:path'] ?? logicalId;
      found.set(`${control} ${path}`, { control, stack, path });
    }
    for (const v of Object.values(node)) walk(v, control);
  };
  walk(file.not_compliant, undefined);
  return [...found.values()];
}

/** The README table: { control: { standardFails, offlineOnly: string[] | undefined } }. */
function readTable(markdown) {
  const section = markdown.split('<!-- control-tower:start -->')[1]?.split('<!-- control-tower:end -->')[0];
  if (!section) throw new Error('README.md: no <!-- control-tower:start --> … <!-- control-tower:end --> table');
  const rows = {};
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const control = cells[1]?.match(/^CT\.[A-Z0-9]+\.PR\.\d+/)?.[0];
    if (!control) continue;
    const [standard, profile] = [cells[3] ?? '', cells[4] ?? ''];
    rows[control] = {
      standardFails: /^fails/i.test(standard),
      offlineOnly: /offline only/i.test(profile) ? [...profile.matchAll(/`([^`]+)`/g)].map((m) => m[1]) : undefined,
    };
  }
  return rows;
}

/** Differences between what the controls reported and what the table says. */
function compare(table, standard, profile) {
  const problems = [];
  const failedStandard = new Set(standard.map((f) => f.control));
  for (const control of failedStandard) {
    if (!table[control]?.standardFails)
      problems.push(
        `${control} fails without a profile (${standard
          .filter((f) => f.control === control)
          .map((f) => f.path)
          .join(', ')}) but the README table does not say so`,
      );
  }
  for (const [control, row] of Object.entries(table)) {
    if (row.standardFails && !failedStandard.has(control))
      problems.push(
        `${control}: the README table says it fails without a profile, but no standard example fails it (update the row)`,
      );
  }
  for (const f of profile) {
    const allowed = table[f.control]?.offlineOnly ?? [];
    if (!allowed.some((name) => f.path.includes(name)))
      problems.push(`${f.control} fails under compliance control-tower on ${f.path} (${f.stack})`);
  }
  return problems;
}

function main(argv) {
  const dirs = { standard: [], profile: [] };
  let mode;
  for (const a of argv) {
    if (a === '--standard' || a === '--profile') mode = a.slice(2);
    else if (mode) dirs[mode].push(a);
    else throw new Error(`usage: control-tower.mjs --standard <dir>... --profile <dir>...`);
  }
  const run = (list) => list.flatMap((d) => evaluate(d));
  const standard = run(dirs.standard);
  const profile = run(dirs.profile);
  for (const [name, list] of [
    ['standard', standard],
    ['control-tower profile', profile],
  ]) {
    console.log(`${name}: ${new Set(list.map((f) => f.control)).size} controls fail`);
    for (const f of list) console.log(`  ${f.control}  ${f.path}`);
  }
  const problems = compare(readTable(readFileSync(README, 'utf8')), standard, profile);
  for (const p of problems) console.error(`FAIL: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log('Control Tower controls: as the README table says');
}

module.exports = { evaluate, readTable, compare };
if (require.main === module) main(process.argv.slice(2));
