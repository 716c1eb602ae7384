// Compiles the public API with jsii and generates the Python package sources (jsii-pacmak --code-only),
// in a staging folder so the npm build (tsc) stays as it is. Fails on any jsii error.
//   node scripts/jsii.mjs            -> .jsii-build/.jsii and .jsii-build/dist/python
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stage = path.join(root, '.jsii-build');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage);
fs.cpSync(path.join(root, 'lib'), path.join(stage, 'lib'), { recursive: true });
fs.copyFileSync(path.join(root, 'README.md'), path.join(stage, 'README.md'));
fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
fs.writeFileSync(
  path.join(stage, 'package.json'),
  JSON.stringify(
    {
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      author: { name: 'cdk-ai-platform contributors', organization: false },
      repository: { type: 'git', url: 'https://github.com/cdk-ai-platform/cdk-ai-platform.git' },
      main: 'lib/index.js',
      types: 'lib/index.d.ts',
      stability: 'experimental',
      dependencies: pkg.dependencies,
      // yaml is not a jsii module: it ships inside the package.
      bundledDependencies: Object.keys(pkg.dependencies),
      peerDependencies: pkg.peerDependencies,
      devDependencies: Object.fromEntries(Object.keys(pkg.peerDependencies).map((k) => [k, pkg.devDependencies[k]])),
      jsii: {
        outdir: 'dist',
        targets: { python: { distName: 'cdk-ai-platform', module: 'cdk_ai_platform' } },
        tsc: { outDir: 'lib', rootDir: 'lib' },
        // The change report (loaded by the CDK app only when asked for) uses @aws-cdk/cloudformation-diff, a tool
        // of the app, not a dependency of the library.
        excludeTypescript: ['lib/testing/**', 'lib/change-report/**'],
      },
    },
    null,
    2,
  ),
);

const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1', JSII_SUPPRESS_UPGRADE_PROMPT: '1' };
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: stage, env, stdio: 'inherit' });
run(bin('jsii'), ['--silence-warnings', 'reserved-word']);
run(bin('jsii-pacmak'), ['--code-only', '--targets', 'python', '--outdir', 'dist']);
// The generated Python must at least compile (offline: installing it would need its runtime from PyPI).
execFileSync('python3', ['-m', 'compileall', '-q', path.join(stage, 'dist', 'python', 'src')], { stdio: 'inherit' });
const assembly = JSON.parse(fs.readFileSync(path.join(stage, '.jsii'), 'utf8'));
const types = Object.values(assembly.types ?? {});
console.log(
  `jsii: ${types.length} types (${types.filter((t) => t.kind === 'class').length} classes) in the assembly; Python sources in ${path.relative(root, path.join(stage, 'dist', 'python'))}`,
);
