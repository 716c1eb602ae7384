import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataLake, ZoneBucket } from '../../lib';
import { resourcesOf, testApp } from '../helpers';

test('zone buckets send their events to EventBridge by default, on the bucket itself (no notifications Lambda)', () => {
  const stack = new Stack(testApp(), 'Data');
  new DataLake(stack, 'DataLake', { namePrefix: 'acme' });
  const template = Template.fromStack(stack);
  const zones = resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) => id.includes('Zone'));
  expect(zones).toHaveLength(4);
  for (const [, b] of zones)
    expect(b.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
  template.resourceCountIs('Custom::S3BucketNotifications', 0);
  template.resourceCountIs('AWS::Lambda::Function', 0);
});

test('eventBridge: false leaves the notification configuration alone', () => {
  const stack = new Stack(testApp(), 'Data');
  new ZoneBucket(stack, 'Zone', {
    zoneName: 'raw',
    encryptionKey: new kms.Key(stack, 'Key'),
    accessLogsBucket: new s3.Bucket(stack, 'Logs'),
    eventBridge: false,
  });
  const [, zone] = resourcesOf(Template.fromStack(stack), 'AWS::S3::Bucket').find(([id]) => id.startsWith('Zone'))!;
  expect(zone.Properties.NotificationConfiguration).toBeUndefined();
});

test('addEventNotification keeps EventBridge on: both live in the notifications custom resource, which owns the whole configuration', () => {
  const stack = new Stack(testApp(), 'Data');
  const lake = new DataLake(stack, 'DataLake', { namePrefix: 'acme' });
  const topic = new sns.Topic(stack, 'Topic');
  lake.zone('raw').addEventNotification(s3.EventType.OBJECT_REMOVED, new s3n.SnsDestination(topic));
  const template = Template.fromStack(stack);
  const [[, raw]] = resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) => id.includes('Zoneraw'));
  expect(raw.Properties.NotificationConfiguration).toBeUndefined();
  const [[, notifications]] = resourcesOf(template, 'Custom::S3BucketNotifications');
  expect(notifications.Properties.NotificationConfiguration.EventBridgeConfiguration).toEqual({});
  expect(notifications.Properties.NotificationConfiguration.TopicConfigurations).toHaveLength(1);
});
