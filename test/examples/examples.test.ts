import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AiPlatform, loadDefinitionFile, type AiPlatformDefinition } from '../../lib';
import { snapshotStacks } from '../../lib/testing';
import { multiTeamPlatform } from '../../examples/multi-team';
import { buildOwnStackApp } from '../../examples/own-stack';
import { buildStandaloneApp } from '../../examples/standalone-constructs';
import { expectPlatformSnapshot } from '../../examples/snapshot-test';
import { testApp } from '../helpers';

const file = (name: string) => loadDefinitionFile(join(__dirname, '../../examples', name)) as AiPlatformDefinition;

// Every example definition synthesizes and is snapshotted with asset hashes masked. The TypeScript examples
// also pass the built-in CloudFormation validation here; CI runs `cdk synth` (with it) and cfn-lint on the files.
test.each<[string, () => AiPlatformDefinition, boolean]>([
  ['multi-team.ts', () => multiTeamPlatform, true],
  ['llm-inference.yaml', () => file('llm-inference.yaml'), false],
  ['distributed-training.json', () => file('distributed-training.json'), false],
])('example %s synthesizes and matches its snapshot', (_name, definition, validate) => {
  const app = testApp({ validate });
  new AiPlatform(app, 'AiPlatform', { definition: definition() });
  expect(snapshotStacks(app)).toMatchSnapshot();
});

test('example own-stack.ts composes the constructs without AiPlatform', () => {
  const stack = buildOwnStackApp(testApp());
  const t = Template.fromStack(stack);
  t.resourceCountIs('AWS::EKS::Cluster', 1);
  t.resourceCountIs('AWS::EKS::Nodegroup', 3);
  t.hasResourceProperties('AWS::EKS::Nodegroup', { AmiType: 'BOTTLEROCKET_x86_64_NVIDIA', CapacityType: 'SPOT' });
});

// The reference platform's snapshot is taken through snapshot-test.ts, the helper users copy, with the
// built-in CloudFormation validation on; asset hashes are masked in it.
test('example reference-platform.ts, snapshotted through snapshot-test.ts, with no asset hashes', () => {
  const app = testApp({ validate: true });
  expectPlatformSnapshot(app);
  expect(JSON.stringify(snapshotStacks(app))).not.toMatch(/[0-9a-f]{64}/);
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
  // Monitoring watches the cluster by its given name, with no cross-stack reference.
  const mt = Template.fromStack(monitoringStack);
  mt.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  expect(JSON.stringify(mt.toJSON())).not.toContain('Fn::ImportValue');
  expect(JSON.stringify(mt.toJSON())).toContain('acme');
});

test('a workload whose namespace no chart creates fails synth naming the chart and namespace', () => {
  const { Stack } = require('aws-cdk-lib');
  const cdk8s = require('cdk8s');
  const { GpuCluster, PlatformNetwork, InferenceService, deliverChart, placementOnPool, findInstance } = require('../../lib');
  const app = testApp();
  const stack = new Stack(app, 'S');
  const network = new PlatformNetwork(stack, 'N', { maxAzs: 2 });
  const gpu = new GpuCluster(stack, 'G', { vpc: network.vpc, nodeSubnets: network.nodeSubnets });
  deliverChart(gpu.cluster, 'Llm', new InferenceService(new cdk8s.App(), 'llm', {
    name: 'llm', namespace: 'serving', image: 'vllm/vllm-openai:v0.11.0', placement: placementOnPool('gpu', [findInstance('g6.xlarge')], 1),
    scaling: { metric: 'cpu', target: 70, activationThreshold: 0 },
  }));
  expect(() => app.synth()).toThrow(/chart 'Llm' puts objects in namespace 'serving', which no chart delivered to this cluster creates/);
});
