import {
  accessEntryProblems,
  capacityBlockProblems,
  crossStackProblems,
  helmOrderingProblems,
  nodegroupRefProblems,
} from '../support/template-contracts';

// What CloudFormation and EKS enforce at deploy time (test/support/template-contracts.ts names the source of
// each contract). The examples, and a Karpenter + Neuron + Ray + Capacity Block variant, are held to these
// checks in test/examples/examples.test.ts, built once per example; here, each check fails on a broken template.
describe('the checks fail on broken templates', () => {
  const nodegroup = (props: Record<string, unknown> = {}) => ({
    Type: 'AWS::EKS::Nodegroup',
    Properties: { Labels: { 'ai-platform/pool': 'gpu' }, ...props },
  });

  test('a Ref to a node group', () => {
    const t = {
      Resources: {
        Ng: nodegroup(),
        Find: {
          Type: 'Custom::AWS',
          Properties: { Create: { 'Fn::Join': ['', ['{"nodegroupName":"', { Ref: 'Ng' }, '"}']] } },
        },
      },
    };
    expect(nodegroupRefProblems(t)).toEqual([expect.stringContaining('Ref to node group Ng')]);
  });

  test('a Capacity Block group with instance types on the group and subnets in several AZs', () => {
    const t = {
      Resources: {
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: {} } },
        Ng: nodegroup({
          CapacityType: 'CAPACITY_BLOCK',
          InstanceTypes: ['p5.48xlarge'],
          LaunchTemplate: { Id: { Ref: 'Lt' } },
          Subnets: ['a', 'b'],
        }),
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
        TooLong: {
          Type: 'Custom::AWSCDK-EKS-HelmChart',
          Properties: { Timeout: '1200s' },
          DependsOn: ['Cni', 'System'],
        },
      },
    };
    expect(helmOrderingProblems(t)).toEqual([
      'Early: does not wait for System',
      'Late: has no explicit Timeout',
      'TooLong: Timeout 1200s is over 15 minutes',
    ]);
  });

  test('an access entry for the scraper, and two for one principal', () => {
    const entry = (principal: unknown) => ({
      Type: 'AWS::EKS::AccessEntry',
      Properties: { ClusterName: 'c', PrincipalArn: principal },
    });
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
      monitoring: {
        Resources: {
          D: {
            Type: 'AWS::CloudWatch::Dashboard',
            Properties: { A: { 'Fn::ImportValue': 'asg-name' }, B: { 'Fn::ImportValue': 'data-bucket' } },
          },
        },
      },
    };
    expect(crossStackProblems(stacks, 'data')).toEqual([expect.stringContaining('imports "asg-name"')]);
  });
});

// More of this domain's cases, run in this file's worker so the domain's modules load and warm once (test time).
import './admission.cases';
import './partition.cases';
