import { Testing } from 'cdk8s';
import { TrainingEngine, TrainingJob, type TrainingJobProps } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { kubectlImage } from '../../lib/catalog/versions';
import { placementOnPool } from '../../lib/workloads/placement';
import { RUN_ID_PLACEHOLDER } from '../../lib/workloads/private/job-launcher';
import { manualStartCommand } from '../../lib/workloads/training-schedule';
import { schemaProblems } from '../helpers';
import { full } from '../support/full-tests';
import { celViolations } from '../support/cel-rules';
import { runTemplatesOf } from '../support/launched-runs';
import { ownPodProblems } from '../support/pod-security';

// A training job is a template: the deploy applies a CronJob (suspended unless scheduled), the ConfigMap holding
// the run, and the launcher's narrow RBAC; never a JobSet or RayJob, which would start GPUs and whose spec the
// next deploy could not change (jobset v0.12.0 pkg/webhooks/jobset_webhook.go ValidateUpdate).

const p5 = placementOnPool('training', [findInstance('p5.48xlarge')!], 8, 32);
const base: TrainingJobProps = { name: 'pretrain', namespace: 'ml', image: 'trainer:1', nodes: 2, placement: p5 };
const synth = (props: Partial<TrainingJobProps> = {}): any[] =>
  Testing.synth(new TrainingJob(Testing.app(), 'job', { ...base, ...props }));
const of = (docs: any[], kind: string) => docs.find((d) => d.kind === kind);

const pytorch = synth({ maxRunHours: 6, output: { bucketName: 'acme-models', path: 'llama-3-8b' } });
const ray = synth({ engine: TrainingEngine.RAY, command: ['python', 'train.py'], maxRunHours: 6 });
const scheduled = synth({ schedule: { cron: '0 3 * * 0', timeZone: 'Europe/Berlin' } });
/** The namespace as TeamNamespace writes it (Pod Security enforce: restricted). */
const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'ml', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
};

test('the deploy applies the template and its launcher, never a run', () => {
  for (const docs of [pytorch, ray])
    expect(docs.map((d) => d.kind)).toEqual([
      'ServiceAccount',
      'ConfigMap',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'CronJob',
    ]);
  expect(runTemplatesOf(pytorch).map((r) => [r.kind, r.metadata.generateName])).toEqual([['JobSet', 'pretrain-']]);
  expect(runTemplatesOf(ray).map((r) => [r.kind, r.metadata.generateName])).toEqual([['RayJob', 'pretrain-']]);
});

test('manual by default: a suspended CronJob, started with kubectl create job --from', () => {
  expect(of(pytorch, 'CronJob').spec).toMatchObject({ suspend: true, concurrencyPolicy: 'Forbid' });
  expect(manualStartCommand('pretrain', 'ml')).toBe(
    'kubectl -n ml create job --from=cronjob/pretrain pretrain-$(date -u +%Y%m%d%H%M)',
  );
});

test('scheduled: the cron in its time zone, one run at a time, bounded history and start deadline', () => {
  expect(of(scheduled, 'CronJob').spec).toMatchObject({
    schedule: '0 3 * * 0',
    timeZone: 'Europe/Berlin',
    suspend: false,
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
  });
  // The launcher is never retried (a retry could start a second run).
  expect(of(scheduled, 'CronJob').spec.jobTemplate.spec.backoffLimit).toBe(0);
});

test('the launcher substitutes its Job name as the run id, creates the run, and waits for its end', () => {
  const pod = of(pytorch, 'CronJob').spec.jobTemplate.spec.template.spec;
  const [c] = pod.containers;
  expect(c.image).toBe(kubectlImage('1.36'));
  expect(c.env[0]).toEqual({
    name: 'RUN_ID',
    valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } },
  });
  const script = c.command[2];
  expect(script).toContain(`sed "s/${RUN_ID_PLACEHOLDER}/$RUN_ID/g" /etc/run/run.json | /bin/kubectl`);
  expect(script).toContain('create -f - -o name');
  expect(script).toMatch(/case "\$s" in Completed\) .*exit 0;; Failed\) .*exit 1;; esac/);
  // Waits at most the run's limit: maxRunHours per attempt, 1 + 3 restarts, and an hour to start.
  expect(of(pytorch, 'CronJob').spec.jobTemplate.spec.activeDeadlineSeconds).toBe(6 * 4 * 3600 + 3600);
  expect(pod.volumes[0]).toEqual({ name: 'run', configMap: { name: 'pretrain-run' } });
});

test('each run knows its id and writes under <output>/<run id>/; the placeholder is only in labels and env', () => {
  const [run] = runTemplatesOf(pytorch);
  const env = run.spec.replicatedJobs[0].template.spec.template.spec.containers[0].env;
  expect(env).toEqual(
    expect.arrayContaining([
      { name: 'RUN_ID', value: RUN_ID_PLACEHOLDER },
      { name: 'OUTPUT_URI', value: `s3://acme-models/llama-3-8b/${RUN_ID_PLACEHOLDER}/` },
    ]),
  );
  expect(run.metadata.labels['ai-platform/run']).toBe(RUN_ID_PLACEHOLDER);
  // JOBSET_NAME is defined before the variable that expands it ($(VAR) refers to earlier entries only).
  const names = env.map((e: any) => e.name);
  expect(names.indexOf('JOBSET_NAME')).toBeLessThan(names.indexOf('PET_MASTER_ADDR'));
  expect(run.spec.replicatedJobs[0].template.spec.activeDeadlineSeconds).toBe(6 * 3600);
  const [rayRun] = runTemplatesOf(ray);
  expect(rayRun.spec.activeDeadlineSeconds).toBe(6 * 3600);
  expect(rayRun.spec.rayClusterSpec.workerGroupSpecs[0].template.spec.containers[0].env[0]).toEqual({
    name: 'RUN_ID',
    value: RUN_ID_PLACEHOLDER,
  });
});

/** Least privilege of the launcher: a Role (not a ClusterRole) allowing create and get of its one kind, bound to its own ServiceAccount. */
function rbacProblems(docs: any[], group: string, resource: string): string[] {
  const out: string[] = [];
  for (const d of docs.filter((x) => /Cluster/.test(x.kind))) out.push(`${d.kind} ${d.metadata.name}: cluster-wide`);
  const roles = docs.filter((d) => d.kind === 'Role');
  if (roles.length !== 1) out.push(`${roles.length} Roles`);
  for (const r of roles.flatMap((x) => x.rules))
    if (JSON.stringify(r) !== JSON.stringify({ apiGroups: [group], resources: [resource], verbs: ['create', 'get'] }))
      out.push(`rule ${JSON.stringify(r)}`);
  const binding = docs.find((d) => d.kind === 'RoleBinding');
  const cron = docs.find((d) => d.kind === 'CronJob');
  const sa = cron?.spec.jobTemplate.spec.template.spec.serviceAccountName;
  if (
    binding?.roleRef?.kind !== 'Role' ||
    binding.roleRef.name !== roles[0]?.metadata.name ||
    JSON.stringify(binding.subjects) !== JSON.stringify([{ kind: 'ServiceAccount', name: sa, namespace: 'ml' }])
  )
    out.push('the binding is not to the launcher');
  if (sa === docs.find((d) => d.kind === 'ServiceAccount')?.metadata.name)
    out.push('the launcher uses the workers account');
  return out;
}

test('RBAC: the launcher may only create and get its kind, in its namespace; the workers keep their own account', () => {
  expect(rbacProblems(pytorch, 'jobset.x-k8s.io', 'jobsets')).toEqual([]);
  expect(rbacProblems(ray, 'ray.io', 'rayjobs')).toEqual([]);
  // And the check fails on broken objects.
  const wider = JSON.parse(JSON.stringify(pytorch));
  of(wider, 'Role').rules[0].verbs.push('delete');
  of(wider, 'Role').kind = 'ClusterRole';
  expect(rbacProblems(wider, 'jobset.x-k8s.io', 'jobsets')).toEqual([
    'ClusterRole pretrain-launcher: cluster-wide',
    '0 Roles',
    'the binding is not to the launcher',
  ]);
  const verbs = JSON.parse(JSON.stringify(pytorch));
  of(verbs, 'Role').rules[0].verbs.push('delete');
  expect(rbacProblems(verbs, 'jobset.x-k8s.io', 'jobsets')).toEqual([expect.stringContaining('"delete"')]);
});

test('Pod Security restricted: the launcher pod and every pod of the runs it creates; fails on a broken pod', () => {
  const all = [namespace, ...pytorch, ...ray, ...runTemplatesOf(pytorch), ...runTemplatesOf(ray)];
  expect(ownPodProblems(all)).toEqual([]);
  const broken = JSON.parse(JSON.stringify(pytorch));
  delete of(broken, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].securityContext;
  expect(ownPodProblems([namespace, ...broken])).toEqual(
    expect.arrayContaining([expect.stringContaining('CronJob/ml/pretrain spec.jobTemplate.spec.template')]),
  );
});

test("the runs' JobSet and RayJob pass their CRDs' CEL rules", () => {
  const runs = [...runTemplatesOf(pytorch), ...runTemplatesOf(ray), ...runTemplatesOf(scheduled)];
  const named = (m: any) => ({ ...m, metadata: { ...m.metadata, name: `${m.metadata.generateName}x7k2p` } });
  expect(runs.flatMap((r) => celViolations(named(r)))).toEqual([]);
});

// The schema validator process (about 5 s to load the Kubernetes and CRD schemas) runs once in npm test, in the
// example suite, on the reference's run templates too (test/support/launched-runs.ts); this whole-matrix check with
// its broken runs runs in CI's full step.
full.test(
  'schemas: the CronJob, ConfigMap, RBAC and the runs inside (JobSet, RayJob CRDs and CEL); fails on broken runs',
  () => {
    const runs = [...runTemplatesOf(pytorch), ...runTemplatesOf(ray), ...runTemplatesOf(scheduled)];
    // The template has no name (generateName): give it the name a run gets, for the validator's messages.
    const named = (m: any) => ({ ...m, metadata: { ...m.metadata, name: `${m.metadata.generateName}x7k2p` } });
    const brokenJobSet = named(JSON.parse(JSON.stringify(runs[0])));
    brokenJobSet.spec.replicatedJobs[0].replica = 1;
    const brokenRayJob = named(JSON.parse(JSON.stringify(runs[1])));
    brokenRayJob.spec.rayClusterSpec.workerGroupSpecs[0].replicas = 'two';
    const brokenCron = JSON.parse(JSON.stringify(of(scheduled, 'CronJob')));
    brokenCron.spec.startingDeadlineSeconds = 'an hour';
    const results = schemaProblems({
      ok: [...pytorch, ...ray, ...scheduled, ...runs.map(named)],
      broken: [brokenJobSet, brokenRayJob, brokenCron],
    });
    expect(results.ok).toEqual([]);
    expect(results.broken).toEqual([
      expect.stringMatching(/^JobSet\/pretrain-x7k2p: .*replica/),
      expect.stringMatching(/^RayJob\/pretrain-x7k2p: .*replicas/),
      expect.stringMatching(/^CronJob\/pretrain: .*startingDeadlineSeconds/),
    ]);
    expect(runs.flatMap((r) => celViolations(named(r)))).toEqual([]);
  },
);

test('a schedule is checked as the API server checks a CronJob: cron syntax, no TZ in it, an IANA zone', () => {
  const problems = (cron: string, timeZone?: string) =>
    TrainingJob.check({ ...base, schedule: { cron, timeZone } }).map((p) => `${p.field}: ${p.message}`);
  expect(problems('0 3 * * 0', 'Europe/Berlin')).toEqual([]);
  expect(problems('@weekly')).toEqual([]);
  expect(problems('*/15 9-17 * JAN-MAR mon-fri')).toEqual([]);
  expect(problems('0 3 * *')).toEqual([expect.stringMatching(/^schedule.cron: has 4 fields; a cron expression has 5/)]);
  expect(problems('61 3 * * 0')).toEqual([expect.stringMatching(/^schedule.cron: minute: '61' is outside 0-59/)]);
  expect(problems('CRON_TZ=UTC 0 3 * * 0')).toEqual([expect.stringMatching(/cannot name a time zone/)]);
  expect(problems('@fortnightly')).toEqual([expect.stringMatching(/is not a descriptor/)]);
  expect(problems('0 3 * * 0', 'Mars/Olympus')).toEqual([expect.stringMatching(/^schedule.timeZone: must be an IANA/)]);
  expect(problems('0 3 * * 0', 'Local')).toHaveLength(1);
  expect(problems('0 3 * * 0', 'europe/berlin')).toHaveLength(1);
  expect(() => synth({ schedule: { cron: 'weekly' } })).toThrow(/schedule.cron/);
});

test('maxRunHours and output.path are checked', () => {
  const fields = (props: Partial<TrainingJobProps>) => TrainingJob.check({ ...base, ...props }).map((p) => p.field);
  expect(fields({ maxRunHours: 0 })).toEqual(['maxRunHours']);
  expect(fields({ output: { bucketName: 'b', path: '/abs/' } })).toEqual(['output.path']);
  expect(fields({ maxRunHours: 1.5, output: { bucketName: 'b', path: 'llama/ft' } })).toEqual([]);
});

test("without torchrun (an optimization's container) the command runs as it is, on one node only", () => {
  const docs = synth({ nodes: 1, torchrun: false, command: ['python', 'quantize.py'] });
  const worker = runTemplatesOf(docs)[0].spec.replicatedJobs[0].template.spec.template.spec.containers[0];
  expect(worker.command).toEqual(['python', 'quantize.py']);
  expect(worker.env.map((e: any) => e.name)).not.toContain('PET_MASTER_ADDR');
  expect(TrainingJob.check({ ...base, nodes: 2, torchrun: false })).toEqual([
    { field: 'nodes', value: 2, message: 'must be 1 without torchrun (nothing sets up a rendezvous)' },
  ]);
});
