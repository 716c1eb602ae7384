import { Testing } from 'cdk8s';
import { TrainingEngine, TrainingJob, type TrainingJobProps } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { kubectlImage } from '../../lib/catalog/versions';
import { placementOnPool } from '../../lib/workloads/placement';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LAUNCHER_TTL_SECONDS,
  RUN_FAILED_EXIT_CODE,
  RUN_ID_PLACEHOLDER,
  RUN_OWNER_UID_PLACEHOLDER,
} from '../../lib/workloads/private/job-launcher';
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
});

test('the launcher Job: evictions are not counted, a failed run fails it at once, other failures retried twice', () => {
  const job = of(scheduled, 'CronJob').spec.jobTemplate.spec;
  expect(job).toMatchObject({ backoffLimit: 2, ttlSecondsAfterFinished: 7 * 24 * 3600 });
  expect(job.template.spec.restartPolicy).toBe('Never');
  expect(job.podFailurePolicy.rules).toEqual([
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'launch', operator: 'In', values: [RUN_FAILED_EXIT_CODE] } },
  ]);
  expect(job.template.spec.containers.map((c: any) => c.name)).toEqual(['launch']);
  // Not moved voluntarily while it watches its run, as the training pods.
  expect(job.template.metadata.annotations).toEqual({
    'karpenter.sh/do-not-disrupt': 'true',
    'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
  });
  // A finished launcher Job and its run are kept as long as a finished JobSet (its own TTL).
  expect(LAUNCHER_TTL_SECONDS).toBe(runTemplatesOf(pytorch)[0].spec.ttlSecondsAfterFinished);
});

test('the launcher substitutes its Job name as the run id, creates the run, and waits for its end', () => {
  const pod = of(pytorch, 'CronJob').spec.jobTemplate.spec.template.spec;
  const [c] = pod.containers;
  expect(c.image).toBe(kubectlImage('1.36'));
  expect(c.env.slice(0, 2)).toEqual([
    { name: 'RUN_ID', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } },
    {
      name: 'JOB_UID',
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" } },
    },
  ]);
  const script = c.command[2];
  expect(script).toContain(
    `sed -e "s/${RUN_ID_PLACEHOLDER}/$RUN_ID/g" -e "s/${RUN_OWNER_UID_PLACEHOLDER}/$JOB_UID/g" /etc/run/run.json | /bin/kubectl`,
  );
  expect(script).toContain('create -f - -o name');
  expect(script).toMatch(/case "\$s" in Completed\) .*exit 0;; Failed\) .*exit 3;; esac/);
  // Waits at most the run's limit: maxRunHours per attempt, 1 + 3 restarts, and an hour to start.
  expect(of(pytorch, 'CronJob').spec.jobTemplate.spec.activeDeadlineSeconds).toBe(6 * 4 * 3600 + 3600);
  expect(pod.volumes[0]).toEqual({ name: 'run', configMap: { name: 'pretrain-run' } });
});

test('each run knows its id and writes under <output>/<run id>/; the placeholder is only in labels, env and owner', () => {
  const [run] = runTemplatesOf(pytorch);
  const env = run.spec.replicatedJobs[0].template.spec.template.spec.containers[0].env;
  expect(env).toEqual(
    expect.arrayContaining([
      { name: 'RUN_ID', value: RUN_ID_PLACEHOLDER },
      { name: 'OUTPUT_URI', value: `s3://acme-models/llama-3-8b/${RUN_ID_PLACEHOLDER}/` },
    ]),
  );
  expect(run.metadata.labels['ai-platform/run']).toBe(RUN_ID_PLACEHOLDER);
  // Owned by its launcher Job (name and UID substituted), never blocking that Job's deletion.
  for (const r of [run, ...runTemplatesOf(ray)])
    expect(r.metadata.ownerReferences).toEqual([
      { apiVersion: 'batch/v1', kind: 'Job', name: RUN_ID_PLACEHOLDER, uid: RUN_OWNER_UID_PLACEHOLDER },
    ]);
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

/** Least privilege of the launcher: a Role (not a ClusterRole) allowing create, get and list of its one kind, bound to its own ServiceAccount. */
function rbacProblems(docs: any[], group: string, resource: string): string[] {
  const out: string[] = [];
  for (const d of docs.filter((x) => /Cluster/.test(x.kind))) out.push(`${d.kind} ${d.metadata.name}: cluster-wide`);
  const roles = docs.filter((d) => d.kind === 'Role');
  if (roles.length !== 1) out.push(`${roles.length} Roles`);
  for (const r of roles.flatMap((x) => x.rules))
    if (
      JSON.stringify(r) !==
      JSON.stringify({ apiGroups: [group], resources: [resource], verbs: ['create', 'get', 'list'] })
    )
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

test('RBAC: the launcher may only create, get and list its kind, in its namespace; the workers keep their own account', () => {
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

/**
 * Runs a launcher's script in bash with a fake kubectl: `get <kind> -l` answers $EXISTING (or fails when $LIST_FAILS),
 * `create` records the manifest and answers a generated name, `get <run>` answers $STATE. Returns the exit code,
 * the output and the calls.
 */
function runLauncher(docs: any[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
  const kubectl = join(dir, 'kubectl');
  writeFileSync(
    kubectl,
    [
      '#!/bin/bash',
      `echo "$*" >> ${dir}/calls`,
      'case "$*" in',
      '  *" -l "*) [ -n "${LIST_FAILS:-}" ] && { echo "Error from server (Forbidden): forbidden" >&2; exit 1; }; printf "%s" "${EXISTING:-}";;',
      `  *"create -f -"*) cat > ${dir}/created.json; echo "$KIND/pretrain-x7k2p";;`,
      '  *" get "*) printf "%s" "$STATE";;',
      '  *) exit 2;;',
      'esac',
    ].join('\n'),
  );
  chmodSync(kubectl, 0o755);
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.data?.['run.json']);
  writeFileSync(join(dir, 'run.json'), cm.data['run.json']);
  const pod = of(docs, 'CronJob').spec.jobTemplate.spec.template.spec;
  // The pod's paths, in this order: the temporary directory may itself be under /tmp.
  const script = (pod.containers[0].command[2] as string)
    .replaceAll('/tmp/', `${dir}/`)
    .replaceAll('/bin/kubectl', kubectl)
    .replaceAll('/etc/run/', `${dir}/`);
  const run = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { PATH: process.env.PATH, RUN_ID: 'pretrain-29942040', JOB_UID: '0b1c-uid', ...env },
  });
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    status: run.status,
    out: run.stdout,
    calls: (read('calls') ?? '').trim().split('\n'),
    created: read('created.json'),
  };
}

test('the launcher script: creates the run owned by its Job, or resumes the one an earlier pod created', () => {
  const kind = 'jobset.jobset.x-k8s.io';
  // A first pod: nothing found, creates the run with its id and its Job as owner, waits for its end.
  const first = runLauncher(pytorch, { KIND: kind, STATE: 'Completed' });
  expect(first.status).toBe(0);
  expect(first.calls[0]).toMatch(/get jobsets\.jobset\.x-k8s\.io -l ai-platform\/run=pretrain-29942040 -o name$/);
  const created = JSON.parse(first.created!);
  expect(created.metadata.labels['ai-platform/run']).toBe('pretrain-29942040');
  expect(created.metadata.ownerReferences).toEqual([
    { apiVersion: 'batch/v1', kind: 'Job', name: 'pretrain-29942040', uid: '0b1c-uid' },
  ]);
  expect(first.created).not.toContain('ai-platform-run');
  // A replacement pod (the first was evicted): finds the run, creates nothing, waits for it.
  const resumed = runLauncher(pytorch, { KIND: kind, EXISTING: `${kind}/pretrain-abcde\n`, STATE: 'Completed' });
  expect(resumed).toMatchObject({ status: 0, created: undefined });
  expect(resumed.out).toContain(`resuming ${kind}/pretrain-abcde`);
  expect(resumed.calls.some((c) => c.includes('create'))).toBe(false);
  expect(resumed.calls[1]).toMatch(new RegExp(`get ${kind}/pretrain-abcde -o jsonpath`));
  // A failed run fails the Job (the FailJob code); a failed list (API error) creates nothing and is retried.
  expect(runLauncher(pytorch, { KIND: kind, STATE: 'Failed' }).status).toBe(RUN_FAILED_EXIT_CODE);
  const rayFailed = runLauncher(ray, {
    KIND: 'rayjob.ray.io',
    EXISTING: 'rayjob.ray.io/pretrain-q',
    STATE: 'ValidationFailed',
  });
  expect(rayFailed.status).toBe(RUN_FAILED_EXIT_CODE);
  expect(rayFailed.calls[0]).toMatch(/get rayjobs\.ray\.io -l ai-platform\/run=pretrain-29942040 -o name$/);
  const apiError = runLauncher(pytorch, { KIND: kind, LIST_FAILS: '1', STATE: 'Completed' });
  expect(apiError.status).not.toBe(0);
  expect(apiError.status).not.toBe(RUN_FAILED_EXIT_CODE);
  expect(apiError.created).toBeUndefined();
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
