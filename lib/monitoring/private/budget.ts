import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** A cost allocation tag the budget counts. */
interface Tag {
  readonly key: string;
  readonly value: string;
}

/**
 * The monthly AWS Budget (`Budget`, created in `scope`: AiMonitoring), with forecast and actual notifications to
 * the topic and up to 10 e-mail addresses.
 */
export function monthlyBudget(
  scope: Construct,
  opts: { clusterName: string; amountUsd: number; topic: sns.ITopic; alarmEmails: string[]; costTag?: Tag },
): budgets.CfnBudget {
  const subscribers = [
    { subscriptionType: 'SNS', address: opts.topic.topicArn },
    ...opts.alarmEmails.slice(0, 10).map((address) => ({ subscriptionType: 'EMAIL', address })),
  ];
  const notify = (notificationType: string, threshold: number) => ({
    notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
    subscribers,
  });
  const notifications = [notify('FORECASTED', 100), notify('ACTUAL', 80), notify('ACTUAL', 100)];
  // NotificationsWithSubscribers is create-only (AWS::Budgets::Budget, CloudFormation template reference:
  // "Update requires: Replacement") and a replacement under the same BudgetName fails, so the name carries
  // a digest of the notifications: adding an e-mail or changing a threshold creates the new budget, then
  // deletes the old one. Budgets read Cost Explorer's data, so the new budget sees the month so far.
  const digest = createHash('sha256')
    .update(JSON.stringify(Stack.of(scope).resolve(notifications)))
    .digest('hex')
    .slice(0, 8);
  const tag = opts.costTag;
  return new budgets.CfnBudget(scope, 'Budget', {
    budget: {
      budgetName: `${opts.clusterName}-monthly-${digest}`,
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      budgetLimit: { amount: opts.amountUsd, unit: 'USD' },
      ...(tag ? { costFilters: { TagKeyValue: [`user:${tag.key}$${tag.value}`] } } : {}),
    },
    notificationsWithSubscribers: notifications,
  });
}

/** The dashboard's cost notes (markdown): the budget, the tag it needs activated, the platform at full scale. */
export function budgetNotes(
  amountUsd: number | undefined,
  costTag: Tag | undefined,
  maxMonthlyComputeUsd: number | undefined,
): string {
  return [
    amountUsd !== undefined ? `Monthly budget: **$${amountUsd.toLocaleString('en-US')}**` : 'No monthly budget set.',
    amountUsd !== undefined && costTag
      ? `It counts costs tagged \`${costTag.key}=${costTag.value}\` only once that tag is an active cost allocation tag: \`aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=${costTag.key},Status=Active\`.`
      : '',
    maxMonthlyComputeUsd !== undefined
      ? `The platform at full scale (every pool at maxNodes on-demand, scheduled pipelines at full capacity): up to **$${Math.round(maxMonthlyComputeUsd).toLocaleString('en-US')}** a month.`
      : '',
  ]
    .filter((x) => x)
    .join('\n\n');
}
