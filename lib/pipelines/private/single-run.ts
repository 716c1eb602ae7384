import { deepFreeze } from '../../catalog/deep-freeze';
import { Aws, Duration } from 'aws-cdk-lib';
import type * as emrserverless from 'aws-cdk-lib/aws-emrserverless';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * One job run at a time per pipeline, and no arrival lost: how the runs of a pipeline are serialized.
 *
 * - The service runs at most one job at a time on the pipeline's application and queues the others
 *   (`SchedulerConfiguration.MaxConcurrentRuns: 1`, "Job concurrency and queuing", EMR Serverless user guide;
 *   emr-7.0.0 and later), so two executions never run Spark on the same partitions at once, whatever started them.
 * - Each execution first asks the application for a run that has not started yet (ListJobRuns, states SUBMITTED,
 *   PENDING, SCHEDULED or QUEUED: the states before RUNNING, "Job run states"). If there is one, that run will read
 *   everything present now, this arrival included, so the execution ends `Skipped` without a run of its own. Otherwise
 *   it starts a run, which queues behind the one RUNNING, if any, and reads what arrived while that one ran.
 *
 * So a burst of arrivals during a run makes one more run, not one per object. Two executions that look at the same
 * moment may both start a run: the service still runs them one after the other (duplicate work, never a race).
 * If the look-up itself fails, the execution starts its run anyway (the service's queue still serializes it).
 */
export const PENDING_STATES = deepFreeze(['SUBMITTED', 'PENDING', 'SCHEDULED', 'QUEUED'] as const);

/** The most a run may wait in the queue (SchedulerConfiguration.QueueTimeoutMinutes: 15 to 720). */
export const QUEUE_TIMEOUT_RANGE = deepFreeze({ min: 15, max: 720 } as const);

/**
 * How long a queued run may wait: for the one run ahead of it (at most one RUNNING, and a run is only started when
 * none is waiting), that is its run timeout and start margin, within the service's range.
 */
export function queueTimeout(runTimeout: Duration, startMargin: Duration): Duration {
  const minutes = runTimeout.toMinutes() + startMargin.toMinutes();
  return Duration.minutes(Math.min(QUEUE_TIMEOUT_RANGE.max, Math.max(QUEUE_TIMEOUT_RANGE.min, minutes)));
}

/** The application's scheduler: one run at a time, the others queued for at most `queue`. */
export function singleRunScheduler(queue: Duration): emrserverless.CfnApplication.SchedulerConfigurationProperty {
  return { maxConcurrentRuns: 1, queueTimeoutMinutes: queue.toMinutes() };
}

/**
 * The first state: look for a run that has not started (AWS SDK integration `emrserverless:listJobRuns`, Step
 * Functions "AWS SDK service integrations"); end `Skipped` when there is one, go on to `run` otherwise.
 */
export function skipWhenARunIsPending(scope: Construct, applicationId: string, run: sfn.IChainable): sfn.IChainable {
  const look = new sfn.CustomState(scope, 'FindPendingRun', {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:emrserverless:listJobRuns`,
      Parameters: { ApplicationId: applicationId, States: [...PENDING_STATES], MaxResults: 1 },
      ResultSelector: { 'JobRuns.$': '$.JobRuns' },
      ResultPath: '$.pending',
    },
  });
  look.addRetry({ errors: ['States.ALL'], maxAttempts: 2, interval: Duration.seconds(5), backoffRate: 2 });
  look.addCatch(run, { errors: ['States.ALL'], resultPath: '$.pendingLookupError' });
  const skipped = new sfn.Succeed(scope, 'Skipped', {
    comment: 'A run that has not started yet will read this arrival',
  });
  return look.next(
    new sfn.Choice(scope, 'RunPending').when(sfn.Condition.isPresent('$.pending.JobRuns[0]'), skipped).otherwise(run),
  );
}

/** ListJobRuns on this application (Service Authorization Reference, EMR Serverless: resource type applications). */
export function grantFindPendingRun(role: iam.IRole, applicationArn: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['emr-serverless:ListJobRuns'], resources: [applicationArn] }),
  );
}
