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
    // And a Ray pipeline (engine ray): a Ray job of its own, reading curated and raw, writing its folder of features.
    d.pipelines = [
      ...d.pipelines.filter((p: any) => p.engine !== 'ray'),
      {
        name: 'embed-weekdays',
        engine: 'ray',
        script: 'examples/jobs/embed_reviews.py',
        image: 'rayproject/ray:2.49.0-py311-gpu',
        nodePool: 'inference',
        nodes: 2,
        gpusPerNode: 1,
        from: ['curated', 'raw'],
        to: 'features',
        trigger: { schedule: 'cron(0 2 ? * 2-6 *)' },
        runTimeoutMinutes: 90,
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

// ---- a Ray pipeline: the Ray path of a training job, with the pipeline's data access

/** A zone's bucket as the platform's grants name it: the data stack's output of its ARN. */
const bucketOf = (zone: string) => `DataLakeZone${zone}ArnExport`;

/** Problems of a Ray pipeline's grants: writes outside its folder of the target, any write to a source. */
function rayGrantProblems(statements: any[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    const actions: string[] = [s.Action].flat();
    const resources = [s.Resource].flat().map((r: unknown) => JSON.stringify(r));
    if (actions.some((a) => /^s3:(Put|Delete|Abort)/.test(a)))
      for (const r of resources) if (!r.includes('/acme-ml-embed-weekdays/*')) out.push(`${actions} on ${r}`);
  }
  return out;
}

test("a Ray pipeline's role reads its sources, writes only its folder of the target, never a source", () => {
  const statements = jobStatements(template, 'embedweekdays');
  const on = (action: string) =>
    statements
      .filter((s) =>
        [s.Action].flat().some((a: string) => a === action || (a.endsWith('*') && action.startsWith(a.slice(0, -1)))),
      )
      .flatMap((s) => [s.Resource].flat().map((r: unknown) => JSON.stringify(r)));
  const reads = on('s3:GetObject').join(' ');
  for (const zone of ['curated', 'raw']) expect(reads).toContain(bucketOf(zone));
  const writes = on('s3:PutObject');
  expect(writes).toHaveLength(1);
  expect(writes[0]).toContain('/acme-ml-embed-weekdays/*');
  expect(writes[0]).toContain(bucketOf('features'));
  expect(rayGrantProblems(statements)).toEqual([]);
  // The check fails on a write to the whole target bucket, or to a source.
  const zoneWide = JSON.parse(JSON.stringify(statements).replace('/acme-ml-embed-weekdays/*', '/*'));
  expect(rayGrantProblems(zoneWide)).toEqual([expect.stringContaining('s3:PutObject')]);
  // KMS only through S3.
  for (const s of statements.filter((x) => [x.Action].flat().some((a: string) => a.startsWith('kms:'))))
    expect(s.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
});

test('a Ray pipeline runs as a RayJob template behind a scheduled CronJob, with KubeRay and its script', () => {
  const manifests = manifestsOf(platform.charts).filter((m) => m.metadata?.namespace === 'embed-weekdays');
  expect(manifests.find((m) => m.kind === 'CronJob').spec).toMatchObject({
    schedule: '0 2 * * 1-5',
    timeZone: 'Etc/UTC',
    suspend: false,
    concurrencyPolicy: 'Forbid',
  });
  expect(
    Object.keys(manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'embed-weekdays-files').data),
  ).toEqual(['embed_reviews.py']);
  const [run] = runTemplatesOf(manifests);
  expect(run.kind).toBe('RayJob');
  expect(run.spec.entrypoint).toMatch(
    /^python \/opt\/pipeline\/embed_reviews\.py --sources s3:\/\/\S+\/,s3:\/\/\S+\/ --target s3:\/\/\S+\/acme-ml-embed-weekdays\/$/,
  );
  expect(run.spec.activeDeadlineSeconds).toBe(5400);
  // The KubeRay operator is installed (Operators.ensure), as for Ray training.
  expect(JSON.stringify(template.findResources('Custom::AWSCDK-EKS-HelmChart'))).toContain('kuberay-operator');
  // The plan's runs: the pipeline's ceiling is nodes x runTimeout hours x the pool's dearest on-demand price.
  const row = platform.plan.trainingRuns.find((r) => r.job === 'embed-weekdays')!;
  expect(row).toMatchObject({
    pipeline: true,
    input: 'curated, raw',
    start: 'schedule 0 2 * * 1-5 (Etc/UTC) from cron(0 2 ? * 2-6 *)',
    startCommand:
      'kubectl -n embed-weekdays create job --from=cronjob/embed-weekdays embed-weekdays-$(date -u +%Y%m%d%H%M)',
    output: 'features/acme-ml-embed-weekdays/',
    maxHours: 1.5,
  });
  expect(row.maxRunUsd).toBeCloseTo(row.hourlyUsd * 1.5, 2);
  // Spark's list keeps only Spark pipelines.
  expect(platform.definition.pipelines.map((p) => p.name)).not.toContain('embed-weekdays');
});
