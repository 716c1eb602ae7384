import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AiPlatform, loadDefinitionFile, type AiPlatformDefinition } from '../../lib';
import { snapshotStacks } from '../../lib/testing';
import { multiTeamPlatform } from '../../examples/multi-team';
import { buildOwnStackApp } from '../../examples/own-stack';
import { buildStandaloneApp } from '../../examples/standalone-constructs';
import { referencePlatform } from '../../examples/reference-platform';
import { expectPlatformSnapshot } from '../../examples/snapshot-test';
import { testApp } from '../helpers';

const file = (name: string) => loadDefinitionFile(join(__dirname, '../../examples', name)) as AiPlatformDefinition;

// Every example definition synthesizes and is snapshotted with asset hashes masked. The TypeScript examples
// also pass the built-in CloudFormation validation here; CI runs `cdk synth` (with it) and cfn-lint on the files.
test.each<[string, () => AiPlatformDefinition, boolean]>([
  ['reference-platform.ts', () => referencePlatform, true],
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

test('example snapshot-test.ts: the user-facing snapshot helper', () => {
  expectPlatformSnapshot(testApp());
});

test('snapshots hold no asset hashes', () => {
  const app = testApp();
  new AiPlatform(app, 'AiPlatform', { definition: referencePlatform });
  expect(JSON.stringify(snapshotStacks(app))).not.toMatch(/[0-9a-f]{64}/);
});

test('example standalone-constructs.ts: data lake, a chart and monitoring on their own', () => {
  const { dataStack, platformStack, monitoringStack } = buildStandaloneApp(testApp());
  Template.fromStack(dataStack).resourceCountIs('AWS::S3::Bucket', 6);
  Template.fromStack(platformStack).resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 1);
  Template.fromStack(monitoringStack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
});
