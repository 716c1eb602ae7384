import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors } from 'aws-cdk-lib';
import type { AiPlatformDefinition } from '../../lib';
import {
  compareAssemblies,
  readAssembly,
  writeChangeReport,
  type AssemblyTemplates,
  type ChangeReport,
} from '../../lib/change-report/change-report';
import { reviewChanges } from '../../lib/change-report/approval';
import { manifestChanges } from '../../lib/change-report/private/kubernetes';
import { deniedByPolicy } from '../../lib/change-report/private/stack-policies';
import { itemOf } from '../../lib/change-report/private/translate';
import { synthAssembly } from './synth-assembly';

// The change report on pairs of real assemblies of a small platform, diffed with @aws-cdk/cloudformation-diff:
// three synths in all (a baseline, the edit, and the baseline with its protections lifted), each edit below a
// change between two of them or a JSON edit of one.

const small = (change: (d: any) => void = () => undefined): AiPlatformDefinition => {
  const d: any = {
    name: 'cr-ml',
    nodePools: [
      { name: 'serve', instanceTypes: ['g6e.xlarge'], maxNodes: 2 },
      { name: 'train', instanceTypes: ['g6e.xlarge'], maxNodes: 3, protect: true },
    ],
    dataLake: { zones: ['raw', 'models', 'scratch'] },
    inference: [
      {
        name: 'chat',
        image: 'vllm/vllm-openai:v0.11.0',
        nodePool: 'serve',
        maxReplicas: 2,
        model: { zone: 'models', path: 'llama/v1' },
      },
    ],
  };
  change(d);
  return d;
};
const lifted = (d: any) => {
  d.allowReplace = [
    { item: 'zone:scratch', reason: 'scratch data is rebuilt nightly' },
    { item: 'pool:train', reason: 'no training runs this week' },
  ];
};
const edit = (d: any) => {
  d.nodePools[0].instanceTypes = ['g6e.2xlarge']; // serve: node group replaced
  d.nodePools[1].instanceTypes = ['g6e.2xlarge']; // train (protected): node group replaced
  d.inference[0].image = 'vllm/vllm-openai:v0.11.1';
  d.inference[0].model.path = 'llama/v2'; // promotion: the service serves another model version
  d.dataLake.zones = ['raw', 'models']; // scratch: orphaned (retained)
};

let dir: string;
const synth = (name: string, definition: AiPlatformDefinition) => synthAssembly(dir, name, definition);
let base: AssemblyTemplates;
let after: AssemblyTemplates;
let open: AssemblyTemplates;
let report: ChangeReport;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'change-report-'));
  base = synth('base', small());
  after = synth('after', small(edit));
  open = synth('open', small(lifted));
  report = compareAssemblies('cr-ml', 'base', base, after);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const says = (r: ChangeReport, item: string) => r.stacks.flatMap((s) => s.changes).filter((c) => c.item === item);

test('a pool whose instance types change is replaced: its nodes are drained, with what that costs in GPU-hours', () => {
  const [nodegroup] = says(report, 'pool:serve').filter((c) => c.resourceType === 'AWS::EKS::Nodegroup');
  expect(nodegroup.kind).toBe('replaced');
  expect(nodegroup.says).toMatch(
    /^GPU pool `serve` is replaced: its nodes are drained and `chat` move to the new nodes\./,
  );
  // g6e.xlarge: one GPU a node, maxNodes 2 (the plan's acceleratorsAtMaxNodes).
  expect(nodegroup.says).toContain('up to 2 GPU-hours');
});

test('an inference image change rolls the service in place', () => {
  const [chat] = says(report, 'inference:chat');
  expect(chat.kind).toBe('updated');
  expect(chat.says).toContain(
    'Deployment chat/chat rolls to a new image (vllm/vllm-openai:v0.11.0 → vllm/vllm-openai:v0.11.1)',
  );
});

// Issue 19's promotion: serving names the model version it runs; promoting is changing that path.
test('promoting a model version (its path) rolls the service onto the new version, read-only from the zone', () => {
  const [chat] = says(report, 'inference:chat');
  // The version's read-only volume is new (its name carries the path's hash), the old one goes, and the pods roll.
  expect(chat.says).toMatch(/PersistentVolumeClaim chat\/chat-model-[0-9a-f]{8} created/);
  expect(chat.says).toMatch(/PersistentVolumeClaim chat\/chat-model-[0-9a-f]{8} deleted/);
  expect(chat.says).toMatch(/Deployment chat\/chat rolls/);
  // The service's role now reads the new version's prefix: updated in place, no replacement.
  const role = report.stacks
    .flatMap((s) => s.changes)
    .filter((c) => c.resourceType === 'AWS::IAM::Policy' && c.item.includes('DataAccesschat'));
  expect(role.map((c) => c.kind)).toEqual(['updated']);
});

test('a zone removed is orphaned (retained), and refused while the deployed stack policy protects it', () => {
  const [scratch] = says(report, 'zone:scratch');
  expect(scratch.kind).toBe('orphaned');
  expect(scratch.says).toBe('zone bucket `scratch` is orphaned (retained): its data stays, outside the stack.');
  const refused = report.refusals.filter((r) => r.item === 'zone:scratch');
  expect(refused).toHaveLength(1);
  expect(refused[0].reason).toContain('the stack policy deployed on cr-ml-data denies it');
  expect(refused[0].wayOut).toContain("add allowReplace: [{ item: 'zone:scratch'");
});

test("a protected pool's replacement is refused; the unprotected one's is not", () => {
  expect(report.refusals.filter((r) => r.item?.startsWith('pool:')).map((r) => r.item)).toEqual(['pool:train']);
});

test('lifting the protections first (allowReplace) deploys, and then the same edit passes', () => {
  const lift = compareAssemblies('cr-ml', 'base', base, open, []);
  expect(lift.refusals).toEqual([]);
  // The data stack itself does not change: its policy is set from the platform stack.
  expect(lift.stacks.find((s) => s.stack === 'cr-ml-data')?.status).toBe('unchanged');
  const policies = lift.stacks.flatMap((s) => s.changes).filter((c) => c.resourceType === 'Custom::StackPolicy');
  // The data stack's policy no longer denies the scratch bucket; the train pool's shard drops its policy.
  expect(policies.map((c) => c.kind).sort()).toEqual(['destroyed', 'updated']);
  expect(compareAssemblies('cr-ml', 'open', open, after, []).refusals).toEqual([]);
});

test('a zone bucket deleted with its data is refused unless allowReplace names it', () => {
  const destroying: AssemblyTemplates = JSON.parse(JSON.stringify(open));
  const data = destroying.stacks['cr-ml-data'];
  const id = Object.keys(data.Resources).find((k) => k.startsWith('DataLakeZonescratch'))!;
  data.Resources[id].DeletionPolicy = 'Delete';
  const refused = compareAssemblies('cr-ml', 'open', destroying, after).refusals;
  expect(refused.map((r) => [r.item, r.reason, r.allowed])).toEqual([
    ['zone:scratch', 'zone bucket `scratch` is deleted with its data (its removal policy is destroy)', undefined],
  ]);
  const accepted = compareAssemblies('cr-ml', 'open', destroying, after, [{ item: 'zone:scratch', reason: 'rebuilt' }]);
  expect(accepted.refusals.map((r) => r.allowed)).toEqual(['rebuilt']);
});

test("a Deployment's selector cannot change in place: refused, with the way out", () => {
  const before = after.stacks;
  const changed: AssemblyTemplates = JSON.parse(JSON.stringify(after));
  for (const t of Object.values<any>(changed.stacks))
    for (const r of Object.values<any>(t.Resources ?? {}))
      if (r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' && JSON.stringify(r).includes('"kind\\":\\"Deployment'))
        r.Properties.Manifest = JSON.parse(
          JSON.stringify(r.Properties.Manifest).replace(
            '\\"selector\\":{\\"matchLabels\\":{',
            '\\"selector\\":{\\"matchLabels\\":{\\"tier\\":\\"a\\",',
          ),
        );
  const refused = compareAssemblies('cr-ml', 'after', { stacks: before, plan: after.plan }, changed).refusals;
  expect(refused.map((r) => r.reason)).toEqual([
    expect.stringContaining('Deployment chat/chat: spec.selector changes (apps/v1: a label selector is immutable'),
  ]);
  expect(refused[0].wayOut).toMatch(/new name/);
});

test("a Job's pod template is immutable; its other objects change freely", () => {
  const job = (image: string) =>
    JSON.stringify([
      { kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ image }] } } } },
    ]);
  expect(manifestChanges(job('a'), job('b'))).toEqual([
    expect.objectContaining({ object: 'Job j', refused: expect.stringContaining('spec.template') }),
  ]);
});

// jobset v0.12.0 pkg/webhooks/jobset_webhook.go ValidateUpdate: replicatedJobs is immutable (a changed image or
// command of a JobSet applied by the deploy fails); the JobSet's labels are not.
test("a JobSet's replicatedJobs are immutable: a changed worker image is refused, a label is not", () => {
  const jobset = (image: string, team = 'a') =>
    JSON.stringify([
      {
        kind: 'JobSet',
        metadata: { name: 'pretrain', namespace: 'ml', labels: { team } },
        spec: {
          replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: { containers: [{ image }] } } } } }],
        },
      },
    ]);
  expect(manifestChanges(jobset('trainer:1'), jobset('trainer:2'))).toEqual([
    expect.objectContaining({ object: 'JobSet ml/pretrain', refused: expect.stringContaining('spec.replicatedJobs') }),
  ]);
  expect(manifestChanges(jobset('trainer:1'), jobset('trainer:1', 'b'))[0].refused).toBeUndefined();
});

test('synth with a baseline writes the report next to the plan, and fails with the reasons and the ways out', () => {
  let error: unknown;
  try {
    writeChangeReport(join(dir, 'after'), 'cr-ml', join(dir, 'base'), []);
  } catch (e) {
    error = e;
  }
  expect(Errors.isValidationError(error)).toBe(true);
  const message = (error as Error).message;
  expect(message).toContain('would fail at deploy or lose data (2 problems');
  expect(message).toContain(
    '[cr-ml-data] zone bucket `scratch` is orphaned, and the stack policy deployed on cr-ml-data denies it',
  );
  const md = readFileSync(join(dir, 'after', 'plan', 'cr-ml-changes.md'), 'utf8');
  expect(md).toContain('## Refused: this change would fail at deploy or lose data');
  expect(md).toContain('GPU pool `serve` is replaced');
  const json = JSON.parse(readFileSync(join(dir, 'after', 'plan', 'cr-ml-changes.json'), 'utf8'));
  expect(json.refusals).toHaveLength(2);
  // With the protections lifted by a deploy before, the same change writes its report and passes.
  expect(() => writeChangeReport(join(dir, 'after'), 'cr-ml', join(dir, 'open'), [])).not.toThrow();
});

test('a baseline that is not a cloud assembly names the option and the value', () => {
  expect(() => readAssembly(dir, 'cr-ml')).toThrow(/-c ai-platform:baseline \(.*\) is not a cloud assembly/);
});

test('the platform protects every zone bucket and the lake key, and a pool marked protect; allowReplace lifts them', () => {
  const denied = (a: AssemblyTemplates) =>
    Object.fromEntries(
      [...deniedByPolicy(a.stacks)].map(([stack, ids]) => [
        stack,
        [...ids].map((id) => id.replace(/[0-9A-F]{8}$/, '')),
      ]),
    );
  expect(denied(base)).toEqual({
    'cr-ml-data': ['DataLakeKey', 'DataLakeZonemodels', 'DataLakeZoneraw', 'DataLakeZonescratch'],
    [Object.keys(base.stacks).find((s) => JSON.stringify(base.stacks[s]).includes('PooltrainNodegroup'))!]: [
      'PooltrainNodegroup',
    ],
  });
  expect(denied(open)).toEqual({ 'cr-ml-data': ['DataLakeKey', 'DataLakeZonemodels', 'DataLakeZoneraw'] });
  // Deleting the platform stack (which sets the data stack's policy) leaves the data stack protected; a shard's
  // policy is lifted when its last protected pool goes.
  const policies = Object.values(base.stacks).flatMap((t: any) =>
    Object.values<any>(t.Resources ?? {}).filter((r) => r.Type === 'Custom::StackPolicy'),
  );
  expect(
    policies
      .map((r) => [JSON.parse(r.Properties.Create).parameters.StackName, r.Properties.Delete !== undefined])
      .sort(),
  ).toEqual([
    ['cr-ml-data', false],
    [expect.stringMatching(/^cr-ml-pools-\d$/), true],
  ]);
});

// What `approval: on-replacement` asks a person about (lib/change-report/approval.ts), on the same assemblies.
describe('the approval the delivery pipeline asks for', () => {
  test("a pool's replacement needs the approval, and says why", () => {
    const review = reviewChanges(report);
    expect(review.approvalNeeded).toBe(true);
    expect(review.because).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\[cr-ml-pools(?:-\d+)?\] GPU pool `serve` is replaced: /)]),
    );
  });

  test('an in-place image roll needs none', () => {
    // The baseline with only the served image moved, as synth writes it (the image is a string in the manifest).
    const rolled = JSON.parse(
      JSON.stringify(base).split('vllm/vllm-openai:v0.11.0').join('vllm/vllm-openai:v0.11.1'),
    ) as AssemblyTemplates;
    const rolls = compareAssemblies('cr-ml', 'base', base, rolled);
    // The roll is in the report (an update), but it neither replaces nor removes nodes, data or an endpoint.
    expect(rolls.stacks.flatMap((s) => s.changes).map((c) => [c.item, c.kind])).toContainEqual([
      'inference:chat',
      'updated',
    ]);
    expect(reviewChanges(rolls)).toEqual({ approvalNeeded: false, because: [] });
  });
});

test("a job's chart is named by its kind, in this version's plan and in one from before optimizations and Ray pipelines had their own", () => {
  const plan = (kind: string): any => ({ pools: [], workloads: [{ kind, name: 'awq', pool: 'gpu' }] });
  const item = (kind: string) =>
    itemOf('TrainingawqA970F16F', 'Custom::AWSCDK-EKS-KubernetesResource', {}, [plan(kind)]).item;
  expect(item('optimization')).toBe('optimization:awq');
  expect(item('pipeline')).toBe('pipeline:awq');
  expect(item('training')).toBe('training:awq');
  // An inference chart is not a job's.
  expect(
    itemOf('InferenceawqA970F16F', 'Custom::AWSCDK-EKS-KubernetesResource', {}, [plan('optimization')]).item,
  ).not.toBe('optimization:awq');
});
