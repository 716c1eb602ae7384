import { deepFreeze } from '../../catalog/deep-freeze';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * How long and how often a trigger retries a start before it gives up and writes the dead letter: 24 hours and
 * 185 attempts, the defaults (and maxima) of both EventBridge rule targets and EventBridge Scheduler targets
 * (RetryPolicy MaximumEventAgeInSeconds 60..86400, MaximumRetryAttempts 0..185), made explicit.
 */
export const START_RETRY = deepFreeze({ retryAttempts: 185, maxEventAge: Duration.hours(24) } as const);

/**
 * The dead-letter queue of a trigger's target: a start that still fails after {@link START_RETRY}, or at once for a
 * non-retriable error (permissions, a missing target), lands here instead of being dropped. SSE-SQS, so the
 * service writes to it without a key policy (a KMS-encrypted DLQ needs a customer managed key granting the
 * service kms:GenerateDataKey and kms:Decrypt); TLS only; kept 14 days, SQS's maximum. It declares itself a
 * dead-letter queue for any source (RedriveAllowPolicy redrivePermission allowAll: SQS's default, so nothing
 * changes; AWS Control Tower CT.SQS.PR.1 passes a queue that says so; SQS API SetQueueAttributes RedriveAllowPolicy).
 */
export function deadLetterQueue(scope: Construct, id: string, of: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `It is the dead-letter queue of ${of}, not of another queue`,
  });
  return queue;
}

/** Dead letters waiting in a queue (the most visible in 5 minutes): an alarm at >= 1 means a start was lost. */
export function deadLettersWaiting(queue: sqs.IQueue): cloudwatch.Metric {
  return queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) });
}
