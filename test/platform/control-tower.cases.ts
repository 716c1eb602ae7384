import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Compliance } from '../../lib/core/compliance';
import { ControlTowerControls } from '../../lib/core/control-tower-controls';
import { resolveDefinition, validateDefinition } from '../../lib/definition/resolve';
import { referenceWith } from '../helpers';
import { full } from '../support/full-tests';

// The contract is AWS Control Tower's own rules: the cfn-guard rules and binary of @cdklabs/cdk-validator-cfnguard,
// the same ones its hooks run at deploy, evaluated by scripts/control-tower.cjs (also CI's check of every example).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { evaluate, readTable, compare } = require('../../scripts/control-tower.cjs');

/** A stack of the resources aws-cdk-lib and the platform create that Control Tower's controls look at. */
function resources(stack: Stack): void {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  new s3.Bucket(stack, 'Logs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
  });
  new logs.LogGroup(stack, 'Group', { retention: logs.RetentionDays.ONE_MONTH });
  const lt = new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true, httpPutResponseHopLimit: 1 });
  (lt.node.defaultChild as ec2.CfnLaunchTemplate).addPropertyOverride('LaunchTemplateData.NetworkInterfaces', [
    { DeviceIndex: 0, NetworkCardIndex: 0, InterfaceType: 'efa', Groups: [vpc.vpcDefaultSecurityGroup] },
    { DeviceIndex: 1, NetworkCardIndex: 1, InterfaceType: 'efa', Groups: [vpc.vpcDefaultSecurityGroup] },
  ]);
  const code = lambda.Code.fromInline('exports.handler = async () => ({ IsComplete: true })');
  const fn = (id: string) =>
    new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });
  // A provider with a waiter: its functions, their log groups and its Step Functions state machine.
  const provider = new cr.Provider(stack, 'Provider', {
    onEventHandler: fn('OnEvent'),
    isCompleteHandler: fn('IsComplete'),
    queryInterval: Duration.minutes(1),
    logGroup: new logs.LogGroup(stack, 'ProviderLogs', { retention: logs.RetentionDays.ONE_WEEK }),
  });
  new CustomResource(stack, 'Resource', { serviceToken: provider.serviceToken });
}

function failures(withControls: boolean): Array<{ control: string; path: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'control-tower-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:disable-asset-staging': true },
    });
    const stack = new Stack(app, 'Governed', { env: { account: '123456789012', region: 'us-east-1' } });
    resources(stack);
    if (withControls) Aspects.of(stack).add(new ControlTowerControls({ vpc: stack.node.findChild('Vpc') as ec2.Vpc }));
    app.synth();
    return evaluate(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

// Two cfn-guard runs of every Control Tower rule: about 12 s, so in CI's full step (CI also runs the rules on every example).
full.test('without the controls, Control Tower refuses these resources; with them, every control passes', () => {
  const before = new Set(failures(false).map((f) => f.control));
  // The rules are live: they find what the aspect fixes.
  expect([...before].sort()).toEqual([
    'CT.CLOUDWATCH.PR.2',
    'CT.CLOUDWATCH.PR.3',
    'CT.EC2.PR.10',
    'CT.EC2.PR.9',
    'CT.LAMBDA.PR.3',
    'CT.S3.PR.10',
    'CT.S3.PR.2',
    'CT.S3.PR.4',
    'CT.S3.PR.9',
    'CT.STEPFUNCTIONS.PR.1',
    'CT.STEPFUNCTIONS.PR.2',
  ]);
  // CT.S3.PR.4 (event notifications) is the lake's own default, not the aspect's: buckets here have none.
  expect(failures(true).map((f) => f.control)).toEqual(['CT.S3.PR.4']);
});

test('the README table is read as CI reads it, and a difference fails the check', () => {
  const table = readTable(
    '<!-- control-tower:start -->\n| CT.S3.PR.9 | Object Lock | fails: x | passes | |\n' +
      '| CT.LAMBDA.PR.3 | VPC | fails | passes at deploy; offline only: `KubectlProvider` | |\n<!-- control-tower:end -->',
  );
  const f = (control: string, path: string) => ({ control, path, stack: 's' });
  expect(
    compare(
      table,
      [f('CT.S3.PR.9', 'a'), f('CT.LAMBDA.PR.3', 'b')],
      [f('CT.LAMBDA.PR.3', 'P/KubectlProvider/Handler')],
    ),
  ).toEqual([]);
  expect(compare(table, [f('CT.S3.PR.9', 'a')], [])).toEqual([
    expect.stringContaining('CT.LAMBDA.PR.3: the README table says it fails'),
  ]);
  expect(
    compare(
      table,
      [f('CT.S3.PR.9', 'a'), f('CT.LAMBDA.PR.3', 'b'), f('CT.EKS.PR.1', 'c')],
      [f('CT.LAMBDA.PR.3', 'P/Other')],
    ),
  ).toEqual([
    expect.stringContaining('CT.EKS.PR.1 fails without a profile'),
    expect.stringContaining('CT.LAMBDA.PR.3 fails under compliance control-tower on P/Other'),
  ]);
});

describe('compliance: control-tower in the definition', () => {
  test('makes the API endpoint private and refuses a public one with its field path', () => {
    const def = referenceWith((d) => {
      d.compliance = Compliance.CONTROL_TOWER;
      delete d.cluster;
    });
    expect(resolveDefinition(def).cluster.endpointAccess).toBe('private');
    const pub = referenceWith((d) => {
      d.compliance = Compliance.CONTROL_TOWER;
      d.cluster = { endpointAccess: 'public-and-private' };
    });
    expect(validateDefinition(pub).map((p) => p.path)).toEqual(['cluster.endpointAccess']);
  });
  test('warns that Object Lock is set only on new buckets, until acknowledged', () => {
    const def = referenceWith((d) => {
      d.compliance = Compliance.CONTROL_TOWER;
      delete d.cluster;
    });
    expect(
      resolveDefinition(def)
        .warnings.filter((w) => !w.acknowledged)
        .map((w) => w.path),
    ).toContain('compliance');
  });
});

test('functions sharing a role share one VPC-access policy, created before each of them', () => {
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:disable-asset-staging': true } });
  const stack = new Stack(app, 'Shared', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const code = lambda.Code.fromInline('exports.handler = async () => ({})');
  for (const id of ['A', 'B'])
    new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code, role });
  Aspects.of(stack).add(new ControlTowerControls({ vpc }));
  const resources = Object.entries<any>(app.synth().getStackByName('Shared').template.Resources);
  const policies = resources
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyName === 'VpcAccessPolicy')
    .map(([id]) => id);
  expect(policies).toHaveLength(1);
  const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  expect(functions.map(([, r]) => [r.DependsOn].flat())).toEqual([
    expect.arrayContaining(policies),
    expect.arrayContaining(policies),
  ]);
});
