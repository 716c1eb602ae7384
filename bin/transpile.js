#!/usr/bin/env node
// Runs at the start of every `cdk synth` (bin/run.js): transpiles bin/, lib/ and examples/ to .build/ with swc,
// only the files that changed, so the CDK app runs as plain JavaScript instead of being transpiled on every
// synth (tsx). Type-checking stays with `npm test` (tsc --noEmit). ~0.1 s when nothing changed.
// A file is rebuilt when its size or modification time differs from the last build's record (so a file
// restored with an older time is rebuilt too), and outputs of deleted sources are removed.
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, '.build');
const recordFile = join(out, '.sources.json');
const before = existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, 'utf8')) : {};
const after = {};

function transpile(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const src = join(dir, entry.name);
    if (entry.isDirectory()) {
      transpile(src);
      continue;
    }
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const rel = relative(root, src);
    const dest = join(out, rel).replace(/\.ts$/, '.js');
    const { mtimeMs, size } = statSync(src);
    after[rel] = `${mtimeMs}:${size}`;
    if (before[rel] === after[rel] && existsSync(dest)) continue;
    // Loaded only when a file changed: loading swc's native binding is most of a no-op run.
    const { code } = require('@swc/core').transformFileSync(src, {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, code);
  }
}

for (const dir of ['bin', 'lib', 'examples']) transpile(join(root, dir));
for (const rel of Object.keys(before).filter((r) => !(r in after)))
  rmSync(join(out, rel).replace(/\.ts$/, '.js'), { force: true });
mkdirSync(out, { recursive: true });
writeFileSync(recordFile, JSON.stringify(after));
