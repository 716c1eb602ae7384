import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { snapshotStacks } from '../../lib/testing';
import { buildOwnStackApp } from '../../examples/own-stack';
import { buildStandaloneApp } from '../../examples/standalone-constructs';
import { expectPlatformSnapshot } from '../../examples/snapshot-test';
import { AiPlatform } from '../../lib';
import { referenceWith, schemaProblems, testApp } from '../helpers';
import { buildExamplePlatforms, FULL_ONLY_EXAMPLES } from '../support/example-platforms';
import { full, FULL_TESTS } from '../support/full-tests';
import { crdFor, celViolations } from '../support/cel-rules';
import { operatorPodProblems, ownPodProblems, who } from '../support/pod-security';
import {
  accessEntryProblems,
  capacityBlockProblems,
  crossStackProblems,
  helmOrderingProblems,
  nodegroupRefProblems,
} from '../support/template-contracts';

// Every example definition (and two variants that exercise what the examples do not) is built once here and
// held to everything a user and the services expect: its snapshot (asset hashes masked), the templates'
// deploy-time contracts (test/support/template-contracts.ts), Kubernetes admission (Pod Security on every pod
// the platform causes to exist, CEL rules of the vendored CRDs) and the Kubernetes/CRD schemas.
const EXAMPLES = buildExamplePlatforms();

// One validator process for every set (loading the schema models is most of its cost), plus broken manifests
// that must fail, so the validation can fail.
const BROKEN = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { replicas: 'two' } },
  {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'bad' },
    spec: { scaleTargetRef: { name: 'x' }, triggers: [], minReplicas: 0 },
  },
  { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'bad' }, spec: {} },
];
const SCHEMA_RESULTS = schemaProblems({
  ...Object.fromEntries(EXAMPLES.map((e) => [e.name, e.manifests])),
  broken: BROKEN,
});
const CUSTOM_GROUPS = ['karpenter.sh', 'karpenter.k8s.aws', 'keda.sh', 'ray.io', 'jobset.x-k8s.io'];

// The examples built only in CI's full step keep their snapshots: declared (skipped) here, so jest counts them as
// checked rather than obsolete (which fails a CI run).
if (!FULL_TESTS) {
  for (const name of FULL_ONLY_EXAMPLES) describe(name, () => test.skip('matches its snapshot', () => undefined));
}

describe.each(EXAMPLES.map((e) => [e.name, e] as const))('%s', (name, example) => {
  const t = {
    data: example.templates.Data,
    platform: example.templates.Platform,
    monitoring: example.templates.Monitoring,
  };
  // The platform stack and the shard stacks that hold the pools and workloads: each template held to the contracts.
  const compute = Object.entries(example.templates)
    .filter(([id]) => /^(Platform|Pools\d+|Workloads\d+)$/.test(id))
    .map(([, tpl]) => tpl);

  if (name === 'reference-platform.ts') {
    // Through snapshot-test.ts, the helper users copy.
    test('matches its snapshot (through snapshot-test.ts), with no asset hashes', () => {
      expectPlatformSnapshot(example.app);
      expect(JSON.stringify(snapshotStacks(example.app))).not.toMatch(/[0-9a-f]{64}/);
    });
  } else if (example.snapshot) {
    test('matches its snapshot', () => {
      expect(snapshotStacks(example.app)).toMatchSnapshot();
    });
  }

  // CloudFormation and EKS contracts of the templates.
  test('no Ref to a node group where a name is expected', () => {
    expect(compute.flatMap((tpl) => nodegroupRefProblems(tpl))).toEqual([]);
  });
  test('Capacity Block node groups have the shape EKS requires', () => {
    expect(compute.flatMap((tpl) => capacityBlockProblems(tpl))).toEqual([]);
  });
  test('every Helm release waits for the system nodes and core add-ons, with a timeout', () => {
    // Every release is in the platform stack, with the system nodes and add-ons it waits for.
    expect(helmOrderingProblems(t.platform)).toEqual([]);
    expect(
      compute
        .filter((tpl) => tpl !== t.platform)
        .flatMap((tpl) => Object.values(tpl.Resources ?? {}) as any[])
        .filter((r) => r.Type === 'Custom::AWSCDK-EKS-HelmChart'),
    ).toEqual([]);
  });
  test('one access entry per principal, none for the managed scraper', () => {
    expect(compute.flatMap((tpl) => accessEntryProblems(tpl))).toEqual([]);
  });
  test('no stack imports an export (stacks read each other with Fn::GetStackOutput)', () => {
    expect(
      crossStackProblems({ ...t, ...Object.fromEntries(compute.map((tpl, i) => [`compute${i}`, tpl])) }, 'none'),
    ).toEqual([]);
  });

  // Kubernetes admission and schemas of the manifests.
  test('every pod template passes Pod Security admission at its namespace level', () => {
    expect(example.manifests.length).toBeGreaterThan(5);
    expect(ownPodProblems(example.manifests)).toEqual([]);
  });
  test('every pod an operator creates for the platform passes Pod Security admission', () => {
    expect(operatorPodProblems(example.manifests)).toEqual([]);
  });
  test('every custom resource is an instance of a vendored CRD and passes its CEL rules', () => {
    const custom = example.manifests.filter((m) => CUSTOM_GROUPS.includes(String(m.apiVersion).split('/')[0]));
    expect(custom.filter((m) => !crdFor(m)).map(who)).toEqual([]);
    expect(custom.flatMap((m) => celViolations(m))).toEqual([]);
  });
  test('every manifest validates against the Kubernetes and vendored CRD schemas (unknown fields rejected)', () => {
    expect(SCHEMA_RESULTS[name]).toEqual([]);
  });
});

test('the schema validator rejects broken manifests (so the validation above can fail)', () => {
  expect(SCHEMA_RESULTS.broken).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^Deployment\/bad:/),
      expect.stringMatching(/^ScaledObject\/bad: .*must NOT have additional properties \(minReplicas\)/),
      expect.stringMatching(/^NodePool\/bad: .*must have required property 'template'/),
    ]),
  );
});

full.test('the variant exercises every template contract (so the checks above are not vacuous)', () => {
  const templates = EXAMPLES.find((e) => e.name.startsWith('karpenter/neuron'))!.templates;
  const resources = Object.values(templates).flatMap((tpl: any) => Object.values(tpl.Resources ?? {}) as any[]);
  expect(
    resources.some((r) => r.Type === 'AWS::EKS::Nodegroup' && r.Properties.CapacityType === 'CAPACITY_BLOCK'),
  ).toBe(true);
  expect(resources.map((r) => r.Type)).toEqual(
    expect.arrayContaining([
      'Custom::AWSCDK-EKS-HelmChart',
      'AWS::APS::Scraper',
      'AWS::EKS::AccessEntry',
      'Custom::AWS',
    ]),
  );
});

full.test('removing a pool changes nothing another stack imports', () => {
  const before = EXAMPLES[0].templates;
  const app = testApp();
  const platform = new AiPlatform(app, 'AiPlatform', {
    definition: referenceWith((d) => {
      d.nodePools = d.nodePools.filter((p: any) => p.name !== 'inference');
      d.inference = [];
      d.optimizations = [];
      d.pipelines = d.pipelines.filter((p: any) => p.nodePool !== 'inference');
    }),
  });
  const after = {
    data: Template.fromStack(platform.dataStack).toJSON(),
    platform: Template.fromStack(platform.platformStack).toJSON(),
    monitoring: Template.fromStack(platform.monitoringStack).toJSON(),
  };
  expect(after.data).toEqual(before.Data);
  expect(crossStackProblems(after, 'data')).toEqual([]);
});

test('example own-stack.ts composes the constructs without AiPlatform', () => {
  const stack = buildOwnStackApp(testApp());
  const t = Template.fromStack(stack);
  t.resourceCountIs('AWS::EKS::Cluster', 1);
  t.resourceCountIs('AWS::EKS::Nodegroup', 3);
  t.hasResourceProperties('AWS::EKS::Nodegroup', { AmiType: 'BOTTLEROCKET_x86_64_NVIDIA', CapacityType: 'SPOT' });
});

test('example standalone-constructs.ts: data lake, a namespaced chart and monitoring on their own', () => {
  const { dataStack, platformStack, monitoringStack } = buildStandaloneApp(testApp());
  Template.fromStack(dataStack).resourceCountIs('AWS::S3::Bucket', 6);
  const platform = Template.fromStack(platformStack);
  // The namespace chart and the service chart, the service after its namespace; metrics-server for its HPA.
  const manifests = Object.entries(platform.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
  expect(manifests).toHaveLength(2);
  const [nsId] = manifests.find(([id]) => id.startsWith('GpuClusterServing'))!;
  expect(manifests.find(([id]) => id.startsWith('GpuClusterLlm'))![1].DependsOn).toContain(nsId);
  platform.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'metrics-server' });
  platform.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'amazon-cloudwatch-observability' });
  // The pipeline: a Spark application, its state machine and its nightly schedule, next to the cluster.
  platform.hasResourceProperties('AWS::EMRServerless::Application', { Name: 'acme-reviews-clean', Type: 'SPARK' });
  // Its own state machine (the other is the stack's application stopper's provider waiter).
  platform.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'acme-reviews-clean' });
  platform.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
  // Monitoring watches the cluster by its given name, with no cross-stack reference.
  const mt = Template.fromStack(monitoringStack);
  mt.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  expect(JSON.stringify(mt.toJSON())).not.toContain('Fn::ImportValue');
  expect(JSON.stringify(mt.toJSON())).toContain('acme');
});

// A grant across stacks (the pipeline's job role in Platform, the lake in Data) names the bucket through an
// export; its cdk-nag acknowledgement must name the same imported value, or the consumer's synth fails.
test('example standalone-constructs.ts passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
  const app = testApp();
  const stacks = buildStandaloneApp(app);
  // The cross-stack grant names exported values; the grantee's stack deploys after the lake's.
  expect(stacks.platformStack.dependencies).toContain(stacks.dataStack);
  app.synth();
  const findings = Object.values(stacks).flatMap((stack) =>
    new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath} ${(r as any).locations ?? ''}`),
      ),
  );
  expect(findings).toEqual([]);
});

test('a workload whose namespace no chart creates fails synth naming the chart and namespace', () => {
  const { Stack } = require('aws-cdk-lib');
  const cdk8s = require('cdk8s');
  const {
    GpuCluster,
    PlatformNetwork,
    InferenceService,
    ChartDelivery,
    Placement,
    AcceleratorCatalog,
  } = require('../../lib');
  const deliverChart = ChartDelivery.deliver,
    placementOnPool = Placement.onPool,
    findInstance = AcceleratorCatalog.find;
  const app = testApp();
  const stack = new Stack(app, 'S');
  const network = new PlatformNetwork(stack, 'N', { maxAzs: 2 });
  const gpu = new GpuCluster(stack, 'G', { vpc: network.vpc, nodeSubnets: network.nodeSubnets });
  deliverChart(
    gpu.cluster,
    'Llm',
    new InferenceService(new cdk8s.App(), 'llm', {
      name: 'llm',
      namespace: 'serving',
      image: 'vllm/vllm-openai:v0.11.0',
      placement: placementOnPool('gpu', [findInstance('g6.xlarge')], 1),
      scaling: { metric: 'cpu', target: 70, activationThreshold: 0 },
    }),
  );
  expect(() => app.synth()).toThrow(
    /chart 'Llm' puts objects in namespace 'serving', which no chart delivered to this cluster creates/,
  );
});
