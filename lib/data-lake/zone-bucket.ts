import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { DATA_LAKE_DEFAULTS } from './defaults';
import { lakeKeyEncryption, SECURE_BUCKET } from './private/secure-bucket';

/** Props of {@link ZoneBucket}. */
export interface ZoneBucketProps {
  /** The zone this bucket holds, e.g. `raw`. */
  readonly zoneName: string;
  readonly encryptionKey: kms.IKey;
  readonly accessLogsBucket: s3.IBucket;
  /** Current objects move to S3 Glacier Instant Retrieval after this. @default Duration.days(90) */
  readonly archiveAfter?: Duration;
  /** Noncurrent versions expire after this. @default Duration.days(30) */
  readonly noncurrentVersionExpiration?: Duration;
  /** Incomplete multipart uploads are aborted after this. @default Duration.days(7) */
  readonly abortIncompleteUploadsAfter?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Send the bucket's events (Object Created and the others) to EventBridge, so rules can start work when data
   * arrives. Set on the bucket itself (`NotificationConfiguration.EventBridgeConfiguration`), not through the
   * custom resource that `eventBridgeEnabled` and `addEventNotification` use: no Lambda in the data stack. A
   * later `addEventNotification` moves it into that custom resource, so both kinds of notification stay on.
   * @default true
   */
  readonly eventBridge?: boolean;
}

/**
 * One zone of a data lake: an S3 bucket with the lake's defaults, so every `grant*` and `metric*` of
 * `s3.Bucket` still works. KMS with a bucket key, TLS only, all public access blocked, objects owned by
 * the bucket owner, versioned, access-logged, and a lifecycle that archives, expires old versions and
 * aborts abandoned uploads.
 */
export class ZoneBucket extends s3.Bucket {
  public readonly zoneName: string;
  /** Whether EventBridge is enabled through the bucket's own NotificationConfiguration (not the custom resource). */
  private eventBridgeOnBucket = false;

  constructor(scope: Construct, id: string, props: ZoneBucketProps) {
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    super(scope, id, {
      ...SECURE_BUCKET,
      ...lakeKeyEncryption(props.encryptionKey),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: `${props.zoneName}/`,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
      // Request metrics (4xx/5xx, latency) for the monitoring stack.
      metrics: [{ id: 'EntireBucket' }],
      lifecycleRules: [
        {
          id: 'archive-and-clean-up',
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: props.archiveAfter ?? Duration.days(DATA_LAKE_DEFAULTS.archiveAfterDays),
            },
          ],
          noncurrentVersionExpiration:
            props.noncurrentVersionExpiration ?? Duration.days(DATA_LAKE_DEFAULTS.noncurrentVersionExpirationDays),
          abortIncompleteMultipartUploadAfter: props.abortIncompleteUploadsAfter ?? Duration.days(7),
        },
      ],
    });
    this.zoneName = props.zoneName;
    if (props.eventBridge ?? true) {
      (this.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
      this.eventBridgeOnBucket = true;
    }
  }

  /**
   * Adds a notification, keeping EventBridge on. aws-cdk-lib delivers notifications through a custom resource
   * that calls PutBucketNotificationConfiguration, which replaces the bucket's whole configuration (S3 API
   * reference: "This action replaces the existing notification configuration"), so EventBridge moves into that
   * same custom resource (`enableEventBridgeNotification`) instead of being silently dropped.
   */
  public addEventNotification(
    event: s3.EventType,
    dest: s3.IBucketNotificationDestination,
    ...filters: s3.NotificationKeyFilter[]
  ): void {
    if (this.eventBridgeOnBucket) {
      (this.node.defaultChild as s3.CfnBucket).notificationConfiguration = undefined;
      this.enableEventBridgeNotification();
      this.eventBridgeOnBucket = false;
    }
    super.addEventNotification(event, dest, ...filters);
  }
}
