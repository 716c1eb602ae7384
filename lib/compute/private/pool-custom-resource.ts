import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeIamFindingsAfterReferences } from '../../core/acknowledge';
import { awsCustomResourceFunction } from '../../core/aws-custom-resource-function';

/** Props of {@link poolCustomResource}: the SDK calls and the permissions they need. */
export interface PoolCustomResourceProps {
  readonly onUpdate: cr.AwsSdkCall;
  readonly onDelete?: cr.AwsSdkCall;
  /**
   * What the calls need, scoped by cluster and never by pool (no node group name, no ASG name, no construct):
   * every pool of a cluster asks for the same statements, so they are written once.
   */
  readonly statements: iam.PolicyStatement[];
}

/** Construct ID of the stack's role for the pools' custom resources. Part of the contract: it names the role. */
const ROLE_ID = 'GpuPoolCustomResourceRole';

/**
 * An AwsCustomResource of a GPU pool whose permissions do not grow with the number of pools.
 *
 * AwsCustomResource runs every instance of a stack in one singleton function, and by default each instance adds
 * its own AWS::IAM::Policy to that function's role; IAM caps the inline policies of a role at 10,240 characters
 * in aggregate (IAM User Guide, "IAM and AWS STS quotas": role policy size), which ~16 pools reached. Here the
 * instances pass no `policy`, only a stack-wide `role`, and their statements go into that role's default
 * policy, where identical statements are written once (aws-iam PolicyDocument removes duplicate statements).
 * As the statements are scoped by cluster, that policy is the same for 2 pools and for 40.
 *
 * The role is the singleton function's when a pool is the first AwsCustomResource of its stack; when another
 * construct created the function first, its role is used instead and receives the same statements.
 */
export function poolCustomResource(scope: Construct, id: string, props: PoolCustomResourceProps): cr.AwsCustomResource {
  const stack = Stack.of(scope);
  const role = (stack.node.tryFindChild(ROLE_ID) as iam.Role | undefined) ?? createRole(stack);
  const resource = new cr.AwsCustomResource(scope, id, {
    onUpdate: props.onUpdate,
    onDelete: props.onDelete,
    role,
    installLatestAwsSdk: false,
  });
  awsCustomResourceFunction(stack);
  const principal = resource.grantPrincipal;
  for (const statement of props.statements) principal.addToPrincipalPolicy(statement);
  // The call runs once the role's policy holds its statements (a new pool adds none, the first adds them).
  if (Construct.isConstruct(principal)) resource.node.addDependency(principal);
  return resource;
}

function createRole(stack: Stack): iam.Role {
  const role = new iam.Role(stack, ROLE_ID, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    description: 'Runs the AwsCustomResource calls of the GPU node pools of this stack (ASG tags, lookups)',
  });
  // The node group ARN names the cluster, a value of another stack when pools live in their own stacks.
  acknowledgeIamFindingsAfterReferences(role, {
    managedPolicies: 'The AwsCustomResource function only writes its own logs (AWSLambdaBasicExecutionRole)',
    wildcards:
      'ASG ARNs embed a generated ID and EC2 Describe calls take no resource ARN; ASG calls are limited to ASGs tagged eks:cluster-name of the cluster (tagging calls also to the keys the pools write), DescribeNodegroup to its node groups',
  });
  return role;
}
