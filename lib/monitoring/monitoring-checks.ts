import { Token } from 'aws-cdk-lib';
import { isBudgetAmount } from '../catalog/service-limits';
import { ProblemList, type Problem } from '../core/problems';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What {@link monitoringProblems} checks (AiMonitoring's props, or the definition's `monitoring`, in minutes). */
export interface MonitoringSpec {
  readonly alarmEmails?: string[];
  readonly monthlyBudgetUsd?: number;
  /** Percent thresholds by field name. */
  readonly percents?: Record<string, number>;
  /** Alarm durations in minutes by field name. */
  readonly minutes?: Record<string, number>;
  /** Counts an alarm fires at (at least this many) by field name. */
  readonly counts?: Record<string, number>;
}

/**
 * The rules of monitoring: email addresses SNS can subscribe, an amount AWS Budgets accepts, percentages,
 * and alarm durations CloudWatch can evaluate in 5-minute periods. Tokens are skipped.
 */
export function monitoringProblems(spec: MonitoringSpec): Problem[] {
  const out = new ProblemList();
  const emails = spec.alarmEmails ?? [];
  emails.forEach((e, i) => {
    if (Token.isUnresolved(e)) return;
    out.check(EMAIL.test(e), `alarmEmails[${i}]`, e, 'must be an email address');
    // aws-sns TopicBase.addSubscription names each subscription by its address: a repeat is an ID collision.
    out.check(
      emails.indexOf(e) === i,
      `alarmEmails[${i}]`,
      e,
      `is listed twice (first at alarmEmails[${emails.indexOf(e)}]); each address is subscribed once`,
    );
  });
  const budget = spec.monthlyBudgetUsd;
  if (budget !== undefined && !Token.isUnresolved(budget)) {
    out.check(
      isBudgetAmount(budget),
      'monthlyBudgetUsd',
      budget,
      'must be > 0 and written as a plain decimal (AWS Budgets amount pattern ([0-9]*\\.)?[0-9]+; at most 1e21)',
    );
  }
  for (const [field, value] of Object.entries(spec.percents ?? {})) {
    if (!Token.isUnresolved(value)) out.check(value >= 0 && value <= 100, field, value, 'must be between 0 and 100');
  }
  for (const [field, value] of Object.entries(spec.minutes ?? {})) {
    if (!Token.isUnresolved(value))
      out.check(
        value >= 5 && value % 5 === 0 && value <= 1440,
        field,
        value,
        'must be a multiple of 5 between 5 and 1440 (alarms evaluate 5-minute periods)',
      );
  }
  for (const [field, value] of Object.entries(spec.counts ?? {})) {
    if (!Token.isUnresolved(value))
      out.check(Number.isInteger(value) && value >= 1, field, value, 'must be a whole number >= 1');
  }
  return out.problems;
}
