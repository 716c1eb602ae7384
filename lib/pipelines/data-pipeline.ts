import {
  Annotations,
  ArnFormat,
  Aws,
  Duration,
  RemovalPolicy,
  Size,
  SizeRoundingBehavior,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { eventAlarm } from '../monitoring/event-alarm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emrserverless from 'aws-cdk-lib/aws-emrserverless';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EMR_SERVERLESS_PRICES } from '../catalog/prices';
import { EMR_SERVERLESS_RELEASE } from '../catalog/versions';
import { acknowledgeGrantWildcards } from '../core/acknowledge';
import type { Problem } from '../core/problem';
import { throwIfProblems } from '../core/problems';
import type { IDataLakeRef } from '../data-lake/data-lake-ref';
import { capacityOf, DEFAULT_VCPU_QUOTA, PIPELINE_DEFAULTS } from './defaults';
import type { PipelineScript } from './pipeline-script';
import type { PipelineTable } from './pipeline-table';
import { PipelineTriggerKind, type PipelineTrigger } from './pipeline-trigger';
import {
  executionTimeout,
  grantJobRun,
  JOB_RUN_RETRY,
  jobRunState,
  sparkSubmitParameters,
  START_MARGIN,
  type JobRunSpec,
} from './private/job-run';
import { ApplicationStopper } from './private/application-stopper';
import { deadLetterQueue, deadLettersWaiting, START_RETRY } from './private/dead-letters';
import { grantFindPendingRun, queueTimeout, singleRunScheduler, skipWhenARunIsPending } from './private/single-run';
import { jobLogGroupName, stateMachineLogGroupName } from './private/names';
import { pipelinePropsProblems } from './private/pipeline-checks';
import { runsPerMonthOf } from './private/schedule-expression';
import { catalogTable } from './private/catalog-table';
import { limitGrantsToAwsServices } from '../core/key-policy';

/** The most a pipeline's EMR Serverless application may hold at once, across all its workers. */
export interface PipelineCapacity {
  /** Whole vCPUs, at least 8 (the Spark driver and one executor of 4 vCPU). */
  readonly maxVcpu: number;
  /** Whole GiB, 2-8 per vCPU, at least 32. */
  readonly maxMemory: Size;
}

/** Props of {@link DataPipeline}. Check them without building anything with `DataPipeline.check`. */
export interface DataPipelineProps {
  /** Names the application, state machine and log groups: [a-z][a-z0-9-], at most 64; unique per account and region. */
  readonly pipelineName: string;
  readonly dataLake: IDataLakeRef;
  /** Zones the job reads (`--sources`); at least one, not the target. */
  readonly sources: string[];
  /** The zone the job writes (`--target`). */
  readonly target: string;
  readonly script: PipelineScript;
  /** @default - none: the pipeline runs when its state machine is started by hand */
  readonly trigger?: PipelineTrigger;
  /** @default 16 vCPU / 64 GiB (PIPELINE_DEFAULTS: the default account quota, a driver and three executors) */
  readonly maxCapacity?: PipelineCapacity;
  /**
   * How long a run may take. Its execution times out (the timed-out alarm) this long, plus 15 minutes for the
   * application to start and the run to be scheduled, plus the time it may wait in the application's queue for the
   * one run ahead of it (this long again plus 15 minutes, at most 12 hours), after it started; the run is then stopped.
   * A run that fails, or is cancelled, fails the execution (the failed alarm).
   * @default Duration.hours(2)
   */
  readonly runTimeout?: Duration;
  /** @default - no table: the job writes files under `s3://<target bucket>/<pipelineName>/` */
  readonly table?: PipelineTable;
  /** The VPC the workers run in; the subnets need a route to S3, Glue, CloudWatch Logs and STS (NAT or endpoints). */
  readonly vpc: ec2.IVpc;
  /** @default - private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default EMR_SERVERLESS_RELEASE (the version catalog) */
  readonly releaseLabel?: string;
  /** Extra arguments appended to the job's (e.g. `['--input-prefix', 'reviews/']`). @default - none */
  readonly jobArguments?: string[];
  /** Failed and timed-out executions, and arrival events that could not start one, alarm to this topic. @default - no alarms */
  readonly alarmTopic?: sns.ITopic;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Encrypts both log groups. A key of your own must let `logs.<region>.amazonaws.com` use it for these log groups.
   * @default - a new key with rotation, its policy scoped to the two log groups
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Of the log groups and the key this creates. Their names are fixed, so RETAIN stops a removed pipeline
   * from being created again until the old groups are deleted by hand.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Spark job on EMR Serverless that reads some zones of a data lake and writes one, run by a Step Functions state
 * machine on a schedule, when data arrives, or by hand. Its job role reads only the sources, writes only the target
 * and touches only its own table; the application runs in your subnets with HTTPS egress only.
 *
 * Start it by hand with any JSON object as input (`{}`): the job's arguments are fixed at synth, and the input is
 * only kept in the execution history, with the run's result under `jobRun` (or the error under `error`). The job
 * gets `--sources s3://<bucket>/[,...] --target s3://<bucket>/<table or pipeline>/` and, with a table,
 * `--database <db> --table <name>`, followed by `jobArguments`.
 *
 * One job run at a time: the application runs one and queues the others, and an execution that finds a run still
 * waiting to start ends `Skipped` (that run will read what it was started for). An arrival during a run is read by
 * the next run, never lost, and a burst of arrivals makes one more run, not one per object.
 */
export class DataPipeline extends Construct {
  /**
   * Problems of the props (names and their service limits, zones, script, schedule, capacity, timeout, release,
   * table), with field names relative to the props; empty when they are valid. Values that are tokens are skipped.
   */
  public static check(props: DataPipelineProps): Problem[] {
    return pipelinePropsProblems(props);
  }

  /** Average runs a month of a trigger; undefined when it depends on data arriving. A one-time `at(...)` runs once. */
  public static runsPerMonth(trigger: PipelineTrigger): number | undefined {
    return trigger.kind === PipelineTriggerKind.SCHEDULE ? runsPerMonthOf(trigger.expression!) : undefined;
  }

  /** The most a month can cost (USD, us-east-1): every run holding the whole capacity for the whole timeout. */
  public static maxMonthlyCost(capacity: PipelineCapacity, runTimeout: Duration, runsPerMonth: number): number {
    const hourly =
      capacity.maxVcpu * EMR_SERVERLESS_PRICES.vcpuHourly +
      capacity.maxMemory.toGibibytes({ rounding: SizeRoundingBehavior.NONE }) * EMR_SERVERLESS_PRICES.memoryGbHourly;
    return runsPerMonth * (runTimeout.toSeconds() / 3600) * hourly;
  }

  /** Warning ID when `maxCapacity.maxVcpu` is above the default EMR Serverless vCPU quota. */
  public static readonly CAPACITY_OVER_QUOTA_WARNING: string = 'ai-platform:pipeline-capacity-over-default-quota';

  /** The EMR Serverless Spark application the runs use. */
  public readonly application: emrserverless.CfnApplication;
  /** The job runtime role: add to it what else the script needs. */
  public readonly jobRole: iam.Role;
  /** The workers' security group (HTTPS out): allow it into your data stores' groups. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Start it to run the pipeline. */
  public readonly stateMachine: sfn.StateMachine;
  public readonly jobLogGroup: logs.LogGroup;
  public readonly stateMachineLogGroup: logs.LogGroup;
  /** Encrypts both log groups. */
  public readonly encryptionKey: kms.IKey;
  /** Where the job writes: `s3://<target bucket>/<table or pipeline name>/`. */
  public readonly targetUri: string;
  /** The Glue table, when `table` is given. */
  public readonly table?: glue.CfnTable;
  /** The EventBridge Scheduler schedule, for a schedule trigger. */
  public readonly schedule?: scheduler.Schedule;
  /** The EventBridge rule, for an arrival trigger. */
  public readonly arrivalRule?: events.Rule;
  /** When `alarmTopic` is given. */
  public readonly failedAlarm?: cloudwatch.Alarm;
  /** When `alarmTopic` is given. */
  public readonly timedOutAlarm?: cloudwatch.Alarm;
  /** Arrival events that could not start an execution, for an arrival trigger (kept 14 days). */
  public readonly arrivalDeadLetters?: sqs.Queue;
  /** When `alarmTopic` is given, for an arrival trigger: a message is waiting in `arrivalDeadLetters`. */
  public readonly arrivalDeadLettersAlarm?: cloudwatch.Alarm;
  /** Scheduled starts that could not start an execution, for a schedule trigger (kept 14 days). */
  public readonly scheduleDeadLetters?: sqs.Queue;
  /** When `alarmTopic` is given, for a schedule trigger: a message is waiting in `scheduleDeadLetters`. */
  public readonly scheduleDeadLettersAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DataPipelineProps) {
    super(scope, id);
    throwIfProblems(`DataPipeline '${this.node.path}'`, DataPipeline.check(props), this);
    const stack = Stack.of(this);
    const lake = props.dataLake;
    const { maxVcpu, maxMemoryGiB } = capacityOf(props.maxCapacity);
    const runTimeout = props.runTimeout ?? Duration.minutes(PIPELINE_DEFAULTS.runTimeoutMinutes);
    const queue = queueTimeout(runTimeout, START_MARGIN);
    // Operational logs, not lake data: their groups have fixed names (the key policy names them), so a
    // retained group would stop a removed pipeline from being added back ("already exists").
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const retention = props.logRetention ?? PIPELINE_DEFAULTS.logRetention;
    if (!Token.isUnresolved(maxVcpu) && maxVcpu > DEFAULT_VCPU_QUOTA) {
      Annotations.of(this).addWarningV2(
        DataPipeline.CAPACITY_OVER_QUOTA_WARNING,
        `maxCapacity.maxVcpu (${maxVcpu}) is above ${DEFAULT_VCPU_QUOTA}, the default EMR Serverless quota of concurrent vCPUs per account and region; raise the quota (L-D05C8A75) or runs will wait for capacity`,
      );
    }

    // Logs: one key for both groups; CloudWatch Logs may use it only for these two (by encryption context).
    const logGroupArn = (name: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const logNames = [jobLogGroupName(props.pipelineName), stateMachineLogGroupName(props.pipelineName)];
    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'LogKey', {
        description: `Logs of data pipeline ${props.pipelineName}`,
        enableKeyRotation: true,
        removalPolicy,
      });
    limitGrantsToAwsServices(this.encryptionKey);
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        // The regional Logs principal ends in the partition's domain (CDK leaves a regional name as written, principals.js).
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logNames.map(logGroupArn) } },
      }),
    );
    const logGroup = (lid: string, logGroupName: string) =>
      new logs.LogGroup(this, lid, { logGroupName, encryptionKey: this.encryptionKey, retention, removalPolicy });
    this.jobLogGroup = logGroup('JobLogs', logNames[0]);
    this.stateMachineLogGroup = logGroup('StateMachineLogs', logNames[1]);

    // The application: in the chosen subnets, HTTPS out only (S3, Glue, CloudWatch Logs, STS), nothing in.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `EMR Serverless workers of data pipeline ${props.pipelineName}`,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS service endpoints');
    const applicationProperties: emrserverless.CfnApplicationProps = {
      name: props.pipelineName,
      type: 'SPARK',
      releaseLabel: props.releaseLabel ?? EMR_SERVERLESS_RELEASE,
      architecture: 'X86_64',
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: PIPELINE_DEFAULTS.idleTimeoutMinutes },
      maximumCapacity: { cpu: `${maxVcpu} vCPU`, memory: `${maxMemoryGiB} GB` },
      // One job run at a time; the others wait in the service's queue (single-run.ts).
      schedulerConfiguration: singleRunScheduler(queue),
      networkConfiguration: {
        subnetIds: props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
          .subnetIds,
        securityGroupIds: [this.securityGroup.securityGroupId],
      },
    };
    this.application = new emrserverless.CfnApplication(this, 'Application', applicationProperties);
    // Stopped before CloudFormation updates or deletes it (the service refuses both while STARTED).
    new ApplicationStopper(this, 'ApplicationStopper', {
      application: this.application,
      applicationName: props.pipelineName,
      applicationProperties,
    });

    // The job role: trusted by EMR Serverless for this account and application only.
    this.jobRole = new iam.Role(this, 'JobRole', {
      description: `Job runtime role of data pipeline ${props.pipelineName}`,
      assumedBy: new iam.ServicePrincipal('emr-serverless.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.application.attrArn },
        },
      }),
    });
    for (const zone of props.sources) lake.grantRead(zone, this.jobRole);
    lake.grantReadWrite(props.target, this.jobRole);
    const script = props.script.bind(this, this.jobRole);
    this.jobLogGroup.grantWrite(this.jobRole);
    this.jobLogGroup.grant(this.jobRole, 'logs:DescribeLogStreams');
    const anyLogGroup = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`;
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: [anyLogGroup] }),
    );
    acknowledgeGrantWildcards(
      this.jobRole,
      { resources: [anyLogGroup], actions: [] },
      'DescribeLogGroups lists log groups and takes no single log group (EMR Serverless "Storing logs", CloudWatch permissions)',
    );

    const bucketUri = (zone: string) => `s3://${lake.zoneBucketName(zone)}/`;
    this.targetUri = `${bucketUri(props.target)}${props.table?.tableName ?? props.pipelineName}/`;
    const args = ['--sources', props.sources.map(bucketUri).join(','), '--target', this.targetUri];
    // An arrival-triggered run reads only where data arrived (the script's --input-prefix).
    if (props.trigger?.kind === PipelineTriggerKind.ON_ARRIVAL && props.trigger.prefix)
      args.push('--input-prefix', props.trigger.prefix);
    if (props.table) {
      const database = lake.zoneDatabaseName(props.target);
      this.table = catalogTable(this, props.table, database, this.targetUri, this.jobRole, lake.lakeFormation);
      args.push('--database', database, '--table', props.table.tableName);
    }

    // The state machine: start the run, wait for it, retry transient errors, fail the execution otherwise.
    const spec: JobRunSpec = {
      applicationId: this.application.attrApplicationId,
      applicationArn: this.application.attrArn,
      jobRole: this.jobRole,
      entryPoint: script.s3Uri,
      entryPointArguments: [...args, ...(props.jobArguments ?? [])],
      sparkSubmitParameters: sparkSubmitParameters(maxVcpu, maxMemoryGiB, props.table !== undefined),
      logGroupName: this.jobLogGroup.logGroupName,
      logStreamNamePrefix: props.pipelineName,
      executionTimeout: executionTimeout(runTimeout, queue),
    };
    const run = jobRunState(this, 'RunJob', spec)
      .addRetry(JOB_RUN_RETRY)
      .addCatch(new sfn.Fail(this, 'JobFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' }), {
        errors: ['States.ALL'],
        resultPath: '$.error',
      });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.pipelineName,
      // A run already waiting to start will read what this execution was started for: skip (single-run.ts).
      definitionBody: sfn.DefinitionBody.fromChainable(skipWhenARunIsPending(this, spec.applicationId, run)),
      // A run still going past its timeout ends the execution TIMED_OUT (the timed-out alarm), never in the catch.
      timeout: spec.executionTimeout,
      tracingEnabled: true,
      logs: { destination: this.stateMachineLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    grantJobRun(this.stateMachine.role, spec);
    grantFindPendingRun(this.stateMachine.role, spec.applicationArn);

    if (props.trigger?.kind === PipelineTriggerKind.SCHEDULE) {
      this.scheduleDeadLetters = deadLetterQueue(
        this,
        'ScheduleDeadLetters',
        "the schedule's target (EventBridge Scheduler DeadLetterConfig)",
      );
      this.schedule = new scheduler.Schedule(this, 'Schedule', {
        schedule: scheduler.ScheduleExpression.expression(props.trigger.expression!),
        description: `Starts data pipeline ${props.pipelineName}`,
        target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
          // The target's DeadLetterConfig and RetryPolicy ("Configuring a schedule's dead-letter queue", EventBridge
          // Scheduler user guide: the schedule's execution role sends the dead letter, so aws-scheduler-targets grants
          // that role sqs:SendMessage on the queue). Both update the schedule in place (AWS::Scheduler::Schedule
          // Target: "Update requires: No interruption"), so an existing schedule gains them on the next deploy.
          deadLetterQueue: this.scheduleDeadLetters,
          ...START_RETRY,
        }),
      });
    } else if (props.trigger?.kind === PipelineTriggerKind.ON_ARRIVAL) {
      const { zone, prefix } = props.trigger;
      this.arrivalDeadLetters = deadLetterQueue(
        this,
        'OnArrivalDeadLetters',
        "the arrival rule's target (EventBridge DeadLetterConfig)",
      );
      this.arrivalRule = new events.Rule(this, 'OnArrival', {
        description: `Starts data pipeline ${props.pipelineName} when data arrives in zone ${zone}`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [lake.zoneBucketName(zone!)] },
            ...(prefix ? { object: { key: [{ prefix }] } } : {}),
          },
        },
        targets: [
          new eventsTargets.SfnStateMachine(this.stateMachine, {
            // EventBridge user guide, "Event retry policy and using dead-letter queues". aws-events-targets adds the
            // queue policy the rule needs (events.amazonaws.com sqs:SendMessage, aws:SourceArn = the rule).
            deadLetterQueue: this.arrivalDeadLetters,
            ...START_RETRY,
          }),
        ],
      });
    }

    if (props.alarmTopic) {
      const alarm = (aid: string, metric: cloudwatch.Metric, what: string) =>
        eventAlarm(this, aid, {
          metric,
          description: `Data pipeline ${props.pipelineName}: ${what}`,
          topic: props.alarmTopic!,
        });
      this.failedAlarm = alarm('FailedAlarm', this.metricFailed(), 'an execution failed');
      this.timedOutAlarm = alarm('TimedOutAlarm', this.metricTimedOut(), 'an execution timed out');
      if (this.arrivalDeadLetters) {
        this.arrivalDeadLettersAlarm = alarm(
          'OnArrivalDeadLettersAlarm',
          deadLettersWaiting(this.arrivalDeadLetters),
          'an arrival event could not start an execution (see its dead-letter queue)',
        );
      }
      if (this.scheduleDeadLetters) {
        this.scheduleDeadLettersAlarm = alarm(
          'ScheduleDeadLettersAlarm',
          deadLettersWaiting(this.scheduleDeadLetters),
          'the schedule could not start an execution (see its dead-letter queue)',
        );
      }
    }
  }

  /** Executions that failed (sum over 5 minutes). */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Executions that timed out: runs that outlasted `runTimeout` and the start margin (sum over 5 minutes). */
  public metricTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /** Executions that succeeded (sum over 5 minutes). */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** How long executions take, in milliseconds (average over 5 minutes). */
  public metricTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTime(props);
  }
}
