import { Lazy, Stack, ValidationError, type CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeIamFindingsAfterReferences } from './acknowledge';
import { awsCustomResourceFunction } from './aws-custom-resource-function';

/** One statement of a CloudFormation stack policy. */
export interface StackPolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Principal: '*';
  readonly Resource: string;
}

/** A CloudFormation stack policy document. */
export interface StackPolicyDocument {
  readonly Statement: StackPolicyStatement[];
}

// SetStackPolicy: StackPolicyBody is 1..16384 characters
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_SetStackPolicy.html).
const MAX_BODY_CHARACTERS = 16_384;

/**
 * The stack policy that lets every update through except the replacement or deletion of the resources named.
 * "After you set a stack policy, all of the resources in the stack are protected by default", so the first
 * statement allows every update; a Deny takes precedence over an Allow on the same resource, and a resource is
 * named `LogicalResourceId/<id>`; Principal must be `*`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html).
 * With no resource named it allows everything: the only way to lift a policy, since a stack policy cannot be removed.
 */
export function stackPolicyDocument(protectedLogicalIds: readonly string[]): StackPolicyDocument {
  return {
    Statement: [
      { Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' },
      ...[...new Set(protectedLogicalIds)].sort().map((id): StackPolicyStatement => ({
        Effect: 'Deny',
        Action: ['Update:Replace', 'Update:Delete'],
        Principal: '*',
        Resource: `LogicalResourceId/${id}`,
      })),
    ],
  };
}

/** The property of the custom resource that holds the policy body (read back by the change report). */
export const STACK_POLICY_RESOURCE_TYPE = 'Custom::StackPolicy';

/** Props of {@link StackPolicy}. */
export interface StackPolicyProps {
  /** The stack whose policy is set: this construct's own stack, or one deployed before it (it must exist). */
  readonly target: Stack;
  /** The resources of `target` never to be replaced or deleted by a stack update; read at synthesis. */
  readonly protect: () => CfnResource[];
  /**
   * Whether removing this construct (or deleting its stack) sets the allow-all policy on `target`. Leave it on
   * for a policy that protects its own stack; turn it off when the target outlives this stack (the data stack
   * keeps its protection when the platform stack is deleted).
   * @default true
   */
  readonly liftOnDelete?: boolean;
}

/**
 * Sets a CloudFormation stack policy on a stack from a stack: the CDK CLI has no stack-policy option
 * (aws/aws-cdk#1697), so an AwsCustomResource calls SetStackPolicy with the stack's name, on create and on every
 * change of the protected set; on delete it sets the allow-all policy (a stack policy cannot be removed), and
 * ignores a target that no longer exists, unless `liftOnDelete` is false. Its function may only call cloudformation:SetStackPolicy on the target.
 */
export class StackPolicy extends Construct {
  /** The policy, once the tree is complete. */
  public readonly document: () => StackPolicyDocument;

  constructor(scope: Construct, id: string, props: StackPolicyProps) {
    super(scope, id);
    const { target } = props;
    const stack = Stack.of(this);
    this.document = () =>
      stackPolicyDocument(props.protect().map((r) => target.resolve(target.getLogicalId(r)) as string));
    const body = Lazy.string({
      produce: () => {
        const text = JSON.stringify(this.document());
        if (text.length > MAX_BODY_CHARACTERS)
          throw new ValidationError(
            'StackPolicyTooLarge' as never,
            `the stack policy of ${target.stackName} is ${text.length} characters; SetStackPolicy takes at most ${MAX_BODY_CHARACTERS}: protect fewer resources`,
            this,
          );
        return text;
      },
    });
    const call = (policy: string): cr.AwsSdkCall => ({
      service: 'CloudFormation',
      action: 'setStackPolicy',
      parameters: { StackName: target.stackName, StackPolicyBody: policy },
      physicalResourceId: cr.PhysicalResourceId.of(`${target.stackName}-stack-policy`),
    });
    const resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: STACK_POLICY_RESOURCE_TYPE,
      onCreate: call(body),
      onUpdate: call(body),
      // A stack being deleted, or already gone, answers ValidationError ("Stack ... does not exist").
      onDelete:
        (props.liftOnDelete ?? true)
          ? { ...call(JSON.stringify(stackPolicyDocument([]))), ignoreErrorCodesMatching: 'ValidationError' }
          : undefined,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['cloudformation:SetStackPolicy'],
          // A stack's ARN ends with a generated ID: arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>.
          resources: [
            stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${target.stackName}/*` }),
          ],
        }),
      ]),
      installLatestAwsSdk: false,
    });
    acknowledgeRuntime(stack, resource);
  }
}

/** Acknowledges what cdk-nag finds on the SetStackPolicy statement and, once, on the function that runs it. */
function acknowledgeRuntime(stack: Stack, resource: Construct): void {
  acknowledgeIamFindingsAfterReferences(resource, {
    wildcards: "SetStackPolicy on one stack by name: a stack's ARN ends with an ID CloudFormation generates",
  });
  const fn = awsCustomResourceFunction(stack);
  if (fn && !managedPolicyAcknowledged.has(fn)) {
    managedPolicyAcknowledged.add(fn);
    acknowledgeIamFindingsAfterReferences(fn, {
      managedPolicies: 'The AwsCustomResource function only writes its own logs (AWSLambdaBasicExecutionRole)',
    });
  }
}

const managedPolicyAcknowledged = new WeakSet<object>();
