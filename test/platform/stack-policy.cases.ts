import { Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StackPolicy, stackPolicyDocument, type StackPolicyDocument } from '../../lib/core/stack-policy';
import { testApp } from '../helpers';

// The contract is CloudFormation's stack policy syntax
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html): a Statement list
// whose elements have Effect (Allow|Deny), Action or NotAction (Update:Modify|Update:Replace|Update:Delete|Update:*),
// Principal "*" (the only value), Resource or NotResource ("*" or LogicalResourceId/<id>), optionally Condition;
// "After you set a stack policy, all of the resources in the stack are protected by default", so everything not
// denied needs an explicit Allow. And SetStackPolicy's StackPolicyBody: 1..16384 characters
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_SetStackPolicy.html).
const ACTIONS = new Set(['Update:Modify', 'Update:Replace', 'Update:Delete', 'Update:*']);
const KEYS = new Set(['Effect', 'Action', 'NotAction', 'Principal', 'Resource', 'NotResource', 'Condition']);

function contractProblems(doc: StackPolicyDocument, logicalIds: string[]): string[] {
  const out: string[] = [];
  if (!Array.isArray(doc.Statement) || doc.Statement.length === 0) out.push('Statement must be a non-empty list');
  for (const [i, s] of (doc.Statement ?? []).entries()) {
    for (const k of Object.keys(s)) if (!KEYS.has(k)) out.push(`Statement[${i}].${k} is not a stack policy element`);
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') out.push(`Statement[${i}].Effect must be Allow or Deny`);
    if (s.Principal !== '*') out.push(`Statement[${i}].Principal must be "*"`);
    for (const a of [s.Action].flat())
      if (!ACTIONS.has(a)) out.push(`Statement[${i}].Action ${a} is not an update action`);
    for (const r of [s.Resource].flat()) {
      const id = /^LogicalResourceId\/(.+)$/.exec(r)?.[1];
      if (r !== '*' && !(id && logicalIds.includes(id)))
        out.push(`Statement[${i}].Resource ${r} names no resource of the stack`);
    }
  }
  const allowsRest = doc.Statement?.some((s) => s.Effect === 'Allow' && s.Action === 'Update:*' && s.Resource === '*');
  if (!allowsRest) out.push('no statement allows the updates not denied (a set policy denies everything else)');
  return out;
}

function protectedStack(protect: (b: s3.Bucket[]) => s3.Bucket[]) {
  const stack = new Stack(testApp(), 'Guarded', { stackName: 'acme-data' });
  const buckets = ['Raw', 'Models'].map((id) => new s3.Bucket(stack, id));
  const policy = new StackPolicy(stack, 'StackPolicy', {
    target: stack,
    protect: () => protect(buckets).map((b) => b.node.defaultChild as CfnResource),
  });
  const template = Template.fromStack(stack).toJSON();
  return { stack, policy, template };
}

const call = (template: any, phase: 'Create' | 'Update' | 'Delete') => {
  const [resource] = Object.values<any>(template.Resources).filter((r) => r.Type === 'Custom::StackPolicy');
  return JSON.parse(resource.Properties[phase]);
};

test('the policy set on create and update allows every update and denies replacing or deleting what it protects', () => {
  const { template } = protectedStack((b) => b);
  const ids = Object.keys(template.Resources);
  for (const phase of ['Create', 'Update'] as const) {
    const { service, action, parameters } = call(template, phase);
    expect([service, action, parameters.StackName]).toEqual(['CloudFormation', 'setStackPolicy', 'acme-data']);
    const body = JSON.parse(parameters.StackPolicyBody);
    expect(contractProblems(body, ids)).toEqual([]);
    const denied = body.Statement.filter((s: any) => s.Effect === 'Deny');
    expect(denied.map((s: any) => [s.Action, s.Resource])).toEqual(
      ids
        .filter((id) => template.Resources[id].Type === 'AWS::S3::Bucket')
        .sort()
        .map((id) => [['Update:Replace', 'Update:Delete'], `LogicalResourceId/${id}`]),
    );
  }
});

test('removing the policy sets the allow-all policy (a stack policy cannot be removed) and tolerates a deleted stack', () => {
  const { template } = protectedStack((b) => b);
  const onDelete = call(template, 'Delete');
  expect(JSON.parse(onDelete.parameters.StackPolicyBody)).toEqual(stackPolicyDocument([]));
  expect(contractProblems(stackPolicyDocument([]), [])).toEqual([]);
  expect(onDelete.ignoreErrorCodesMatching).toBe('ValidationError');
  // Nothing protected: the policy allows everything (lifting every protection updates it to this).
  const { template: open } = protectedStack(() => []);
  expect(JSON.parse(call(open, 'Update').parameters.StackPolicyBody)).toEqual(stackPolicyDocument([]));
});

test('its function may call SetStackPolicy on the target stack only', () => {
  const { template } = protectedStack((b) => b);
  const statements = Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  expect(statements).toEqual([
    {
      Effect: 'Allow',
      Action: 'cloudformation:SetStackPolicy',
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudformation:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':stack/acme-data/*',
          ],
        ],
      },
    },
  ]);
});

test("a policy past SetStackPolicy's 16,384 characters is refused at synth, naming the stack", () => {
  const stack = new Stack(testApp(), 'Huge', { stackName: 'acme-huge' });
  const buckets = Array.from({ length: 140 }, (_, i) => new s3.Bucket(stack, `Bucket${i}`));
  new StackPolicy(stack, 'StackPolicy', {
    target: stack,
    protect: () => buckets.map((b) => b.node.defaultChild as CfnResource),
  });
  expect(() => Template.fromStack(stack)).toThrow(
    /stack policy of acme-huge is \d+ characters; SetStackPolicy takes at most 16384/,
  );
});
