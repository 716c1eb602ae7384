import { deepFreeze } from '../../catalog/deep-freeze';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as pipelines from 'aws-cdk-lib/pipelines';
import { acknowledgeGrantWildcards } from '../../core/acknowledge';

/** What every bucket of the pipeline stack has: TLS 1.2+ only, no public access, no ACLs, versioning. */
export const PIPELINE_BUCKET = deepFreeze({
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
} as const) satisfies s3.BucketProps;

/**
 * Server access logs of the pipeline's buckets (cdk-nag AwsSolutions-S1), in a log bucket of the pipeline stack the
 * way DataLake logs its zones: SSE-S3 (the only encryption S3 delivers server access logs to), delivery through a
 * bucket policy, never an ACL. The artifact bucket is CodePipeline's own, so its logging is set on its L1.
 */
export function logBucketAccess(stack: Stack, baselines: s3.Bucket, artifacts: s3.IBucket): s3.Bucket {
  const logs = new s3.Bucket(stack, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    ...PIPELINE_BUCKET,
    lifecycleRules: [
      { id: 'expire-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
    ],
  });
  Validations.of(logs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the server access log bucket; logging it into itself would loop',
  });
  for (const [bucket, prefix] of [
    [baselines, 'baselines/'],
    [artifacts, 'artifacts/'],
  ] as const) {
    // The statement aws-s3 bucket.js allowLogDelivery writes (S3 user guide, "Permissions for log delivery").
    logs.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [logs.arnForObjects(`${prefix}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: logs.bucketName,
      logFilePrefix: prefix,
    };
  }
  return logs;
}

/**
 * Acknowledges, each at its narrowest scope and with its reason, the AwsSolutions-IAM5 wildcards CDK Pipelines and
 * CodeBuild write themselves and that the services require; any other wildcard in the pipeline stack still fails.
 */
export function acknowledgePipelineWildcards(
  pipeline: pipelines.CodePipeline,
  baselines: s3.IBucket,
  stages: string[],
): void {
  const artifacts = pipeline.pipeline.artifactBucket;
  const stack = Stack.of(pipeline);
  acknowledgeGrantWildcards(
    stack,
    {
      resources: [artifacts.arnForObjects('*')],
      actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].concat(
        artifacts.encryptionKey ? ['kms:ReEncrypt*', 'kms:GenerateDataKey*'] : [],
      ),
      statementsOn: [artifacts.bucketArn, artifacts.arnForObjects('*')].concat(
        artifacts.encryptionKey ? [artifacts.encryptionKey.keyArn] : [],
      ),
    },
    // aws-codepipeline pipeline.js grants each action role bucket.grantReadWrite (aws-s3 perms.js BUCKET_READ_ACTIONS,
    // BUCKET_DELETE_ACTIONS) and key.grantEncryptDecrypt (aws-kms key.js).
    "CodePipeline's run artifacts, under keys CodePipeline names per execution, in the pipeline's own artifact bucket and key (which hold nothing else); the action wildcards are the read/write sets aws-codepipeline grants each action role",
  );
  acknowledgeGrantWildcards(
    stack,
    { resources: stages.map((s) => baselines.arnForObjects(`${s}/*`)), actions: [] },
    "A stage's deployed assemblies and change reports, under keys named per pipeline execution; IAM names a set of objects only by a key prefix, and this is the stage's own",
  );
  acknowledgeGrantWildcards(
    stack,
    {
      resources: [/:log-group:\/aws\/codebuild\/<[^>]+>:\*$/, /:report-group\/<[^>]+>-\*$/],
      actions: [],
    },
    // aws-codebuild project.js createLoggingPermission (log group `/aws/codebuild/<project>` and `:*`) and its
    // report-group statement (`<project>-*`).
    "Each CodeBuild project's own log group (`:*` is that group's log streams, which CodeBuild creates per build) and report groups named after the project, as aws-codebuild grants every project",
  );
  const fileRole = pipeline.node.tryFindChild('Assets')?.node.tryFindChild('FileRole');
  if (fileRole)
    acknowledgeGrantWildcards(
      fileRole,
      { resources: ['*', /:log-group:\/aws\/codebuild\/\*$/, /:report-group\/\*$/], actions: [] },
      // pipelines private/asset-singleton-role.js: fixed statements, duplicates of them rejected.
      'The one role CDK Pipelines shares between every asset-publishing CodeBuild project it creates (their names are not known to the role): logs and report groups of CodeBuild projects, and codebuild:StartBuild/StopBuild/BatchGetBuilds',
    );
  acknowledgeGrantWildcards(
    pipeline.selfMutationProject,
    { resources: ['*', /^arn:\*:iam::\d{12}:role\/\*$/], actions: [] },
    // pipelines codepipeline.js selfMutateStep: sts:AssumeRole on role/* only with iam:ResourceTag/aws-cdk:bootstrap-role.
    "CDK Pipelines' self-mutation (cdk deploy of the pipeline stack): it assumes only roles tagged aws-cdk:bootstrap-role (image-publishing, file-publishing, deploy) and reads cloudformation:DescribeStacks and s3:ListBucket, which the CDK CLI calls on the bootstrap stack and bucket",
  );
}
