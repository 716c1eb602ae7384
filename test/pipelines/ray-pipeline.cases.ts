import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { PipelineScript } from '../../lib/pipelines/pipeline-script';
import { PipelineTrigger } from '../../lib/pipelines/pipeline-trigger';
import { RayPipeline, type RayPipelineProps } from '../../lib/pipelines/ray-pipeline';
import { TrainingEngine } from '../../lib/workloads/training-engine';
import { TrainingJob, type TrainingJobProps } from '../../lib/workloads/training-job';
import { findInstance } from '../../lib/catalog/accelerators';
import type { IDataLakeRef } from '../../lib/data-lake/data-lake-ref';
import { MAX_JOB_FILES_BYTES } from '../../lib/workloads/job-files';
import { placementOnPool } from '../../lib/workloads/placement';
import { schemaProblems } from '../helpers';
import { celViolations } from '../support/cel-rules';
import { full } from '../support/full-tests';
import { runTemplatesOf } from '../support/launched-runs';
import { ownPodProblems } from '../support/pod-security';

// A Ray pipeline is RayPipeline's rules and run composed onto a training job's Ray path (TrainingJob engine ray): the
// script's contents in a ConfigMap mounted into the head and workers, the Spark job's arguments, the trigger as the
// launcher CronJob's schedule.

const SCRIPT = path.join(__dirname, '..', '..', 'examples', 'jobs', 'embed_reviews.py');
const lake = {
  zoneNames: ['raw', 'curated', 'features', 'models'],
  zoneBucketName: (z: string) => `acme-${z}`,
} as unknown as IDataLakeRef;
const props: RayPipelineProps = {
  pipelineName: 'acme-embed-nightly',
  dataLake: lake,
  sources: ['curated', 'raw'],
  target: 'features',
  script: PipelineScript.fromAsset(SCRIPT),
  trigger: PipelineTrigger.schedule('cron(0 2 ? * 2-6 *)'),
  runTimeout: Duration.minutes(90),
};
const fields = (change: Partial<RayPipelineProps>) =>
  RayPipeline.check({ ...props, ...change }).map((p) => `${p.field}: ${p.message}`);

describe('RayPipeline', () => {
  test('what a run executes: the Spark job arguments, the script mounted, the schedule in UTC', () => {
    const run = RayPipeline.run(props);
    expect(run.command).toEqual([
      'python',
      '/opt/pipeline/embed_reviews.py',
      '--sources',
      's3://acme-curated/,s3://acme-raw/',
      '--target',
      's3://acme-features/acme-embed-nightly/',
    ]);
    expect(run.targetUri).toBe('s3://acme-features/acme-embed-nightly/');
    expect(run.files).toEqual({
      directory: '/opt/pipeline',
      contents: { 'embed_reviews.py': fs.readFileSync(SCRIPT, 'utf8') },
    });
    expect(run.schedule).toEqual({ cron: '0 2 * * 1-5', timeZone: 'Etc/UTC' });
    expect(run.maxRunHours).toBe(1.5);
    expect(RayPipeline.run({ ...props, trigger: undefined, runTimeout: undefined })).toMatchObject({
      schedule: undefined,
      maxRunHours: 2,
    });
  });

  test('refuses what the cluster cannot run, with what to do instead', () => {
    expect(fields({})).toEqual([]);
    expect(fields({ script: PipelineScript.fromS3Uri('s3://jobs/embed.py') })).toEqual([
      expect.stringMatching(/^script: must be a local \.py file for engine ray: .* or use engine spark$/),
    ]);
    expect(fields({ script: PipelineScript.fromAsset('examples/jobs/nope.py') })).toEqual([
      'script: must be an existing file',
    ]);
    expect(fields({ trigger: PipelineTrigger.onArrival('raw') })).toEqual([
      expect.stringMatching(/^trigger: cannot start on data arriving .* cannot start on S3 events; .*engine spark$/),
    ]);
    expect(fields({ trigger: PipelineTrigger.schedule('at(2027-01-01T00:00:00)') })).toEqual([
      expect.stringMatching(/^trigger.expression: is a one-time schedule; .* start it by hand, or use engine spark$/),
    ]);
    expect(fields({ trigger: PipelineTrigger.schedule('cron(0 2 L * ? *)') })).toEqual([
      expect.stringMatching(/^trigger.expression: uses L, W or #/),
    ]);
    // EventBridge's own rules first (the same as a Spark pipeline's): no conversion of an invalid expression.
    expect(fields({ trigger: PipelineTrigger.schedule('cron(0 2 * * * *)') })).toEqual([
      'trigger.expression: must use ? in exactly one of day-of-month and day-of-week',
    ]);
    expect(fields({ runTimeout: Duration.seconds(90) })).toEqual([
      expect.stringMatching(/^runTimeout: must be a whole number of minutes/),
    ]);
    expect(fields({ sources: ['features'] })).toEqual([expect.stringMatching(/^sources: must not contain the target/)]);
    expect(() => RayPipeline.run({ ...props, sources: [] })).toThrow(/sources/);
  });
});

const p5 = placementOnPool('gpu', [findInstance('g6e.xlarge')!], 1, 32);
const run = RayPipeline.run(props);
const job: TrainingJobProps = {
  name: 'embed-nightly',
  namespace: 'embed-nightly',
  image: 'rayproject/ray:2.49.0-py311-gpu',
  engine: TrainingEngine.RAY,
  nodes: 2,
  placement: p5,
  command: run.command,
  files: run.files,
  schedule: run.schedule,
  maxRunHours: run.maxRunHours,
};
const docs: any[] = Testing.synth(new TrainingJob(Testing.app(), 'pipeline', job));
const of = (kind: string, name?: string) =>
  docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
const rayJob = runTemplatesOf(docs)[0];
const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'embed-nightly', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
};

describe('a Ray pipeline on the training job Ray path', () => {
  test('the deploy applies the script, the template and a scheduled launcher; never a run', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ServiceAccount/embed-nightly',
      'ConfigMap/embed-nightly-files',
      'ConfigMap/embed-nightly-run',
      'ServiceAccount/embed-nightly-launcher',
      'Role/embed-nightly-launcher',
      'RoleBinding/embed-nightly-launcher',
      'CronJob/embed-nightly',
    ]);
    expect(of('ConfigMap', 'embed-nightly-files')).not.toHaveProperty('immutable');
    expect(of('ConfigMap', 'embed-nightly-files').data['embed_reviews.py']).toContain('ray.data.read_parquet');
    expect(of('CronJob').spec).toMatchObject({
      schedule: '0 2 * * 1-5',
      timeZone: 'Etc/UTC',
      suspend: false,
      concurrencyPolicy: 'Forbid',
    });
  });

  test('the RayJob runs the script from the mount with the pipeline arguments, for runTimeout at most', () => {
    expect(rayJob.kind).toBe('RayJob');
    expect(rayJob.spec.entrypoint).toBe(
      'python /opt/pipeline/embed_reviews.py --sources s3://acme-curated/,s3://acme-raw/ --target s3://acme-features/acme-embed-nightly/',
    );
    expect(rayJob.spec.activeDeadlineSeconds).toBe(5400);
    const cluster = rayJob.spec.rayClusterSpec;
    const pods = { head: cluster.headGroupSpec.template.spec, worker: cluster.workerGroupSpecs[0].template.spec };
    expect(cluster.workerGroupSpecs[0].replicas).toBe(2);
    for (const pod of Object.values(pods)) {
      expect(pod.volumes).toContainEqual({ name: 'files', configMap: { name: 'embed-nightly-files' } });
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'files',
        mountPath: '/opt/pipeline',
        readOnly: true,
      });
    }
  });

  test('Pod Security restricted: head, workers, submitter and launcher', () => {
    expect(ownPodProblems([namespace, ...docs, rayJob])).toEqual([]);
  });

  test('a script the cluster cannot apply is refused: over the annotation a client-side apply writes', () => {
    const big = { directory: '/opt/pipeline', contents: { 'big.py': 'x'.repeat(MAX_JOB_FILES_BYTES) } };
    expect(TrainingJob.check({ ...job, files: big }).map((p) => p.field)).toEqual(['files.contents']);
    expect(TrainingJob.check({ ...job, files: { directory: 'opt', contents: { 'a b.py': '' } } })).toEqual([
      expect.objectContaining({ field: 'files.directory' }),
      expect.objectContaining({ field: 'files.contents', value: 'a b.py' }),
    ]);
  });

  full.test(
    'schemas and CEL: the CronJob, ConfigMaps and the RayJob inside (vendored CRD); fails on a broken RayJob',
    () => {
      const named = { ...rayJob, metadata: { ...rayJob.metadata, name: 'embed-nightly-x7k2p' } };
      const broken = JSON.parse(JSON.stringify(named));
      broken.spec.entrypoint = ['python'];
      const results = schemaProblems({ ok: [...docs, named], broken: [broken] });
      expect(results.ok).toEqual([]);
      expect(results.broken).toEqual([expect.stringMatching(/^RayJob\/embed-nightly-x7k2p: .*entrypoint/)]);
      expect(celViolations(named)).toEqual([]);
    },
  );
});
