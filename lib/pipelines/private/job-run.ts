import { deepFreeze } from '../../catalog/deep-freeze';
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledgeGrantWildcards } from '../../core/acknowledge';
import { SPARK_WORKER } from '../defaults';

/** What the job run task needs. */
export interface JobRunSpec {
  readonly applicationId: string;
  readonly applicationArn: string;
  readonly jobRole: iam.IRole;
  readonly entryPoint: string;
  readonly entryPointArguments: string[];
  readonly sparkSubmitParameters: string;
  readonly logGroupName: string;
  readonly logStreamNamePrefix: string;
  /** The execution's timeout (executionTimeout). */
  readonly executionTimeout: Duration;
}

/**
 * Errors worth another attempt: the service's transient ones (optimized integrations name errors
 * `<Service>.<Exception>`). A failed or cancelled job is not retried: it fails the execution.
 */
export const JOB_RUN_RETRY = deepFreeze({
  errors: ['EMRServerless.InternalServerException', 'EMRServerless.ThrottlingException'],
  maxAttempts: 2,
  interval: Duration.seconds(30),
  backoffRate: 2,
});

/** Time an execution allows, beyond the run timeout, for the application to start, the run to be scheduled and start retries. */
export const START_MARGIN = Duration.minutes(15);

/**
 * How long an execution may last: the wait for the one run ahead in the application's queue (`queue`, see
 * single-run.ts), the run timeout and the start margin. Step Functions ends an execution that runs longer as
 * TIMED_OUT ("TimeoutSeconds: the maximum number of seconds an execution of the state machine can run", Amazon
 * States Language), which is what the `ExecutionsTimedOut` metric and the timed-out alarm count; a Fail state (the
 * catch) only ever counts as `ExecutionsFailed`.
 */
export function executionTimeout(runTimeout: Duration, queue: Duration): Duration {
  return Duration.minutes(queue.toMinutes() + runTimeout.toMinutes() + START_MARGIN.toMinutes());
}

/** The optimized integration that starts a job run and waits for it (Step Functions "Run a Job (.sync)"). */
export const START_JOB_RUN_SYNC = 'emr-serverless:startJobRun.sync';

/**
 * A Task state that starts the job and waits until it ends (CDK has no task for it, so the documented ASL).
 * The run is named after the execution, and its client token is derived from the execution, so a retry after a
 * transient error finds the same run instead of starting a second one.
 */
export function jobRunState(scope: Construct, id: string, spec: JobRunSpec): sfn.CustomState {
  return new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::${START_JOB_RUN_SYNC}`,
      // No TimeoutSeconds of its own: the execution's timeout (executionTimeout) bounds the run, so a run that
      // outlasts it ends the execution TIMED_OUT, not in the catch (a task timeout is a catchable States.Timeout).
      Parameters: {
        ApplicationId: spec.applicationId,
        ExecutionRoleArn: spec.jobRole.roleArn,
        'Name.$': '$$.Execution.Name',
        'ClientToken.$': "States.Hash($$.Execution.Id, 'SHA-256')",
        // A backstop only: EMR Serverless cancels a run past this ("automatically cancelled", StartJobRun), after
        // the execution has timed out; without it a run would outlive its timed-out execution up to 12 hours.
        ExecutionTimeoutMinutes: spec.executionTimeout.toMinutes() + START_MARGIN.toMinutes(),
        JobDriver: {
          SparkSubmit: {
            EntryPoint: spec.entryPoint,
            EntryPointArguments: spec.entryPointArguments,
            SparkSubmitParameters: spec.sparkSubmitParameters,
          },
        },
        ConfigurationOverrides: {
          MonitoringConfiguration: {
            CloudWatchLoggingConfiguration: {
              Enabled: true,
              LogGroupName: spec.logGroupName,
              LogStreamNamePrefix: spec.logStreamNamePrefix,
              LogTypes: { SPARK_DRIVER: ['STDOUT', 'STDERR'], SPARK_EXECUTOR: ['STDOUT', 'STDERR'] },
            },
          },
        },
      },
      ResultPath: '$.jobRun',
    },
  });
}

/**
 * What the state machine's role needs for `startJobRun.sync` (Step Functions "IAM policies for Amazon EMR
 * Serverless", static resources): start runs on this application, watch and cancel its runs, pass this job role
 * only, and the EventBridge rule Step Functions manages to learn that a run ended.
 */
export function grantJobRun(role: iam.IRole, spec: JobRunSpec): void {
  const stack = Stack.of(role);
  const jobRuns = `${spec.applicationArn}/jobruns/*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['emr-serverless:StartJobRun'], resources: [spec.applicationArn] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['emr-serverless:GetJobRun', 'emr-serverless:CancelJobRun'],
      resources: [jobRuns],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [spec.jobRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [
        stack.formatArn({
          service: 'events',
          resource: 'rule',
          resourceName: 'StepFunctionsGetEventsForEMRServerlessJobRule',
        }),
      ],
    }),
  );
  acknowledgeGrantWildcards(
    role,
    { resources: [jobRuns], actions: [] },
    'Job run IDs exist only at run time; the role may watch and cancel runs of this one application only',
  );
  acknowledgeGrantWildcards(
    role,
    { resources: ['*'], actions: [] },
    'Log delivery and X-Ray actions that Step Functions logging and tracing need take no resource ARN (aws-cdk-lib adds them)',
  );
}

/** Spark sizing within the application's maximum capacity, and the Glue catalog as metastore when there is a table. */
export function sparkSubmitParameters(maxVcpu: number, maxMemoryGiB: number, glueCatalog: boolean): string {
  const workers = Math.min(Math.floor(maxVcpu / SPARK_WORKER.vcpu), Math.floor(maxMemoryGiB / SPARK_WORKER.memoryGiB));
  const conf = [
    `spark.driver.cores=${SPARK_WORKER.vcpu}`,
    `spark.driver.memory=${SPARK_WORKER.sparkMemory}`,
    `spark.executor.cores=${SPARK_WORKER.vcpu}`,
    `spark.executor.memory=${SPARK_WORKER.sparkMemory}`,
    `spark.dynamicAllocation.maxExecutors=${Math.max(1, workers - 1)}`,
    ...(glueCatalog
      ? [
          'spark.hadoop.hive.metastore.client.factory.class=com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory',
        ]
      : []),
  ];
  return conf.map((c) => `--conf ${c}`).join(' ');
}
