import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { limitGrantsToAwsServices } from '../../core/key-policy';

/**
 * The alarm topic (`AlarmTopic`) and its key (`TopicKey`), created in `scope` (AiMonitoring: their logical IDs
 * are AiMonitoring's), encrypted with a key CloudWatch and Budgets may use, and that they may publish to.
 */
export function alarmTopic(
  scope: Construct,
  opts: { clusterName: string; topicName?: string; acceptPrometheusAlerts: boolean; alarmEmails: string[] },
): sns.Topic {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'TopicKey', {
    description: 'Alarm topic',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  limitGrantsToAwsServices(key);
  for (const service of ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com']) {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal(service)],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
  if (opts.acceptPrometheusAlerts) {
    // As the AMP user guide's example key policy has it (no source condition); CloudWatch's and Budgets' statements
    // above keep the account condition their guides show.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
        resources: ['*'],
      }),
    );
  }
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    topicName: opts.topicName,
    masterKey: key,
    enforceSSL: true,
    displayName: `${opts.clusterName} alarms`,
  });
  if (opts.acceptPrometheusAlerts) {
    // AMP alert manager → SNS: sns:Publish and sns:GetTopicAttributes for aps.amazonaws.com, scoped to the
    // account's workspaces (AMP user guide, "Give Amazon Managed Service for Prometheus permission to send
    // alert messages to your Amazon SNS topic").
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish', 'sns:GetTopicAttributes'],
        principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:aps:${stack.region}:${stack.account}:workspace/*` },
        },
      }),
    );
  }
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      actions: ['sns:Publish'],
      principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  for (const email of opts.alarmEmails) topic.addSubscription(new subs.EmailSubscription(email));
  return topic;
}
