import { Aspects, CfnResource, Stack, Validations, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag AwsSolutions findings on IAM resources under a scope, with a reason.
 *
 * cdk-nag matches an acknowledgement to one finding ID such as
 * `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodePolicy]`, and IDs hold
 * logical IDs that only exist once the tree is complete. So this runs as an aspect, just before validation,
 * and writes the IDs cdk-nag will produce (the flattening below mirrors cdk-nag's finding format).
 * Only the rules named are acknowledged; any other finding still surfaces.
 */
export function acknowledgeIamFindings(
  scope: IConstruct,
  rules: { managedPolicies?: string; wildcards?: string },
): void {
  Aspects.of(scope).add(new IamAcknowledger(rules));
}

/**
 * The same, computed once references between stacks are resolved (in the validation phase, after the aspects):
 * for policies naming a value of another stack, which only then takes its final form (`Fn::GetStackOutput`,
 * `Fn::ImportValue`) and so its final finding ID.
 */
export function acknowledgeIamFindingsAfterReferences(
  scope: IConstruct,
  rules: { managedPolicies?: string; wildcards?: string },
): void {
  const acknowledger = new IamAcknowledger(rules);
  scope.node.addValidation({
    validate: () => {
      scope.node.findAll().forEach((c) => acknowledger.visit(c));
      return [];
    },
  });
}

/**
 * Acknowledges only the wildcard findings of named resources and actions (e.g. the `<bucket>/*` a grant adds)
 * on the policies under a scope, so a grant the library shapes does not fail cdk-nag on the grantee, while
 * every other wildcard on it still surfaces. A string names one value (a token is resolved); a RegExp matches
 * the value as cdk-nag writes it (`arn:<AWS::Partition>:logs:...`). With `statementsOn`, only statements whose
 * every resource is one of those count.
 */
export function acknowledgeGrantWildcards(
  scope: IConstruct,
  grant: { resources: Matcher[]; actions: Matcher[]; statementsOn?: Matcher[] },
  reason: string,
): void {
  Aspects.of(scope).add(new IamAcknowledger({ wildcards: reason }, grant));
}

/** A value as written in a policy (a token is resolved), or a pattern over cdk-nag's flat form of it. */
type Matcher = string | RegExp;

class IamAcknowledger implements IAspect {
  constructor(
    private readonly rules: { managedPolicies?: string; wildcards?: string },
    private readonly only?: { resources: Matcher[]; actions: Matcher[]; statementsOn?: Matcher[] },
  ) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const stack = Stack.of(node);
    if (this.rules.managedPolicies && node instanceof iam.CfnRole) {
      for (const arn of (stack.resolve(node.managedPolicyArns) ?? []) as unknown[]) {
        const flat = flatten(stack.resolve(arn));
        if (flat.includes(':iam::aws:')) {
          Validations.of(node).acknowledge({
            id: `AwsSolutions-IAM4[Policy::${flat}]`,
            reason: this.rules.managedPolicies,
          });
        }
      }
    }
    if (this.rules.wildcards && (node instanceof iam.CfnPolicy || node instanceof iam.CfnRole)) {
      const docs =
        node instanceof iam.CfnPolicy
          ? [stack.resolve(node.policyDocument)]
          : ((stack.resolve(node.policies) ?? []) as { policyDocument: unknown }[]).map((p) => p.policyDocument);
      const matches = (list: Matcher[] | undefined) => {
        const flat = (list ?? []).map((m) => (typeof m === 'string' ? flatten(stack.resolve(m)) : m));
        return (v: string) => list === undefined || flat.some((m) => (typeof m === 'string' ? m === v : m.test(v)));
      };
      const onlyResources = matches(this.only?.resources);
      const onlyActions = matches(this.only?.actions);
      const onStatement = matches(this.only?.statementsOn);
      for (const doc of docs as { Statement?: Record<string, unknown>[] }[]) {
        for (const st of doc?.Statement ?? []) {
          if (!asList(st.Resource).map(flatten).every(onStatement)) continue;
          for (const action of asList(st.Action)
            .map(flatten)
            .filter((a) => a.includes('*') && onlyActions(a))) {
            Validations.of(node).acknowledge({
              id: `AwsSolutions-IAM5[Action::${action}]`,
              reason: this.rules.wildcards,
            });
          }
          for (const resource of asList(st.Resource)
            .map(flatten)
            .filter((r) => r.includes('*') && onlyResources(r))) {
            Validations.of(node).acknowledge({
              id: `AwsSolutions-IAM5[Resource::${resource}]`,
              reason: this.rules.wildcards,
            });
          }
        }
      }
    }
  }
}

function asList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** A CloudFormation value as a flat string, the way cdk-nag writes it into finding IDs. */
function flatten(node: any): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return items.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flatten(node['Fn::ImportValue']);
  if (node.Ref) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(node);
}
