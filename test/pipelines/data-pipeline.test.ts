import {
  DefaultStackSynthesizer,
  Duration,
  Lazy,
  Size,
  Stack,
  type FileAssetLocation,
  type FileAssetSource,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  DataLake,
  DataLakeImport,
  DataPipeline,
  PipelineScript,
  PipelineTrigger,
  TableFormat,
  type DataPipelineProps,
} from '../../lib';
import { EMR_SERVERLESS_RELEASE } from '../../lib/catalog/versions';
import { resourcesOf, testApp } from '../helpers';
import { actionsOf, buildNew, definitionOf, SCRIPT, statementsOf } from './fixture';

let defaultBuild: ReturnType<typeof buildNew> | undefined;
/** The pipeline in a plain stack with a DataLake; the default one is built once for the file (tests only read it). */
function build(props: Partial<DataPipelineProps> = {}, opts: { topic?: boolean } = {}) {
  if (Object.keys(props).length > 0 || Object.keys(opts).length > 0) return buildNew(props, opts);
  defaultBuild ??= buildNew();
  return defaultBuild;
}

describe('a scheduled pipeline with a table, in a plain stack with a DataLake', () => {
  const { template, pipeline, dataLake, vpc, id, stack } = build();
  const jobStatements = statementsOf(template, id(pipeline.jobRole));
  const bucket = (zone: string) => id(dataLake.zone(zone));

  test('an EMR Serverless Spark application on the catalog release, auto-start, auto-stop after 15 idle minutes', () => {
    expect(EMR_SERVERLESS_RELEASE).toMatch(/^emr-\d+\.\d+\.\d+$/);
    template.hasResourceProperties('AWS::EMRServerless::Application', {
      Name: 'reviews-clean',
      Type: 'SPARK',
      ReleaseLabel: EMR_SERVERLESS_RELEASE,
      Architecture: 'X86_64',
      AutoStartConfiguration: { Enabled: true },
      AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 15 },
    });
  });

  test('documented default capacity: 16 vCPU / 64 GB, and Spark may not ask for more executors than fit', () => {
    template.hasResourceProperties('AWS::EMRServerless::Application', {
      MaximumCapacity: { Cpu: '16 vCPU', Memory: '64 GB' },
    });
    expect(definitionOf(template).States.RunJob.Parameters.JobDriver.SparkSubmit.SparkSubmitParameters).toContain(
      'spark.dynamicAllocation.maxExecutors=3',
    );
  });

  test('runs in the private subnets with a security group of its own: HTTPS out, nothing in', () => {
    const privateIds = vpc.privateSubnets.map((s) => s.subnetId);
    template.hasResourceProperties('AWS::EMRServerless::Application', {
      NetworkConfiguration: {
        SubnetIds: privateIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [id(pipeline.securityGroup), 'GroupId'] }],
      },
    });
    const [, sg] = resourcesOf(template, 'AWS::EC2::SecurityGroup').find(
      ([sid]) => sid === id(pipeline.securityGroup),
    )!;
    expect(sg.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
    ]);
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('the job role is trusted by EMR Serverless for this account and this application only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'emr-serverless.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id(pipeline.application), 'Arn'] } },
            },
          },
        ],
      },
    });
  });

  test('the job role reads its source, writes its target, and no other zone appears in its policy', () => {
    const text = JSON.stringify(jobStatements);
    expect(text).toContain(bucket('raw'));
    expect(text).toContain(bucket('curated'));
    for (const other of ['features', 'models']) expect(text).not.toContain(bucket(other));
    const reads = jobStatements.filter(
      (s) => actionsOf(s).includes('s3:GetObject') && JSON.stringify(s.Resource).includes(bucket('raw')),
    );
    expect(reads.length).toBeGreaterThan(0);
  });

  test('write actions only on the target zone', () => {
    const writes = jobStatements.filter((s) =>
      actionsOf(s).some((a) => ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'].includes(a)),
    );
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0].Resource)).toContain(bucket('curated'));
    expect(JSON.stringify(writes[0].Resource)).not.toContain(bucket('raw'));
  });

  test('the lake key only through S3, and no other key', () => {
    const kms = jobStatements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.length).toBeGreaterThan(0);
    for (const s of kms) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [id(dataLake.key), 'Arn'] });
      expect(s.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
        },
      });
    }
  });

  test('the script: that one object, read only', () => {
    const script = jobStatements.filter((s) => JSON.stringify(s.Resource).includes('cdk-hnb659fds-assets'));
    expect(script).toHaveLength(1);
    expect(script[0].Action).toBe('s3:GetObject');
    expect(JSON.stringify(script[0].Resource)).toMatch(/\/[0-9a-f]{64}\.py"/);
  });

  test('logs: its own log group only, plus listing log groups', () => {
    const logs = jobStatements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    const write = logs.find((s) => actionsOf(s).includes('logs:PutLogEvents'));
    expect(write.Resource).toEqual({ 'Fn::GetAtt': [id(pipeline.jobLogGroup), 'Arn'] });
    expect(logs.filter((s) => s.Resource === '*')).toEqual([]);
  });

  test('Glue: its table, its database and the default database (which Spark may create), nothing else created or deleted', () => {
    const glue = jobStatements.filter((s) => actionsOf(s).some((a) => a.startsWith('glue:')));
    const actions = glue.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['glue:UpdateTable', 'glue:BatchCreatePartition', 'glue:GetTable']));
    for (const a of actions) expect(a).not.toMatch(/glue:(Create|Delete)Table|glue:DeleteDatabase|\*/);
    const creates = glue.filter((s) => actionsOf(s).includes('glue:CreateDatabase'));
    const createOn = JSON.stringify(creates.map((s) => s.Resource));
    expect(creates).toHaveLength(1);
    expect(createOn).toContain(':catalog"');
    expect(createOn.match(/:database\/[^"]*"/g)).toEqual([':database/default"']);
    const resources = JSON.stringify(glue.map((s) => s.Resource));
    expect(resources).toContain(`":table/",{"Ref":"${id(dataLake.databases.curated)}"},"/reviews"`);
    expect(resources).toContain(':database/default');
    expect(resources).not.toContain(id(dataLake.databases.raw));
    const writes = glue.filter((s) => actionsOf(s).includes('glue:UpdateTable'));
    expect(JSON.stringify(writes)).not.toContain('database/default');
  });

  test('the state machine starts the run with the optimized startJobRun.sync integration and waits for it', () => {
    const run = definitionOf(template).States.RunJob;
    expect(run.Type).toBe('Task');
    expect(run.Resource).toMatch(/^arn:\$\{.*AWS::Partition.*\}:states:::emr-serverless:startJobRun\.sync$/);
    expect(run.Parameters).toMatchObject({
      ApplicationId: expect.stringContaining(id(pipeline.application)),
      ExecutionRoleArn: expect.stringContaining(id(pipeline.jobRole)),
      'Name.$': '$$.Execution.Name',
      ExecutionTimeoutMinutes: 270 + 15,
    });
    expect(run.TimeoutSeconds).toBeUndefined();
  });

  test('transient errors are retried with exponential backoff; everything else fails the execution', () => {
    const def = definitionOf(template);
    expect(def.States.RunJob.Retry).toEqual([
      {
        ErrorEquals: ['EMRServerless.InternalServerException', 'EMRServerless.ThrottlingException'],
        IntervalSeconds: 30,
        MaxAttempts: 2,
        BackoffRate: 2,
      },
    ]);
    expect(def.States.RunJob.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'JobFailed' },
    ]);
    expect(def.States.JobFailed).toEqual({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    // The wait for the one run ahead (its 2 h and 15 min), the run's 2 h, and 15 min for start-up and start retries.
    expect(def.TimeoutSeconds).toBe(8100 + 7200 + 900);
  });

  test('a run that outlasts its timeout ends its execution TIMED_OUT, what the timed-out alarm counts, not in the catch', () => {
    // ExecutionsTimedOut counts executions that reach the state machine's TimeoutSeconds; a timeout caught into
    // a Fail state counts as ExecutionsFailed. So the execution's timeout must be the first to expire: no task
    // timeout (a catchable States.Timeout), and EMR Serverless's own cancellation of the run only after it.
    const def = definitionOf(template);
    const run = def.States.RunJob;
    expect(def.TimeoutSeconds).toBeGreaterThan(7200);
    expect(run.TimeoutSeconds ?? Infinity).toBeGreaterThan(def.TimeoutSeconds);
    expect(run.HeartbeatSeconds ?? Infinity).toBeGreaterThan(def.TimeoutSeconds);
    expect(run.Parameters.ExecutionTimeoutMinutes * 60).toBeGreaterThan(def.TimeoutSeconds);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsTimedOut',
      Namespace: 'AWS/States',
    });
  });

  test('the job is told where to read and write: zone URIs, database and table', () => {
    const sparkSubmit = definitionOf(template).States.RunJob.Parameters.JobDriver.SparkSubmit;
    expect(sparkSubmit.EntryPoint).toMatch(/^\$\{.*\}$|^s3:\/\//);
    expect(sparkSubmit.EntryPointArguments).toEqual([
      '--sources',
      `s3://\${{Ref:${bucket('raw')}}}/`,
      '--target',
      `s3://\${{Ref:${bucket('curated')}}}/reviews/`,
      '--database',
      `\${{Ref:${id(dataLake.databases.curated)}}}`,
      '--table',
      'reviews',
    ]);
    expect(sparkSubmit.SparkSubmitParameters).toContain(
      'hive.metastore.client.factory.class=com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory',
    );
  });

  test('the job logs to its KMS-encrypted log group', () => {
    const cw =
      definitionOf(template).States.RunJob.Parameters.ConfigurationOverrides.MonitoringConfiguration
        .CloudWatchLoggingConfiguration;
    expect(cw).toMatchObject({ Enabled: true, LogGroupName: `\${{Ref:${id(pipeline.jobLogGroup)}}}` });
  });

  test('the state machine role: start runs on this application, watch its runs, pass this job role only, the managed rule', () => {
    const st = statementsOf(template, id(pipeline.stateMachine.role));
    const appArn = { 'Fn::GetAtt': [id(pipeline.application), 'Arn'] };
    expect(st).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['emr-serverless:ListJobRuns', 'emr-serverless:StartJobRun'],
          Resource: appArn,
        }),
        expect.objectContaining({
          Action: ['emr-serverless:CancelJobRun', 'emr-serverless:GetJobRun'],
          Resource: { 'Fn::Join': ['', [appArn, '/jobruns/*']] },
        }),
        expect.objectContaining({
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [id(pipeline.jobRole), 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
        }),
        expect.objectContaining({
          Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
          Resource: expect.objectContaining({
            'Fn::Join': ['', expect.arrayContaining([':rule/StepFunctionsGetEventsForEMRServerlessJobRule'])],
          }),
        }),
      ]),
    );
    expect(st.filter((s) => actionsOf(s).includes('iam:PassRole'))).toHaveLength(1);
  });

  test('the state machine logs ALL to its own log group and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'reviews-clean',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [id(pipeline.stateMachineLogGroup), 'Arn'] } } },
        ],
      },
    });
  });

  test('both log groups are encrypted with a rotating key, kept 90 days, and deleted with the pipeline (fixed names: a retained group would block re-adding it)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('reviews-clean'),
    });
    for (const [group, name] of [
      [pipeline.jobLogGroup, '/aws/emr-serverless/reviews-clean'],
      [pipeline.stateMachineLogGroup, '/aws/vendedlogs/states/reviews-clean'],
    ] as const) {
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          LogGroupName: name,
          RetentionInDays: 90,
          KmsKeyId: { 'Fn::GetAtt': [id(pipeline.encryptionKey), 'Arn'] },
        },
        DeletionPolicy: 'Delete',
      });
      expect(id(group)).toContain('Pipeline');
    }
  });

  test('the key lets CloudWatch Logs use it for these two log groups only', () => {
    const [, key] = resourcesOf(template, 'AWS::KMS::Key').find(([kid]) => kid === id(pipeline.encryptionKey))!;
    const logs = key.Properties.KeyPolicy.Statement.find((s: any) => JSON.stringify(s.Principal).includes('logs.'));
    const arns = JSON.stringify(logs.Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn']);
    expect(arns).toContain(':log-group:/aws/emr-serverless/reviews-clean"');
    expect(arns).toContain(':log-group:/aws/vendedlogs/states/reviews-clean"');
    expect(logs.Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn']).toHaveLength(2);
  });

  test('the schedule starts the state machine; there is no arrival rule', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Arn: { Ref: id(pipeline.stateMachine) } }),
    });
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('the Glue table: external Parquet in the target database at the job target, string partition keys', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: { Ref: id(dataLake.databases.curated) },
      TableInput: {
        Name: 'reviews',
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'parquet', EXTERNAL: 'TRUE' },
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: bucket('curated') }, '/reviews/']] },
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          Columns: [{ Name: 'review_id', Type: 'string' }],
        }),
      },
    });
  });

  test('alarms on failed and timed-out executions (>= 1 in 5 minutes) notify the topic', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: id(pipeline.stateMachine) } }],
        AlarmActions: [{ Ref: stack.getLogicalId(stack.node.findChild('Alarms').node.defaultChild as any) }],
      });
    }
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3); // and the schedule's dead letters (below)
  });

  test('metric methods are the state machine metrics', () => {
    expect(pipeline.metricFailed().metricName).toBe('ExecutionsFailed');
    expect(pipeline.metricTimedOut().metricName).toBe('ExecutionsTimedOut');
    expect(pipeline.metricSucceeded().metricName).toBe('ExecutionsSucceeded');
    expect(pipeline.metricTime().metricName).toBe('ExecutionTime');
    expect(pipeline.metricFailed().namespace).toBe('AWS/States');
  });
});

test('has no unacknowledged cdk-nag AwsSolutions findings', () => {
  for (const trigger of [undefined, PipelineTrigger.onArrival('raw', 'reviews/')]) {
    const { app, stack } = trigger ? build({ trigger }) : build();
    app.synth();
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath}`)),
    ).toEqual([]);
  }
});

test('on arrival: an EventBridge rule for objects created under the prefix of the source bucket; no schedule', () => {
  const { template, pipeline, dataLake, id } = build({ trigger: PipelineTrigger.onArrival('raw', 'reviews/') });
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: id(dataLake.zone('raw')) }] }, object: { key: [{ prefix: 'reviews/' }] } },
    },
    Targets: [Match.objectLike({ Arn: { Ref: id(pipeline.stateMachine) } })],
  });
  template.resourceCountIs('AWS::Scheduler::Schedule', 0);
  // The run reads only where data arrived: the prefix reaches the job.
  const args = definitionOf(template).States.RunJob.Parameters.JobDriver.SparkSubmit.EntryPointArguments;
  expect(args.slice(args.indexOf('--input-prefix'), args.indexOf('--input-prefix') + 2)).toEqual([
    '--input-prefix',
    'reviews/',
  ]);
});

describe('on arrival: a start that fails is kept, not dropped', () => {
  const { template, pipeline, id } = build({ trigger: PipelineTrigger.onArrival('raw', 'reviews/') });
  const dlq = id(pipeline.arrivalDeadLetters!);

  test("the rule's target has a dead-letter queue and an explicit retry policy (EventBridge: 24 h, 185 attempts at most)", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
  });

  test('the queue is encrypted, TLS-only, keeps messages 14 days, and admits EventBridge for this rule only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86400,
    });
    const [, policy] = resourcesOf(template, 'AWS::SQS::QueuePolicy').find(([, p]) =>
      JSON.stringify(p.Properties.Queues).includes(dlq),
    )!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [id(pipeline.arrivalRule!), 'Arn'] } } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  test("a message in the queue alarms to the pipeline's topic", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
    });
  });

  test('no topic, no alarm; no trigger, no queue', () => {
    expect(
      build({ trigger: PipelineTrigger.onArrival('raw') }, { topic: false }).template.findResources(
        'AWS::CloudWatch::Alarm',
      ),
    ).toEqual({});
    build({ trigger: undefined }).template.resourceCountIs('AWS::SQS::Queue', 0);
  });
});

describe('on a schedule: a start that fails is kept, not dropped', () => {
  const { template, pipeline, id } = build();
  const dlq = id(pipeline.scheduleDeadLetters!);

  test("the schedule's target has a dead-letter queue and an explicit retry policy (Scheduler: 24 h, 185 attempts at most)", () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      }),
    });
  });

  test("the queue is encrypted and keeps messages 14 days; the schedule's execution role (which delivers dead letters) may send to it", () => {
    const [, queue] = resourcesOf(template, 'AWS::SQS::Queue').find(([qid]) => qid === dlq)!;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    const [, schedule] = resourcesOf(template, 'AWS::Scheduler::Schedule')[0];
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    expect(statementsOf(template, roleId)).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlq, 'Arn'] } }),
    );
  });

  test("a message in the queue alarms to the pipeline's topic", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
    });
  });
});

test.each([
  ['schedule', PipelineTrigger.schedule('cron(0 2 * * ? *)')],
  ['on arrival', PipelineTrigger.onArrival('raw')],
])(
  '%s: every queue the pipeline creates declares itself a dead-letter queue for any source (RedriveAllowPolicy allowAll; Control Tower CT.SQS.PR.1)',
  (_, trigger) => {
    const queues = resourcesOf(buildNew({ trigger }).template, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const [qid, q] of queues)
      expect([qid, q.Properties.RedriveAllowPolicy]).toEqual([qid, { redrivePermission: 'allowAll' }]);
  },
);

test('no trigger: started by hand only; no alarms without a topic; no table means no Glue access', () => {
  const { template, pipeline, id } = build({ trigger: undefined, table: undefined }, { topic: false });
  template.resourceCountIs('AWS::Scheduler::Schedule', 0);
  template.resourceCountIs('AWS::Events::Rule', 0);
  template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  template.resourceCountIs('AWS::Glue::Table', 0);
  expect(JSON.stringify(statementsOf(template, id(pipeline.jobRole)))).not.toContain('glue:');
  const args = definitionOf(template).States.RunJob.Parameters.JobDriver.SparkSubmit;
  expect(args.EntryPointArguments[3]).toMatch(/\/reviews-clean\/$/);
  expect(args.SparkSubmitParameters).not.toContain('AWSGlueDataCatalogHiveClientFactory');
});

test('capacity, timeout, release, subnets and extra arguments are props', () => {
  const { template, stack, vpc } = build({
    maxCapacity: { maxVcpu: 32, maxMemory: Size.gibibytes(128) },
    runTimeout: Duration.minutes(45),
    releaseLabel: 'emr-7.11.0',
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    jobArguments: ['--input-prefix', 'reviews/'],
  });
  template.hasResourceProperties('AWS::EMRServerless::Application', {
    MaximumCapacity: { Cpu: '32 vCPU', Memory: '128 GB' },
    ReleaseLabel: 'emr-7.11.0',
    NetworkConfiguration: Match.objectLike({ SubnetIds: vpc.publicSubnets.map((s) => s.subnetId) }),
  });
  const run = definitionOf(template).States.RunJob;
  expect(definitionOf(template).TimeoutSeconds).toBe((60 + 45 + 15) * 60);
  expect(run.Parameters.ExecutionTimeoutMinutes).toBe(60 + 45 + 15 + 15);
  expect(run.Parameters.JobDriver.SparkSubmit.EntryPointArguments.slice(-2)).toEqual(['--input-prefix', 'reviews/']);
  expect(run.Parameters.JobDriver.SparkSubmit.SparkSubmitParameters).toContain('maxExecutors=7');
  Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('maxCapacity.maxVcpu \\(32\\) is above 16'));
});

test('a script already in S3: its object only', () => {
  const { template, pipeline, id } = build({ script: PipelineScript.fromS3Uri('s3://acme-jobs/etl/reviews_clean.py') });
  expect(definitionOf(template).States.RunJob.Parameters.JobDriver.SparkSubmit.EntryPoint).toBe(
    's3://acme-jobs/etl/reviews_clean.py',
  );
  expect(statementsOf(template, id(pipeline.jobRole))).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-jobs/etl/reviews_clean.py']] },
      }),
    ]),
  );
});

test('works against a data lake in another stack (DataLakeImport): names come from its exports and prefix', () => {
  const app = testApp();
  const stack = new Stack(app, 'Jobs');
  const dataLake = new DataLakeImport(stack, 'acme', ['raw', 'curated']);
  new DataPipeline(stack, 'Pipeline', {
    pipelineName: 'reviews-clean',
    dataLake,
    sources: ['raw'],
    target: 'curated',
    vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }),
    script: PipelineScript.fromAsset(SCRIPT),
    table: { tableName: 'reviews', format: TableFormat.JSON },
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Glue::Table', {
    DatabaseName: 'acme_curated',
    TableInput: Match.objectLike({
      StorageDescriptor: Match.objectLike({
        SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
      }),
    }),
  });
  expect(JSON.stringify(definitionOf(template))).toContain('Fn::ImportValue:acme-data-lake-raw-bucket-name');
});

/** A problem as one line, the way constructs throw them: `field (value) message`. */
const render = (p: { field: string; value?: unknown; message: string }) =>
  `${p.field} (${typeof p.value === 'string' ? `'${p.value}'` : JSON.stringify(p.value)}) ${p.message}`;

describe('check: every problem names the field, the value and what is valid', () => {
  const app = testApp();
  const stack = new Stack(app, 'Check');
  const base: DataPipelineProps = {
    pipelineName: 'reviews-clean',
    dataLake: new DataLakeImport(stack, 'acme', ['raw', 'curated', 'features']),
    sources: ['raw'],
    target: 'curated',
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'] }),
    script: PipelineScript.fromAsset(SCRIPT),
  };

  test('valid props have no problems', () => {
    expect(DataPipeline.check(base)).toEqual([]);
  });

  test.each<[string, Partial<DataPipelineProps>, string[]]>([
    [
      'name pattern',
      { pipelineName: 'Reviews_Clean' },
      ['pipelineName', "'Reviews_Clean'", 'lowercase letters, digits and hyphens'],
    ],
    ['name ending in a hyphen', { pipelineName: 'reviews-' }, ['pipelineName', "'reviews-'", 'not end with a hyphen']],
    [
      'EMR application name <= 64',
      { pipelineName: `p${'a'.repeat(64)}` },
      ['pipelineName', 'EMR Serverless application name of 65 characters', 'at most 64'],
    ],
    ['no sources', { sources: [] }, ['sources', '[]', 'at least one zone', 'raw, curated, features']],
    [
      'unknown source zone',
      { sources: ['gold'] },
      ['sources[0]', "'gold'", 'zone of the data lake: raw, curated, features'],
    ],
    ['source listed twice', { sources: ['raw', 'raw'] }, ['sources[1]', "'raw'", 'twice']],
    [
      'target among the sources',
      { sources: ['raw', 'curated'] },
      ['sources', 'curated', 'must not contain the target zone'],
    ],
    [
      'unknown target zone',
      { target: 'models' },
      ['target', "'models'", 'zone of the data lake: raw, curated, features'],
    ],
    [
      'script not Python',
      { script: PipelineScript.fromS3Uri('s3://b/job.jar') },
      ['script', "'s3://b/job.jar'", 'Python file (.py)'],
    ],
    [
      'script not an S3 object URI',
      { script: PipelineScript.fromS3Uri('https://b/job.py') },
      ['script', "'https://b/job.py'", 's3://bucket/key.py'],
    ],
    [
      'script file missing',
      { script: PipelineScript.fromAsset('/nowhere/job.py') },
      ['script', "'/nowhere/job.py'", 'existing file'],
    ],
    [
      'cron with 5 fields',
      { trigger: PipelineTrigger.schedule('cron(0 2 * * *)') },
      ['trigger.expression', "'cron(0 2 * * *)'", '6 cron fields', 'found 5'],
    ],
    [
      'cron field out of range',
      { trigger: PipelineTrigger.schedule('cron(0 25 * * ? *)') },
      ['trigger.expression', 'hours', '0-23'],
    ],
    [
      'cron with both day fields',
      { trigger: PipelineTrigger.schedule('cron(0 2 * * MON *)') },
      ['trigger.expression', '? in exactly one of day-of-month and day-of-week'],
    ],
    [
      'rate unit',
      { trigger: PipelineTrigger.schedule('rate(5 weeks)') },
      ['trigger.expression', "'rate(5 weeks)'", 'minute|minutes|hour|hours|day|days'],
    ],
    [
      'at format',
      { trigger: PipelineTrigger.schedule('at(2026-13-01T00:00:00)') },
      ['trigger.expression', 'at(yyyy-mm-ddThh:mm:ss)'],
    ],
    [
      'arrival zone not a source',
      { trigger: PipelineTrigger.onArrival('features') },
      ['trigger.zone', "'features'", 'one of the sources (raw)'],
    ],
    [
      'too few vCPUs',
      { maxCapacity: { maxVcpu: 4, maxMemory: Size.gibibytes(32) } },
      ['maxCapacity.maxVcpu', '(4)', '>= 8'],
    ],
    [
      'fractional vCPUs',
      { maxCapacity: { maxVcpu: 8.5, maxMemory: Size.gibibytes(32) } },
      ['maxCapacity.maxVcpu', '(8.5)', 'whole number'],
    ],
    [
      'too little memory',
      { maxCapacity: { maxVcpu: 8, maxMemory: Size.gibibytes(12) } },
      ['maxCapacity.maxMemory', "'12 GiB'", '>= 32', '2-8 GiB per vCPU (8 vCPU: 16-64 GiB)'],
    ],
    [
      'too much memory per vCPU',
      { maxCapacity: { maxVcpu: 8, maxMemory: Size.gibibytes(100) } },
      ['maxCapacity.maxMemory', "'100 GiB'", '2-8 GiB per vCPU (8 vCPU: 16-64 GiB)'],
    ],
    [
      'fractional memory',
      { maxCapacity: { maxVcpu: 8, maxMemory: Size.mebibytes(40 * 1024 + 512) } },
      ['maxCapacity.maxMemory', "'40.5 GiB'", 'whole number of GiB'],
    ],
    [
      'zero timeout',
      { runTimeout: Duration.minutes(0) },
      ['runTimeout', 'must be a whole number of minutes from 1 minute to 90 days'],
    ],
    [
      'timeout in seconds',
      { runTimeout: Duration.seconds(90) },
      ['runTimeout', "'1 minute 30 seconds'", 'whole number of minutes'],
    ],
    ['release label', { releaseLabel: '7.12.0' }, ['releaseLabel', "'7.12.0'", 'such as emr-7.12.0']],
    [
      'release before the job queue',
      { releaseLabel: 'emr-6.15.0' },
      ['releaseLabel', "'emr-6.15.0'", 'emr-7.0.0 or later', 'one job at a time'],
    ],
    [
      'table name',
      { table: { tableName: 'Reviews-2026', format: TableFormat.PARQUET } },
      ['table.tableName', "'Reviews-2026'", 'lowercase letters, digits and underscores'],
    ],
    [
      'partition key name',
      { table: { tableName: 'reviews', format: TableFormat.PARQUET, partitionKeys: ['Day'] } },
      ['table.partitionKeys[0]', "'Day'"],
    ],
    [
      'column twice',
      {
        table: {
          tableName: 'reviews',
          format: TableFormat.PARQUET,
          partitionKeys: ['dt'],
          columns: [{ name: 'dt', type: 'string' }],
        },
      },
      ['table', "'dt'", 'twice'],
    ],
  ])('%s', (_rule, change, expected) => {
    const problems = DataPipeline.check({ ...base, ...change });
    expect(problems.length).toBeGreaterThan(0);
    for (const e of expected) expect(problems.map(render).join('\n')).toContain(e);
  });

  test.each([
    'cron(0 2 * * ? *)',
    'cron(0/15 8-17 ? * MON-FRI *)',
    'cron(0 0 L * ? *)',
    'cron(0 9 ? * 2#1 *)',
    'rate(1 hour)',
    'rate(30 minutes)',
    'rate(2 days)',
    'at(2026-12-01T02:00:00)',
  ])('accepts the schedule %s', (expression) => {
    expect(DataPipeline.check({ ...base, trigger: PipelineTrigger.schedule(expression) })).toEqual([]);
  });

  test('values that are tokens are skipped', () => {
    const token = Lazy.string({ produce: () => 'Not_A_Name' });
    expect(
      DataPipeline.check({
        ...base,
        pipelineName: token,
        sources: [Lazy.string({ produce: () => 'x' })],
        trigger: PipelineTrigger.schedule(token),
      }),
    ).toEqual([]);
  });

  test('fields are relative to the props, so the definition can prefix its own path', () => {
    const problems = DataPipeline.check({
      ...base,
      pipelineName: 'Bad_Name',
      sources: ['raw', 'gold'],
      table: { tableName: 'T', format: TableFormat.CSV },
    });
    expect(problems.map((p) => p.field)).toEqual(['pipelineName', 'sources[1]', 'table.tableName']);
  });

  test('the constructor throws one error listing every problem', () => {
    expect(
      () =>
        new DataPipeline(stack, 'Bad', {
          ...base,
          pipelineName: 'Bad_Name',
          sources: [],
          runTimeout: Duration.minutes(0),
        }),
    ).toThrow(/has 3 problems:\n {2}- pipelineName \('Bad_Name'\).*\n {2}- sources \(\[\]\).*\n {2}- runTimeout/);
  });
});

describe('cost', () => {
  test.each([
    ['rate(1 hour)', 730],
    ['rate(15 minutes)', 2920],
    ['rate(2 days)', 730 / 24 / 2],
    ['cron(0 2 * * ? *)', 730 / 24],
    ['cron(0 2 ? * MON-FRI *)', (5 * 730) / 24 / 7],
    ['cron(0 6 1 * ? *)', 1],
    ['cron(0/30 * * * ? *)', 2 * 730],
    ['cron(0 3 1 1,7 ? *)', 2 / 12],
    ['at(2026-12-01T02:00:00)', 1],
  ])('%s runs %f times a month', (expression, runs) => {
    expect(DataPipeline.runsPerMonth(PipelineTrigger.schedule(expression))).toBeCloseTo(runs, 6);
  });

  test('arrival-driven pipelines have no fixed run count', () => {
    expect(DataPipeline.runsPerMonth(PipelineTrigger.onArrival('raw'))).toBeUndefined();
  });

  test('max monthly cost: every run holding the whole capacity for the whole timeout, at catalog prices', () => {
    // 30 runs x 2 h x (16 x 0.052624 + 64 x 0.0057785) = 60 h x 1.211808 USD
    expect(
      DataPipeline.maxMonthlyCost({ maxVcpu: 16, maxMemory: Size.gibibytes(64) }, Duration.hours(2), 30),
    ).toBeCloseTo(72.70848, 5);
    expect(DataPipeline.maxMonthlyCost({ maxVcpu: 16, maxMemory: Size.gibibytes(64) }, Duration.hours(2), 0)).toBe(0);
  });
});

test('a Lake Formation lake: the job role gets Lake Formation grants on its database and table, and still passes cdk-nag', () => {
  const app = testApp();
  const stack = new Stack(app, 'Lf');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, flowLogs: { All: {} } });
  const dataLake = new DataLake(stack, 'DataLake', { namePrefix: 'acme', lakeFormation: true });
  const pipeline = new DataPipeline(stack, 'Pipeline', {
    pipelineName: 'reviews-clean',
    dataLake,
    vpc,
    sources: ['raw'],
    target: 'curated',
    script: PipelineScript.fromAsset(SCRIPT),
    table: { tableName: 'reviews', format: TableFormat.PARQUET },
  });
  const template = Template.fromStack(stack);
  const role = { 'Fn::GetAtt': [stack.getLogicalId(pipeline.jobRole.node.defaultChild as any), 'Arn'] };
  template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
    Principal: { DataLakePrincipalIdentifier: role },
    Permissions: ['DESCRIBE'],
    Resource: { Database: Match.objectLike({}) },
  });
  template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
    Principal: { DataLakePrincipalIdentifier: role },
    Permissions: ['SELECT', 'INSERT', 'ALTER', 'DESCRIBE'],
    Resource: { Table: Match.objectLike({ Name: 'reviews' }) },
  });
  app.synth();
  const report = new AwsSolutionsChecks().validateScope(stack);
  expect(
    report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath}`)),
  ).toEqual([]);
});

test('an IAM-governed lake gets no Lake Formation grants', () => {
  build().template.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 0);
});

describe('the script asset in a bucket with a customer managed key', () => {
  test('the job role may decrypt it through S3 when the synthesizer names the key, and on nothing else', () => {
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    class KeyedSynthesizer extends DefaultStackSynthesizer {
      public addFileAsset(asset: FileAssetSource): FileAssetLocation {
        return { ...super.addFileAsset(asset), kmsKeyArn: keyArn };
      }
    }
    const { template, pipeline, id } = buildNew({}, { synthesizer: new KeyedSynthesizer() });
    const kms = statementsOf(template, id(pipeline.jobRole)).filter((s) => JSON.stringify(s.Resource).includes(keyArn));
    expect(kms).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: keyArn,
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
          },
        },
      }),
    ]);
  });
});

// More of this domain's cases, run in this file's worker so the domain's modules load once (test time).
import './application-stopper.cases';
import './lake-formation.cases';
import './single-run.cases';
import './job-script.cases';
import './check-limits.cases';
import './cluster-schedule.cases';
import './ray-pipeline.cases';
