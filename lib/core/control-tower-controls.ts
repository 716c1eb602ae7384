import { Annotations, ArnFormat, CfnResource, RemovalPolicy, Stack, type IAspect } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';
import { limitGrantsToAwsServices } from './key-policy';

/** Where {@link ControlTowerControls} places Lambda functions. */
export interface ControlTowerControlsProps {
  /**
   * The VPC functions without a VPC configuration are placed in (CT.LAMBDA.PR.3). Their subnets need a route
   * to the AWS APIs the functions call (a NAT gateway or interface endpoints).
   * @default - a function outside a VPC is an error
   */
  readonly vpc?: ec2.IVpc;
  /** @default - the VPC's private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/** Log retention AWS Control Tower requires at least (CT.CLOUDWATCH.PR.2). */
const MINIMUM_LOG_RETENTION_DAYS = 365;

// The actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole, which a function in a VPC needs to
// manage its network interfaces; Lambda checks them when the function is created
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
const LAMBDA_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];
// What a state machine's role needs to log to CloudWatch Logs and to send X-Ray traces; Step Functions checks
// the logging permissions when the state machine is created
// (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy,
// https://docs.aws.amazon.com/step-functions/latest/dg/procedure-enable-xray-tracing.html).
const STATE_MACHINE_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];

/**
 * Makes every resource of the stacks it is applied to pass AWS Control Tower's proactive controls, including
 * the resources aws-cdk-lib creates on its own (custom-resource providers, their log groups, their waiter
 * state machines). Apply it with `Aspects.of(stack).add(new ControlTowerControls({ vpc }))`; the platform
 * does so for `compliance: control-tower`. What each control costs or changes is in the README.
 *
 * - CT.CLOUDWATCH.PR.2 / PR.3: log groups kept at least a year and encrypted with a key of the stack.
 * - CT.EC2.PR.9 / PR.10: launch templates with detailed monitoring and no public address on their interfaces
 *   (a new template version: managed node groups replace their nodes once).
 * - CT.EKS.PR.1: an EKS API endpoint that is public is an error (choose a private endpoint).
 * - CT.LAMBDA.PR.3: functions placed in the VPC, with the network-interface permissions Lambda requires.
 * - CT.S3.PR.2 / PR.9 / PR.10: buckets without access logging log into themselves (`self/`), get Object Lock
 *   (no default retention: nothing changes for writers; Object Lock can only be set on a new bucket) and
 *   SSE-KMS when they were SSE-S3.
 * - CT.STEPFUNCTIONS.PR.1 / PR.2: state machines log errors to an encrypted log group and trace with X-Ray.
 */
export class ControlTowerControls implements IAspect {
  private readonly keys = new Map<Stack, kms.Key>();
  private readonly functionGroups = new Map<Stack, ec2.SecurityGroup>();
  private readonly policies = new Map<string, iam.CfnPolicy>();

  constructor(private readonly props: ControlTowerControlsProps = {}) {}

  public visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup) this.logGroup(node);
    else if (node instanceof ec2.CfnLaunchTemplate) this.launchTemplate(node);
    else if (node instanceof s3.Bucket) this.bucket(node);
    else if (node instanceof sfn.CfnStateMachine) this.stateMachine(node);
    else if (node instanceof CfnResource && node.cfnResourceType === 'AWS::EKS::Cluster') this.cluster(node);
    else if (node instanceof CfnResource && node.cfnResourceType === 'AWS::Lambda::Function') this.lambdaFunction(node);
  }

  private logGroup(group: logs.CfnLogGroup): void {
    if (typeof group.retentionInDays === 'number' && group.retentionInDays < MINIMUM_LOG_RETENTION_DAYS) {
      group.retentionInDays = MINIMUM_LOG_RETENTION_DAYS;
    }
    group.kmsKeyId ??= this.key(group.stack).keyArn;
  }

  private launchTemplate(template: ec2.CfnLaunchTemplate): void {
    template.addPropertyOverride('LaunchTemplateData.Monitoring', { Enabled: true });
    // Interfaces come from the L1 property or, for the platform's EFA templates, from a property override.
    const fromOverride = (template as unknown as { rawOverrides: any }).rawOverrides?.Properties?.LaunchTemplateData
      ?.NetworkInterfaces;
    const data = template.launchTemplateData as ec2.CfnLaunchTemplate.LaunchTemplateDataProperty | undefined;
    const interfaces = Array.isArray(fromOverride)
      ? fromOverride
      : Array.isArray(data?.networkInterfaces)
        ? data.networkInterfaces
        : [];
    // An override path cannot index into an array (it would turn the list into an object): set it on each entry.
    if (interfaces.length > 0) {
      template.addPropertyOverride(
        'LaunchTemplateData.NetworkInterfaces',
        interfaces.map((i: object) => ({ ...i, AssociatePublicIpAddress: false })),
      );
    }
  }

  private bucket(bucket: s3.Bucket): void {
    const cfn = bucket.node.defaultChild as s3.CfnBucket;
    cfn.objectLockEnabled ??= true;
    const encryption = cfn.bucketEncryption as s3.CfnBucket.BucketEncryptionProperty | undefined;
    const rules = (encryption?.serverSideEncryptionConfiguration ??
      []) as s3.CfnBucket.ServerSideEncryptionRuleProperty[];
    const sseS3 =
      rules.length === 0 || rules.some((r) => (r.serverSideEncryptionByDefault as any)?.sseAlgorithm === 'AES256');
    if (sseS3) {
      // S3 server access logs can be delivered to an SSE-KMS bucket whose key lets logging.s3.amazonaws.com
      // generate data keys (aws/aws-cdk#25350; the key below allows it).
      cfn.bucketEncryption = {
        serverSideEncryptionConfiguration: [
          {
            serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key(bucket.stack).keyArn },
            bucketKeyEnabled: true,
          },
        ],
      };
    }
    if (cfn.loggingConfiguration === undefined) {
      // Without a destination, S3 delivers a bucket's access logs into the bucket itself
      // (CloudFormation AWS::S3::Bucket LoggingConfiguration.DestinationBucketName: "By default, logs are stored
      // in the bucket where the LoggingConfiguration property is defined").
      cfn.loggingConfiguration = { logFilePrefix: 'self/' };
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects('self/*')],
          conditions: {
            ArnLike: { 'aws:SourceArn': bucket.bucketArn },
            StringEquals: { 'aws:SourceAccount': bucket.stack.account },
          },
        }),
      );
    }
  }

  private stateMachine(machine: sfn.CfnStateMachine): void {
    machine.tracingConfiguration ??= { enabled: true };
    if (machine.loggingConfiguration === undefined) {
      const group = new logs.LogGroup(machine.node.scope as Construct, `${machine.node.id}Logs`, {
        encryptionKey: this.key(machine.stack),
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      machine.loggingConfiguration = {
        level: 'ERROR',
        includeExecutionData: false,
        destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: group.logGroupArn } }],
      };
    }
    this.grantToRole(machine, machine.roleArn, 'ObservabilityPolicy', STATE_MACHINE_ACTIONS);
  }

  private cluster(cluster: CfnResource): void {
    // aws-eks and aws-eks-v2 each have their own CfnCluster class; both carry `resourcesVpcConfig`.
    const vpc = (cluster as unknown as { resourcesVpcConfig?: { endpointPublicAccess?: unknown } }).resourcesVpcConfig;
    if (vpc?.endpointPublicAccess !== false) {
      Annotations.of(cluster).addError(
        'AWS Control Tower control CT.EKS.PR.1 refuses an EKS cluster whose API endpoint is public: use a private endpoint (definition: cluster.endpointAccess private)',
      );
    }
  }

  private lambdaFunction(fn: CfnResource): void {
    const properties = (fn as unknown as { _cfnProperties: Record<string, unknown> })._cfnProperties;
    const declared = 'vpcConfig' in fn ? (fn as { vpcConfig?: unknown }).vpcConfig : properties?.VpcConfig;
    if (declared !== undefined) return;
    if (!this.props.vpc) {
      Annotations.of(fn).addError(
        'AWS Control Tower control CT.LAMBDA.PR.3 refuses a Lambda function outside a VPC: give ControlTowerControls a vpc',
      );
      return;
    }
    fn.addPropertyOverride('VpcConfig', {
      SubnetIds: this.props.vpc.selectSubnets(
        this.props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ).subnetIds,
      SecurityGroupIds: [this.functionGroup(fn.stack).securityGroupId],
    });
    const role = 'role' in fn ? (fn as { role?: unknown }).role : properties?.Role;
    this.grantToRole(fn, role, 'VpcAccessPolicy', LAMBDA_VPC_ACTIONS);
  }

  /** An inline policy on the resource's role (when the role is in the same stack), created before the resource. */
  private grantToRole(resource: CfnResource, roleArn: unknown, id: string, actions: string[]): void {
    const stack = resource.stack;
    const ref = stack.resolve(roleArn) as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const logicalId = ref?.['Fn::GetAtt']?.[0];
    const role =
      logicalId === undefined
        ? undefined
        : stack.node
            .findAll()
            .find(
              (c): c is CfnResource =>
                c instanceof CfnResource &&
                c.cfnResourceType === 'AWS::IAM::Role' &&
                stack.resolve(c.logicalId) === logicalId,
            );
    if (!role) {
      Annotations.of(resource).addWarningV2(
        'ai-platform:controlTowerRole',
        `The role of this resource is not in its stack: give it ${actions.join(', ')}`,
      );
      return;
    }
    // One inline policy per role and purpose: functions sharing a role (a provider's handlers) share it, since two
    // AWS::IAM::Policy resources with one PolicyName on one role would overwrite, and on removal delete, each other.
    const key = `${stack.node.addr}/${logicalId}/${id}`;
    let policy = this.policies.get(key);
    if (!policy) {
      policy = new iam.CfnPolicy(role.node.scope as Construct, `${role.node.id}${id}`, {
        policyName: id,
        roles: [role.ref],
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] },
      });
      this.policies.set(key, policy);
    }
    resource.addResourceDependency(policy);
  }

  /** The stack's key for log groups and buckets that had none; CloudWatch Logs and S3 access logging may use it. */
  private key(stack: Stack): kms.Key {
    let key = this.keys.get(stack);
    if (!key) {
      key = new kms.Key(stack, 'ControlTowerKey', {
        description: 'Log groups and buckets of this stack (AWS Control Tower controls)',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      limitGrantsToAwsServices(key);
      // CloudWatch Logs, for this account's log groups in this region
      // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );
      // S3 server access logging into an SSE-KMS bucket (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
      this.keys.set(stack, key);
    }
    return key;
  }

  /** The stack's security group for functions placed in the VPC: HTTPS out (AWS APIs, the EKS endpoint), nothing in. */
  private functionGroup(stack: Stack): ec2.SecurityGroup {
    let group = this.functionGroups.get(stack);
    if (!group) {
      group = new ec2.SecurityGroup(stack, 'ControlTowerFunctions', {
        vpc: this.props.vpc!,
        allowAllOutbound: false,
        description: 'Lambda functions placed in the VPC (AWS Control Tower controls)',
      });
      group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs and the EKS endpoint over HTTPS');
      this.functionGroups.set(stack, group);
    }
    return group;
  }
}
