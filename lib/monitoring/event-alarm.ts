import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** Props of {@link eventAlarm}. */
export interface EventAlarmProps {
  /** A count of events over its period, e.g. failed executions or messages waiting in a dead-letter queue. */
  readonly metric: cloudwatch.IMetric;
  /** What the alarm means, in the words of whoever reads the notification. */
  readonly description: string;
  /** Where the alarm notifies. */
  readonly topic: sns.ITopic;
  /** Events in one period that alarm (at least this many). @default 1 */
  readonly threshold?: number;
}

/**
 * An alarm on events that should not happen at all: it fires on the first period with `threshold` of them, and
 * a period without data (nothing ran) is not a breach. The monitoring domain's one statement of that alarm;
 * constructs that count such events (a data pipeline's failures, a dead-letter queue) create theirs with it.
 */
export function eventAlarm(scope: Construct, id: string, props: EventAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: props.metric,
    alarmDescription: props.description,
    threshold: props.threshold ?? 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(props.topic));
  return alarm;
}
