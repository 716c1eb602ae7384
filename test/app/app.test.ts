import { full } from '../support/full-tests';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The reference app as users run it (`cdk synth` runs cdk.json's `node bin/run.js` with CDK_OUTDIR set).
const ROOT = join(__dirname, '../..');

function runApp(context: Record<string, string> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdkout-'));
  const result = spawnSync(process.execPath, ['bin/run.js'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      // The built-in CloudFormation validation runs in the example tests and in CI's `cdk synth`.
      CDK_VALIDATION: 'false',
      CDK_CONTEXT_JSON: JSON.stringify({ ...require('../../cdk.json').context, ...context }),
      // No credentials and no region: synth must not need them.
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: 'none',
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
    },
  });
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  return { ...result, outdir, templates };
}

test('an invalid definition file fails synth with every problem and no stack trace, and writes no template', () => {
  const dir = mkdtempSync(join(tmpdir(), 'def-'));
  const path = join(dir, 'platform.yaml');
  writeFileSync(
    path,
    [
      'name: bad-platform',
      'nodePools:',
      '  - name: gpu',
      '    instanceTypes: [g9.xlarge]',
      '    minNodes: 3',
      '    maxNodes: 2',
      '    efa: true',
      '    colour: blue',
      'inference:',
      '  - { name: svc, image: img, nodePool: missing }',
    ].join('\n'),
  );
  const run = runApp({ definition: path });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`The platform definition in ${path} has`);
  expect(run.stderr).toContain("nodePools[0].instanceTypes[0] ('g9.xlarge') is not in the accelerator catalog");
  expect(run.stderr).toContain('nodePools[0].maxNodes (2) must be >= minNodes (3)');
  expect(run.stderr).toContain('nodePools[0].colour is not a known field');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.templates).toEqual([]);
}, 60_000);

test("a definition's warning is printed in the definition's words, with no .js location or construct trace", () => {
  const run = runApp({ definition: 'examples/llm-inference.yaml' });
  expect(run.status).toBe(0);
  expect(run.stderr).toContain('The definition examples/llm-inference.yaml raises 1 warning');
  expect(run.stderr).toContain("  - inference[0].maxReplicas (6) × gpus (1) uses over 80% of pool 'gpu'");
  expect(run.stderr).toContain("acknowledgeWarnings: [{ warning: 'inference[0].maxReplicas', reason:");
  // The CDK CLI prints a warning's trace as a `.build/lib/….js:line:col` location: the app records none.
  const warnings = readdirSync(run.outdir)
    .filter((f) => f.endsWith('.metadata.json'))
    .flatMap((f) =>
      Object.values(
        JSON.parse(readFileSync(join(run.outdir, f), 'utf8')) as Record<
          string,
          { type: string; data: string; trace?: string[] }[]
        >,
      ).flat(),
    )
    .filter((m) => m.type === 'aws:cdk:warning');
  expect(warnings).toEqual([
    expect.objectContaining({
      data: expect.stringContaining('examples/llm-inference.yaml: inference[0].maxReplicas (6)'),
    }),
  ]);
  expect(warnings.filter((m) => m.trace !== undefined)).toEqual([]);
}, 60_000);

// About 5 s (450 teams through the CLI): in CI's full step; npm test keeps the CLI's error path on an invalid file
// and the in-process refusal before writing (test/platform/template-size.cases.ts).
full.test(
  'a definition past a stack quota fails synth with a message, no stack trace, and writes nothing',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'def-'));
    const path = join(dir, 'many.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'many-teams',
        nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 2 }],
        teams: Array.from({ length: 450 }, (_, i) => ({ name: `t${i}`, gpuQuota: 1 })),
      }),
    );
    const run = runApp({ definition: path });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /many-teams-platform would hold \d+ resources; CloudFormation allows 500 per stack \(nodePools: 1, inference: 0, training: 0, teams: 450/,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    // No template, plan or manifest of any stack (assets are staged as constructs are created, before validation).
    expect(readdirSync(run.outdir).filter((f) => !f.startsWith('asset.'))).toEqual([]);
  },
  60_000,
);

// Two CLI runs (about 5 s): in CI's full step; npm test keeps one CLI run above and the invalid-file path.
full.test(
  'synth is offline and deterministic: two runs give byte-identical templates with no dummy values',
  () => {
    const first = runApp();
    const second = runApp();
    expect(first.status).toBe(0);
    expect(first.templates.length).toBeGreaterThan(0);
    expect(second.templates).toEqual(first.templates);
    for (const name of first.templates) {
      const a = readFileSync(join(first.outdir, name), 'utf8');
      expect(readFileSync(join(second.outdir, name), 'utf8')).toBe(a);
      expect(a).not.toMatch(/dummy/i);
    }
    expect(readdirSync(first.outdir)).not.toContain('cdk.context.json');

    // Every chart is also written as plain YAML for GitOps, identically on both runs.
    // (in the folder of the stack that applies it: workloads sit in their shard stacks).
    const k8s = join(first.outdir, 'k8s');
    const yamlFiles = readdirSync(k8s)
      .flatMap((dir) => readdirSync(join(k8s, dir)).map((f) => join(dir, f)))
      .sort();
    expect(yamlFiles.map((f) => f.split('/')[1]).sort()).toEqual([
      'Inference-llm.yaml',
      'Namespace-awq.yaml',
      'Namespace-embed-reviews.yaml',
      'Namespace-finetune.yaml',
      'Namespace-llm.yaml',
      'Namespace-pretrain.yaml',
      'Namespace-research.yaml',
      'PrometheusScraperRbac.yaml',
      'Training-awq.yaml',
      'Training-embed-reviews.yaml',
      'Training-finetune.yaml',
      'Training-pretrain.yaml',
    ]);
    for (const f of yamlFiles) {
      const text = readFileSync(join(k8s, f), 'utf8');
      expect(readFileSync(join(second.outdir, 'k8s', f), 'utf8')).toBe(text);
      expect(text).not.toContain('${Token');
      expect(text).not.toContain('[object Object]');
    }
    const inference = yamlFiles.find((f) => f.endsWith('/Inference-llm.yaml'))!;
    expect(readFileSync(join(k8s, inference), 'utf8')).toMatch(
      /serverAddress: https:\/\/aps-workspaces\.\{\{ AWS::Region \}\}\.\{\{ AWS::URLSuffix \}\}\/workspaces\/\{\{ output:acme-ml-platform\/\w*PrometheusWorkspace\w+ \}\}\n/,
    );

    // The plan report: capacity, shares and cost, next to the templates.
    const plan = JSON.parse(readFileSync(join(first.outdir, 'plan', 'acme-ml.json'), 'utf8'));
    expect(plan.pools.map((p: any) => p.name)).toEqual(['inference', 'training']);
    expect(plan.cost.monthlyCeilingUsd).toBeGreaterThan(0);
  },
  120_000,
);

// More of this domain's cases, run in this file's worker so the domain's modules load and warm once (test time).
import './definition-warnings.cases';
import './user-error.cases';
