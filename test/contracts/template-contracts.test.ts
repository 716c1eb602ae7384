import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AiPlatform, loadDefinitionFile, type AiPlatformDefinition } from '../../lib';
import { multiTeamPlatform } from '../../examples/multi-team';
import { referencePlatform } from '../../examples/reference-platform';
import { referenceWith, testApp } from '../helpers';
import {
  accessEntryProblems, capacityBlockProblems, crossStackProblems, helmOrderingProblems, nodegroupRefProblems,
} from '../support/template-contracts';

// The templates held to what CloudFormation and EKS enforce at deploy time (test/support/template-contracts.ts
// names the source of each contract), over every example and a Karpenter + Neuron + Ray + Capacity Block variant.

const exampleFile = (name: string) => loadDefinitionFile(join(__dirname, '../../examples', name)) as AiPlatformDefinition;

function templates(definition: AiPlatformDefinition) {
  const platform = new AiPlatform(testApp(), 'AiPlatform', { definition });
  return {
    data: Template.fromStack(platform.dataStack).toJSON(),
    platform: Template.fromStack(platform.platformStack).toJSON(),
    monitoring: Template.fromStack(platform.monitoringStack).toJSON(),
  };
}

const variant: AiPlatformDefinition = {
  name: 'contracts',
  nodePools: [
    { name: 'serving', instanceTypes: ['g6.xlarge'], maxNodes: 4, provisioner: 'karpenter' as never },
    { name: 'neuron', instanceTypes: ['trn1.32xlarge'], maxNodes: 2, provisioner: 'karpenter' as never },
    { name: 'reserved', instanceTypes: ['p5.48xlarge'], maxNodes: 2, capacityType: 'capacity-block' as never, capacityReservationId: 'cr-0123456789abcdef0', efa: true },
  ],
  inference: [{ name: 'chat', image: 'vllm/vllm-openai:v0.11.0', nodePool: 'serving', maxReplicas: 4 }],
  training: [{ name: 'tune', image: 'rayproject/ray-ml:2.49.0-gpu', nodePool: 'neuron', engine: 'ray' as never, nodes: 2, command: ['python', 'tune.py'] }],
};

describe.each<[string, () => AiPlatformDefinition]>([
  ['reference-platform', () => referencePlatform],
  ['multi-team', () => multiTeamPlatform],
  ['llm-inference.yaml', () => exampleFile('llm-inference.yaml')],
  ['distributed-training.json', () => exampleFile('distributed-training.json')],
  ['karpenter/neuron/ray/capacity-block variant', () => variant],
])('%s', (_name, definition) => {
  const t = templates(definition());

  test('no Ref to a node group where a name is expected', () => {
    expect(nodegroupRefProblems(t.platform)).toEqual([]);
  });

  test('Capacity Block node groups have the shape EKS requires', () => {
    expect(capacityBlockProblems(t.platform)).toEqual([]);
  });

  test('every Helm release waits for the system nodes and core add-ons, with a timeout', () => {
    expect(helmOrderingProblems(t.platform)).toEqual([]);
  });

  test('one access entry per principal, none for the managed scraper', () => {
    expect(accessEntryProblems(t.platform)).toEqual([]);
  });

  test('cross-stack references point only at the data stack', () => {
    expect(crossStackProblems(t, 'data')).toEqual([]);
  });
});

test('the variant exercises every contract (so the suite above is not vacuous)', () => {
  const t = templates(variant).platform;
  const types = Object.values(t.Resources as Record<string, any>).map((r) => r.Type);
  expect(Object.values(t.Resources as Record<string, any>).some((r) => r.Type === 'AWS::EKS::Nodegroup' && r.Properties.CapacityType === 'CAPACITY_BLOCK')).toBe(true);
  expect(types).toEqual(expect.arrayContaining(['Custom::AWSCDK-EKS-HelmChart', 'AWS::APS::Scraper', 'AWS::EKS::AccessEntry', 'Custom::AWS']));
});

test('removing a pool changes nothing another stack imports', () => {
  const before = templates(referencePlatform);
  const after = templates(referenceWith((d) => { d.nodePools = d.nodePools.filter((p: any) => p.name !== 'inference'); d.inference = []; }));
  expect(after.data).toEqual(before.data);
  expect(crossStackProblems(after, 'data')).toEqual([]);
});

// Each check fails on a broken template.
describe('the checks fail on broken templates', () => {
  const nodegroup = (props: Record<string, unknown> = {}) => ({ Type: 'AWS::EKS::Nodegroup', Properties: { Labels: { 'ai-platform/pool': 'gpu' }, ...props } });

  test('a Ref to a node group', () => {
    const t = { Resources: { Ng: nodegroup(), Find: { Type: 'Custom::AWS', Properties: { Create: { 'Fn::Join': ['', ['{"nodegroupName":"', { Ref: 'Ng' }, '"}']] } } } } };
    expect(nodegroupRefProblems(t)).toEqual([expect.stringContaining('Ref to node group Ng')]);
  });

  test('a Capacity Block group with instance types on the group and subnets in several AZs', () => {
    const t = {
      Resources: {
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: {} } },
        Ng: nodegroup({ CapacityType: 'CAPACITY_BLOCK', InstanceTypes: ['p5.48xlarge'], LaunchTemplate: { Id: { Ref: 'Lt' } }, Subnets: ['a', 'b'] }),
      },
    };
    expect(capacityBlockProblems(t)).toEqual([
      'Ng: InstanceTypes must not be set on a Capacity Block node group',
      'Ng: the launch template must name the InstanceType',
      "Ng: the launch template's InstanceMarketOptions.MarketType must be capacity-block",
      'Ng: the launch template must target the reservation',
      'Ng: must launch into exactly one subnet (the reservation\'s AZ), has ["a","b"]',
    ]);
  });

  test('a Helm release that races the system nodes, and one without a timeout', () => {
    const t = {
      Resources: {
        System: nodegroup({ Labels: { 'ai-platform/pool': 'system' } }),
        Cni: { Type: 'AWS::EKS::Addon', Properties: { AddonName: 'vpc-cni' } },
        Early: { Type: 'Custom::AWSCDK-EKS-HelmChart', Properties: { Timeout: '600s' }, DependsOn: ['Cni'] },
        Late: { Type: 'Custom::AWSCDK-EKS-HelmChart', Properties: { Release: { Ref: 'System' } }, DependsOn: ['Cni'] },
        TooLong: { Type: 'Custom::AWSCDK-EKS-HelmChart', Properties: { Timeout: '1200s' }, DependsOn: ['Cni', 'System'] },
      },
    };
    expect(helmOrderingProblems(t)).toEqual([
      'Early: does not wait for System',
      'Late: has no explicit Timeout',
      'TooLong: Timeout 1200s is over 15 minutes',
    ]);
  });

  test('an access entry for the scraper, and two for one principal', () => {
    const entry = (principal: unknown) => ({ Type: 'AWS::EKS::AccessEntry', Properties: { ClusterName: 'c', PrincipalArn: principal } });
    const t = {
      Resources: {
        Scraper: { Type: 'AWS::APS::Scraper', Properties: {} },
        A: entry({ 'Fn::GetAtt': ['Scraper', 'RoleArn'] }),
        B: entry('arn:aws:iam::123456789012:role/admin'),
        C: entry('arn:aws:iam::123456789012:role/admin'),
      },
    };
    expect(accessEntryProblems(t)).toEqual([
      'A: an access entry for the managed scraper Scraper, which AMP creates itself',
      'C: a second access entry for "arn:aws:iam::123456789012:role/admin" (first: B)',
    ]);
  });

  test('an import of a platform-stack export', () => {
    const stacks = {
      data: { Outputs: { Bucket: { Export: { Name: 'data-bucket' } } } },
      platform: { Outputs: { Asg: { Export: { Name: 'asg-name' } } } },
      monitoring: { Resources: { D: { Type: 'AWS::CloudWatch::Dashboard', Properties: { A: { 'Fn::ImportValue': 'asg-name' }, B: { 'Fn::ImportValue': 'data-bucket' } } } } },
    };
    expect(crossStackProblems(stacks, 'data')).toEqual([expect.stringContaining('imports "asg-name"')]);
  });
});
