import { manifestsOf, referenceWith, resourcesOf, synthPlatform } from '../helpers';
import { runTemplatesOf } from '../support/launched-runs';

// A training job's output: its role may write exactly `<path>/*` of the zone's bucket (and list only under it), with
// the lake key through S3 only; nothing else of the lake unless its dataAccess asks.
const { template, platform } = synthPlatform(
  referenceWith((d) => {
    d.training[0].dataAccess = [];
    d.training[0].output = { zone: 'models', path: 'llama-3-8b' };
    // Built in the same platform (one build): an optimization reading one version and writing another.
    d.optimizations = [
      {
        name: 'awq',
        image: 'example.com/llm-compressor:1',
        command: ['python', 'quantize.py'],
        nodePool: 'training',
        input: { zone: 'models', path: 'llama-3-8b/2026-12-06' },
        output: { zone: 'models', path: 'llama-3-8b-awq' },
      },
    ];
  }),
);

/** Statements of the policies attached to the job's role (DataAccess-pretrain), the bucket and key references as text. */
function jobStatements(t = template, job = 'pretrain'): any[] {
  return resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([id]) => id.includes(`DataAccess${job}`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** Problems of the job's grants: any S3 object action outside the prefix, any listing not bound to it. */
function outputGrantProblems(statements: any[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    const actions = [s.Action].flat();
    const resources = [s.Resource].flat().map((r: unknown) => JSON.stringify(r));
    if (actions.some((a: string) => a.startsWith('s3:') && a !== 's3:ListBucket'))
      for (const r of resources) if (!r.includes('/llama-3-8b/*')) out.push(`${actions.join(',')} on ${r}`);
    if (
      actions.includes('s3:ListBucket') &&
      JSON.stringify(s.Condition) !== JSON.stringify({ StringLike: { 's3:prefix': ['llama-3-8b/', 'llama-3-8b/*'] } })
    )
      out.push(`s3:ListBucket without the prefix condition`);
    if (actions.some((a: string) => a.startsWith('kms:')) && !s.Condition?.StringEquals?.['kms:ViaService'])
      out.push(`${actions.join(',')} not through S3`);
  }
  return out;
}

test("a job's output: write on exactly its prefix, list under it, the key through S3", () => {
  const statements = jobStatements();
  expect(statements.map((s) => [s.Action].flat()).flat()).toEqual(
    expect.arrayContaining(['s3:PutObject', 's3:ListBucket', 'kms:GenerateDataKey']),
  );
  expect(outputGrantProblems(statements)).toEqual([]);
  // The check fails on broken grants: the whole bucket (what a read-write dataAccess entry gives), an unbounded listing.
  const broken = JSON.parse(JSON.stringify(statements));
  const put = broken.find((x: any) => [x.Action].flat().includes('s3:PutObject'));
  put.Resource = [put.Resource].flat().map((r: any) => JSON.parse(JSON.stringify(r).replace('/llama-3-8b/*', '/*')));
  delete broken.find((x: any) => [x.Action].flat().includes('s3:ListBucket')).Condition;
  expect(outputGrantProblems(broken)).toEqual([
    expect.stringContaining('s3:PutObject'),
    's3:ListBucket without the prefix condition',
  ]);
});

// An optimization is a training job's template (one node, its command as it is) that reads its input prefix only.
test('an optimization: a manual CronJob template whose pod reads INPUT_URI and writes OUTPUT_URI, run as it is', () => {
  const manifests = manifestsOf(platform.charts).filter((m) => m.metadata?.namespace === 'awq');
  expect(manifests.find((m) => m.kind === 'CronJob').spec).toMatchObject({
    suspend: true,
    concurrencyPolicy: 'Forbid',
  });
  const [run] = runTemplatesOf(manifests);
  const pod = run.spec.replicatedJobs[0].template.spec.template.spec;
  expect(run.spec.replicatedJobs[0].template.spec.parallelism).toBe(1);
  const worker = pod.containers[0];
  expect(worker.command).toEqual(['python', 'quantize.py']);
  const env = Object.fromEntries(worker.env.map((e: any) => [e.name, e.value]));
  expect(env.INPUT_URI).toMatch(/^s3:\/\/.+\/llama-3-8b\/2026-12-06\/$/);
  expect(env.OUTPUT_URI).toMatch(/^s3:\/\/.+\/llama-3-8b-awq\/ai-platform-run-id\/$/);
  expect(env.PET_NNODES).toBeUndefined();
  expect(pod.nodeSelector ?? pod.affinity).toBeDefined();
});

/** Problems of the optimization's grants: reads outside its input, writes outside its output, unbounded listing. */
function optimizationGrantProblems(statements: any[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    const actions: string[] = [s.Action].flat();
    const resources = [s.Resource].flat().map((r: unknown) => JSON.stringify(r));
    const objectActions = actions.filter((a) => a.startsWith('s3:') && a !== 's3:ListBucket');
    const allowed = objectActions.includes('s3:PutObject') ? '/llama-3-8b-awq/*' : '/llama-3-8b/2026-12-06/*';
    if (objectActions.length > 0) for (const r of resources) if (!r.includes(allowed)) out.push(`${actions} on ${r}`);
    const prefixes = s.Condition?.StringLike?.['s3:prefix'];
    if (
      actions.includes('s3:ListBucket') &&
      !(prefixes?.length === 2 && prefixes.every((p: string) => p.startsWith('llama-3-8b')))
    )
      out.push('s3:ListBucket without a prefix condition');
  }
  return out;
}

test("an optimization's role reads exactly its input prefix and writes exactly its output prefix", () => {
  const statements = jobStatements(template, 'awq');
  const on = (action: string) =>
    statements
      .filter((s) => [s.Action].flat().includes(action))
      .flatMap((s) => [s.Resource].flat().map((r: unknown) => JSON.stringify(r)));
  expect(on('s3:GetObject').some((r) => r.includes('/llama-3-8b/2026-12-06/*'))).toBe(true);
  expect(on('s3:PutObject').every((r) => r.includes('/llama-3-8b-awq/*'))).toBe(true);
  expect(on('s3:PutObject')).toHaveLength(1);
  expect(optimizationGrantProblems(statements)).toEqual([]);
  // The check fails on a zone-wide read.
  const broken = JSON.parse(JSON.stringify(statements).replace('/llama-3-8b/2026-12-06/*', '/*'));
  expect(optimizationGrantProblems(broken)).toEqual([expect.stringContaining('s3:GetObject')]);
});
