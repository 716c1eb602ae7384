import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { AiPlatform, type AiPlatformDefinition } from '../../lib';
import { HELM_CHARTS } from '../../lib/catalog/versions';
import { referenceWith, testApp } from '../helpers';
import { full, FULL_TESTS } from '../support/full-tests';
import { assemblyOf, lifecycleViolations, type Assembly, type EditScope } from '../support/lifecycle-rules';
import { manifestChanges } from '../../lib/change-report/private/kubernetes';

// Day two: every realistic edit of a deployed platform, synthesized before and after and held to the rules of
// test/support/lifecycle-rules.ts (each rule cites its source; the last block shows each one failing on a
// broken pair). npm test runs a representative slice; `FULL_TESTS=1 npx jest lifecycle` (a CI step) runs
// the whole matrix.

interface Edit {
  readonly name: string;
  readonly change: (d: any) => void;
  readonly scope?: EditScope;
  readonly slice?: boolean;
}

/** A later version of a script: the same file name, one more line, in a folder of its own. */
function changedScript(script: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'script-v2-')), path.basename(script));
  fs.writeFileSync(file, `${fs.readFileSync(script, 'utf8')}\n# v2\n`);
  return file;
}

const pool = (name: string, extra: object = {}) => ({ name, instanceTypes: ['g6e.xlarge'], maxNodes: 2, ...extra });
const EDITS: Edit[] = [
  { name: 'add a pool at the end', change: (d) => d.nodePools.push(pool('batch')) },
  { name: 'add a pool at the start', change: (d) => d.nodePools.unshift(pool('batch')) },
  {
    name: 'remove a pool from the middle (and the service, the optimization and the Ray pipeline on it)',
    slice: true,
    scope: { removesPools: ['inference'] },
    change: (d) => {
      d.nodePools.splice(0, 1);
      d.inference = [];
      d.optimizations = [];
      d.pipelines = d.pipelines.filter((p: any) => p.nodePool !== 'inference');
    },
  },
  { name: 'reorder pools', change: (d) => d.nodePools.reverse() },
  {
    name: "raise a pool's maxNodes",
    change: (d) => {
      d.nodePools[0].maxNodes = 12;
    },
  },
  {
    name: "change a pool's instance types",
    change: (d) => {
      d.nodePools[0].instanceTypes = ['g6e.2xlarge'];
    },
    scope: { rollsPools: ['inference'] },
  },
  {
    name: "change a pool's labels",
    change: (d) => {
      d.nodePools[0].labels = { tier: 'gold' };
    },
  },
  {
    name: "change a pool's disk",
    change: (d) => {
      d.nodePools[1].diskGiB = 800;
    },
    scope: { rollsPools: ['training'] },
  },
  {
    name: 'change a platform tag',
    change: (d) => {
      d.tags = { team: 'ml-infra', 'cost-center': '42' };
    },
    scope: { lake: true },
  },
  {
    name: 'add an alarm e-mail',
    change: (d) => {
      d.monitoring = { ...d.monitoring, alarmEmails: [...(d.monitoring?.alarmEmails ?? []), 'oncall2@example.com'] };
    },
  },
  {
    name: 'change the budget',
    change: (d) => {
      d.monitoring = { ...d.monitoring, monthlyBudgetUsd: 12345 };
    },
  },
  {
    name: 'change an alarm threshold',
    change: (d) => {
      d.monitoring = { ...d.monitoring, gpuIdleThresholdPercent: 5 };
    },
  },
  {
    name: 'add a zone',
    change: (d) => {
      d.dataLake.zones.push('scratch');
    },
    scope: { lake: true },
  },
  {
    name: 'remove a zone nothing uses',
    change: (d) => {
      d.dataLake.zones = d.dataLake.zones.filter((z: string) => z !== 'features');
      d.pipelines = d.pipelines.filter((p: any) => p.to !== 'features');
    },
    scope: { lake: true },
  },
  {
    name: 'add a workload',
    change: (d) =>
      d.inference.push({
        ...d.inference[0],
        name: 'embed',
        minReplicas: 1,
        maxReplicas: 1,
        expose: { host: 'embed.ml.internal' },
      }),
  },
  {
    name: 'remove a workload',
    change: (d) => {
      d.training = [];
    },
  },
  {
    name: 'rename a team',
    change: (d) => {
      d.teams[0].name = 'science';
    },
  },
  {
    name: 'change an image',
    change: (d) => {
      d.inference[0].image = 'vllm/vllm-openai:v0.11.1';
    },
  },
  {
    // The job is a template (a ConfigMap its launcher reads): the deploy changes it, never a run (rule 9).
    name: "change a training job's image and command",
    change: (d) => {
      d.training[0].image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:2';
      d.training[0].command = ['train.py', '--epochs', '5'];
    },
  },
  {
    name: 'schedule a training job',
    change: (d) => {
      d.training[0].schedule = { cron: '0 3 * * 0', timeZone: 'Europe/Berlin' };
    },
  },
  {
    name: 'add a pipeline',
    change: (d) => d.pipelines.push({ ...d.pipelines[0], name: 'reviews-weekly', table: undefined }),
  },
  {
    name: 'remove a pipeline',
    change: (d) => {
      d.pipelines = d.pipelines.slice(1);
    },
  },
  {
    // The script is a ConfigMap (mutable: updated in place) and the image is in the run template's ConfigMap: the
    // deploy changes both, never a run, and replaces nothing (rule 9).
    name: "change a Ray pipeline's script",
    change: (d) => {
      d.pipelines.find((p: any) => p.engine === 'ray').script = changedScript('examples/jobs/embed_reviews.py');
    },
  },
  {
    name: "change a Ray pipeline's image",
    change: (d) => {
      d.pipelines.find((p: any) => p.engine === 'ray').image = 'rayproject/ray:2.49.0-py312-gpu';
    },
  },
  {
    name: "change a pipeline's capacity",
    change: (d) => {
      d.pipelines[0].maxCapacity = { vcpu: 32, memoryGiB: 128 };
    },
  },
  {
    name: 'bump the Kubernetes minor',
    change: (d) => {
      d.cluster.kubernetesVersion = '1.34';
    },
    scope: { rollsPools: ['inference', 'training'] },
  },
];

const runAll = FULL_TESTS;
const edits = EDITS.filter((e) => runAll || e.slice);

let baseline: Assembly;
const build = (definition: AiPlatformDefinition): Assembly => {
  const app = testApp();
  new AiPlatform(app, 'AiPlatform', { definition });
  return assemblyOf(app);
};

beforeAll(() => {
  baseline = build(referenceWith());
}, 120_000);

test.each(edits.map((e) => [e.name, e]))(
  '%s deploys in one cdk deploy and loses nothing',
  (_name, edit) => {
    const after = build(referenceWith((edit as Edit).change));
    expect(lifecycleViolations(baseline, after, (edit as Edit).scope)).toEqual([]);
  },
  120_000,
);

full.test(
  'a library upgrade that moves a pinned chart version deploys and rolls no node',
  () => {
    // The "before" is what a library pinning an older chart synthesized: the same platform with that chart's release
    // at another version (the catalog is frozen, so the edit is made on the templates).
    const { chart, version } = HELM_CHARTS.nvidiaDevicePlugin;
    const before: Assembly = JSON.parse(JSON.stringify(baseline));
    let moved = 0;
    for (const { template } of Object.values(before.stacks)) {
      for (const r of Object.values<any>(template.Resources ?? {})) {
        if (
          r.Type === 'Custom::AWSCDK-EKS-HelmChart' &&
          r.Properties.Chart === chart &&
          r.Properties.Version === version
        ) {
          r.Properties.Version = '0.1.0';
          moved++;
        }
      }
    }
    expect(moved).toBeGreaterThan(0);
    expect(lifecycleViolations(before, baseline)).toEqual([]);
  },
  120_000,
);

// A library upgrade that gives the deployed scheduled pipeline a dead-letter queue (and its alarm): the "before"
// is today's platform without them, which is what the previous version synthesized. The schedule's Target
// changes in place (AWS::Scheduler::Schedule Target and DeadLetterConfig: "Update requires: No interruption").
test('a library upgrade that gives a scheduled pipeline a dead-letter queue deploys in place', () => {
  const before: Assembly = JSON.parse(JSON.stringify(baseline));
  let removed = 0;
  for (const { template } of Object.values(before.stacks)) {
    for (const [rid, r] of Object.entries<any>(template.Resources ?? {})) {
      if (rid.includes('ScheduleDeadLetters')) {
        delete template.Resources[rid];
        removed++;
        continue;
      }
      if (r.Type === 'AWS::Scheduler::Schedule') {
        delete r.Properties.Target.DeadLetterConfig;
        delete r.Properties.Target.RetryPolicy;
      }
      if (r.Type === 'AWS::IAM::Policy')
        r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter(
          (st: any) => !JSON.stringify(st.Resource ?? '').includes('ScheduleDeadLetters'),
        );
    }
  }
  expect(removed).toBeGreaterThan(0); // the reference has a scheduled pipeline: the edit is real
  expect(lifecycleViolations(before, baseline)).toEqual([]);
  // And the schedule itself is updated, not replaced (cloudformation-diff rates it from the registry schema).
  const impacts: string[] = [];
  for (const [name, { template }] of Object.entries(baseline.stacks)) {
    fullDiff(before.stacks[name].template, template).resources.forEachDifference((_id, c) => {
      if (c.resourceType === 'AWS::Scheduler::Schedule') impacts.push(c.changeImpact);
    });
  }
  expect(impacts).toEqual([ResourceImpact.WILL_UPDATE]);
}, 120_000);

// An upgrade from the library version that applied training jobs as JobSets: the "before" is the same platform with
// the job's launcher objects replaced by the JobSet itself (the template, under the job's name), as that version
// synthesized it. The manifest is updated with `kubectl apply --prune`: the launcher objects are created, and the
// JobSet, a custom resource outside kubectl's default prune list, is left as it is (never updated, so nothing is
// refused); the change report says so, with the command that removes it.
const LAUNCHER_KINDS = ['ConfigMap', 'CronJob', 'Role', 'RoleBinding'];
function withDeployedJobSet(a: Assembly, image?: string): Assembly {
  const out: Assembly = JSON.parse(JSON.stringify(a));
  let found = 0;
  for (const { template } of Object.values(out.stacks)) {
    for (const r of Object.values<any>(template.Resources ?? {})) {
      if (r.Type !== 'Custom::AWSCDK-EKS-KubernetesResource' || typeof r.Properties.Manifest !== 'string') continue;
      const objects: any[] = JSON.parse(r.Properties.Manifest);
      const run = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'pretrain-run');
      if (!run) continue;
      const jobset = JSON.parse(run.data['run.json']);
      const { generateName: _, ...metadata } = jobset.metadata;
      jobset.metadata = { ...metadata, name: 'pretrain', labels: run.metadata.labels };
      if (image) jobset.spec.replicatedJobs[0].template.spec.template.spec.containers[0].image = image;
      const kept = objects.filter(
        (o) =>
          !LAUNCHER_KINDS.includes(o.kind) && !(o.kind === 'ServiceAccount' && o.metadata.name.endsWith('-launcher')),
      );
      r.Properties.Manifest = JSON.stringify([...kept, jobset]);
      found++;
    }
  }
  expect(found).toBe(1);
  return out;
}

/** The assembly with the training job's run template (in its ConfigMap) given another worker image. */
function withRunImage(a: Assembly, image: string): Assembly {
  const out: Assembly = JSON.parse(JSON.stringify(a));
  for (const { template } of Object.values(out.stacks))
    for (const r of Object.values<any>(template.Resources ?? {})) {
      if (r.Type !== 'Custom::AWSCDK-EKS-KubernetesResource' || typeof r.Properties.Manifest !== 'string') continue;
      const objects: any[] = JSON.parse(r.Properties.Manifest);
      for (const o of objects.filter((x) => x.kind === 'ConfigMap' && x.data?.['run.json'])) {
        const run = JSON.parse(o.data['run.json']);
        run.spec.replicatedJobs[0].template.spec.template.spec.containers[0].image = image;
        o.data['run.json'] = JSON.stringify(run);
      }
      r.Properties.Manifest = JSON.stringify(objects);
    }
  return out;
}

test('an upgrade from a deployed JobSet deploys in one cdk deploy; the JobSet is left, not updated', () => {
  // Only the stack the edit touches is diffed (the others are byte-identical): the rules see the same pair, sooner.
  const touched = (a: Assembly): Assembly => ({
    stacks: Object.fromEntries(Object.entries(a.stacks).filter(([n]) => n === runStack)),
  });
  const runStack = Object.keys(baseline.stacks).find(
    (n) => JSON.stringify(withDeployedJobSet(baseline).stacks[n]) !== JSON.stringify(baseline.stacks[n]),
  );
  const deployed = touched(withDeployedJobSet(baseline));
  expect(lifecycleViolations(deployed, touched(baseline))).toEqual([]);
  const changes = Object.entries(baseline.stacks).flatMap(([stack, { template }]) =>
    Object.entries<any>(template.Resources ?? {}).flatMap(([id, r]) => {
      const old = deployed.stacks[stack]?.template.Resources?.[id];
      return r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' && old
        ? manifestChanges(old.Properties.Manifest, r.Properties.Manifest)
        : [];
    }),
  );
  expect(changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ object: 'CronJob pretrain/pretrain', says: 'created' }),
      expect.objectContaining({
        object: 'JobSet pretrain/pretrain',
        says: expect.stringContaining('left in the cluster'),
      }),
    ]),
  );
  // The bug this replaces: the deployed JobSet with a new image is refused by JobSet's webhook (rule 9).
  expect(lifecycleViolations(deployed, touched(withDeployedJobSet(baseline, 'trainer:2')))).toEqual([
    expect.stringContaining('JobSet pretrain/pretrain: spec.replicatedJobs changes'),
  ]);
  // Today's shape takes a new image in place: only the template (a ConfigMap) changes. The full matrix synthesizes
  // the same edit ("change a training job's image and command").
  expect(lifecycleViolations(touched(baseline), touched(withRunImage(baseline, 'trainer:2')))).toEqual([]);
}, 120_000);

// A platform large enough to use every shard stack: shrinking it empties shards (the CLI deletes an empty
// deployed stack), growing it fills them; nothing else moves.
const types = [['g6e.xlarge'], ['g5.2xlarge'], ['g6.xlarge', 'g6.2xlarge'], ['g6.12xlarge']];
const large = (pools: number): AiPlatformDefinition => ({
  name: 'scale-ml',
  cluster: { endpointAccess: 'private' as never },
  nodePools: Array.from({ length: pools }, (_, i) => ({
    name: `pool-${i}`,
    instanceTypes: types[i % types.length],
    maxNodes: 4,
  })),
  inference: Array.from({ length: pools }, (_, i) => ({
    name: `svc-${i}`,
    image: 'vllm/vllm-openai:v0.11.0',
    nodePool: `pool-${i}`,
    maxReplicas: 2,
    dataAccess: i % 2 === 0 ? [{ zone: 'models', access: 'read' as never }] : [],
  })),
});
const poolNames = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `pool-${from + i}`);

full.test(
  'shrinking a large platform (12 pools and services to 2) deploys: emptied shards stay in the app, without resources',
  () => {
    const before = build(large(12));
    const after = build(large(2));
    expect(lifecycleViolations(before, after, { removesPools: poolNames(2, 12) })).toEqual([]);
    const emptied = Object.entries(after.stacks).filter(
      ([n, s]) => /-(pools|workloads)-\d$/.test(n) && Object.keys(s.template.Resources ?? {}).length === 0,
    );
    expect(emptied.length).toBeGreaterThan(0);
  },
  120_000,
);

full.test(
  'growing a platform (2 pools and services to 12) deploys and moves nothing',
  () => {
    expect(lifecycleViolations(build(large(2)), build(large(12)))).toEqual([]);
  },
  120_000,
);

describe('each rule fails on a broken pair', () => {
  const asm = (stacks: Record<string, any>, deps: Record<string, string[]> = {}): Assembly => ({
    stacks: Object.fromEntries(Object.entries(stacks).map(([n, t]) => [n, { template: t, dependsOn: deps[n] ?? [] }])),
  });
  const ng = (types: string[], name = 'acme-gpu-1a2b') => ({
    Type: 'AWS::EKS::Nodegroup',
    Properties: { ClusterName: 'acme', NodegroupName: name, InstanceTypes: types, Subnets: ['s'], NodeRole: 'r' },
  });
  const one = (v: string[]) => expect(v).toHaveLength(1);

  test('a custom-named resource replaced under the same name', () => {
    one(
      lifecycleViolations(
        asm({ s: { Resources: { N: ng(['g6e.xlarge']) } } }),
        asm({ s: { Resources: { N: ng(['g6e.2xlarge']) } } }),
        { rollsPools: ['gpu'] },
      ),
    );
    expect(
      lifecycleViolations(
        asm({ s: { Resources: { N: ng(['g6e.xlarge']) } } }),
        asm({ s: { Resources: { N: ng(['g6e.2xlarge'], 'acme-gpu-9f9f') } } }),
        { rollsPools: ['gpu'] },
      ),
    ).toEqual([]);
  });

  test('a custom name kept while a create-only property nested in a structure changes (Budget.PlannedBudgetLimits)', () => {
    const budget = (limits: object, name = 'acme-monthly') => ({
      Type: 'AWS::Budgets::Budget',
      Properties: {
        Budget: { BudgetName: name, BudgetType: 'COST', TimeUnit: 'MONTHLY', PlannedBudgetLimits: limits },
        NotificationsWithSubscribers: [],
      },
    });
    one(
      lifecycleViolations(
        asm({ s: { Resources: { B: budget({ a: 1 }) } } }),
        asm({ s: { Resources: { B: budget({ a: 2 }) } } }),
      ),
    );
    expect(
      lifecycleViolations(
        asm({ s: { Resources: { B: budget({ a: 1 }) } } }),
        asm({ s: { Resources: { B: budget({ a: 2 }, 'acme-monthly-2') } } }),
      ),
    ).toEqual([]);
  });

  test('an export removed while another stack imports it', () => {
    const topic = { Type: 'AWS::SNS::Topic' };
    const producer = (exported: boolean) => ({
      Resources: { T: topic },
      Outputs: exported ? { O: { Value: { Ref: 'T' }, Export: { Name: 'acme-topic' } } } : {},
    });
    const consumer = {
      Resources: {
        Q: {
          Type: 'AWS::SQS::Queue',
          Properties: { Tags: [{ Key: 't', Value: { 'Fn::ImportValue': 'acme-topic' } }] },
        },
      },
    };
    one(
      lifecycleViolations(
        asm({ p: producer(true), c: consumer }),
        asm({ p: producer(false), c: { Resources: { Q: { Type: 'AWS::SQS::Queue' } } } }),
      ),
    );
  });

  test('a Pod Identity association created in one stack while another holds it', () => {
    const pia = {
      Type: 'AWS::EKS::PodIdentityAssociation',
      Properties: { ClusterName: 'acme', Namespace: 'llm', ServiceAccount: 'llm', RoleArn: 'r' },
    };
    one(
      lifecycleViolations(
        asm({ a: { Resources: { P: pia } }, b: { Resources: {} } }),
        asm({ a: { Resources: {} }, b: { Resources: { P: pia } } }),
      ),
    );
    // Towards a stack that deploys after the holder (it depends on it), the holder deletes it first: safe.
    expect(
      lifecycleViolations(
        asm({ a: { Resources: { P: pia } }, b: { Resources: {} } }),
        asm({ a: { Resources: {} }, b: { Resources: { P: pia } } }, { b: ['a'] }),
      ),
    ).toEqual([]);
    one(
      lifecycleViolations(
        asm({ a: { Resources: {} }, b: { Resources: { P: pia } } }),
        asm({ a: { Resources: { P: pia } }, b: { Resources: {} } }, { b: ['a'] }),
      ),
    );
  });

  test("a data stack that changes on an edit that is not the lake's", () => {
    one(
      lifecycleViolations(
        asm({ 'acme-data': { Resources: { B: { Type: 'AWS::S3::Bucket' } } } }),
        asm({ 'acme-data': { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { Tags: [] } } } } }),
      ),
    );
  });

  test("a role whose inline policies pass IAM's 10,240 characters", () => {
    const statement = (i: number) => ({
      Effect: 'Allow',
      Action: 'eks:DescribeNodegroup',
      Resource: `arn:aws:eks:us-east-1:123456789012:nodegroup/acme/pool-${i}/*`,
    });
    const policy = (n: number) => ({
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'R' }],
        PolicyDocument: { Statement: Array.from({ length: n }, (_, i) => statement(i)) },
      },
    });
    const t = (n: number) => ({ Resources: { R: { Type: 'AWS::IAM::Role' }, P: policy(n) } });
    expect(lifecycleViolations(asm({ s: t(10) }), asm({ s: t(20) }))).toEqual([]);
    one(lifecycleViolations(asm({ s: t(10) }), asm({ s: t(200) })));
  });

  test('a stack that leaves the app', () => {
    one(
      lifecycleViolations(
        asm({ a: { Resources: {} }, b: { Resources: { N: ng(['g6e.xlarge']) } } }),
        asm({ a: { Resources: {} } }),
        { removesPools: ['gpu'] },
      ),
    );
  });

  test('an EMR Serverless application updated or deleted without a stopper that runs first', () => {
    const app = (cap: string, deps: string[] = []) => ({
      Type: 'AWS::EMRServerless::Application',
      DependsOn: deps,
      Properties: { Name: 'p', ReleaseLabel: 'emr-7', Type: 'Spark', MaximumCapacity: { Cpu: cap } },
    });
    const stopper = (cap: string, deps: string[] = []) => ({
      Type: 'Custom::EmrServerlessApplicationStopper',
      DependsOn: deps,
      Properties: { Application: cap },
    });
    one(
      lifecycleViolations(
        asm({ s: { Resources: { A: app('16 vCPU') } } }),
        asm({ s: { Resources: { A: app('32 vCPU') } } }),
      ),
    );
    expect(
      lifecycleViolations(
        asm({ s: { Resources: { A: app('16 vCPU', ['U']), U: stopper('16') } } }),
        asm({ s: { Resources: { A: app('32 vCPU', ['U']), U: stopper('32') } } }),
      ),
    ).toEqual([]);
    one(lifecycleViolations(asm({ s: { Resources: { A: app('16 vCPU') } } }), asm({ s: { Resources: {} } })));
    expect(
      lifecycleViolations(
        asm({ s: { Resources: { A: app('16 vCPU'), D: stopper('x', ['A']) } } }),
        asm({ s: { Resources: {} } }),
      ),
    ).toEqual([]);
  });

  test('a launch template changed, or a node group replaced, by an edit that does not concern its pool', () => {
    const lt = (tag: string) => ({
      Type: 'AWS::EC2::LaunchTemplate',
      Properties: {
        LaunchTemplateData: { TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: tag }] }] },
      },
    });
    one(
      lifecycleViolations(
        asm({ s: { Resources: { PoolgpuLaunchTemplate: lt('a') } } }),
        asm({ s: { Resources: { PoolgpuLaunchTemplate: lt('b') } } }),
      ),
    );
    one(
      lifecycleViolations(
        asm({ s: { Resources: { N: ng(['g6e.xlarge']) } } }),
        asm({ s: { Resources: { N: ng(['g6e.2xlarge'], 'acme-gpu-9f9f') } } }),
      ),
    );
  });
});
