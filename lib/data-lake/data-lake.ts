import {
  Annotations,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type CfnResource,
} from 'aws-cdk-lib';
import { AssemblyFile } from '../core/assembly-file';
import { noSuchZone } from './private/no-such-zone';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataAccessLevel } from './data-access-level';
import { DATA_LAKE_DEFAULTS } from './defaults';
import { dataLakeProblems } from './data-lake-checks';
import { throwIfProblems, type Problem } from '../core/problems';
import {
  dataLakeExportNames,
  DataLakeOutputsRef,
  grantZone,
  type DataLakeOutputs,
  type IDataLakeRef,
} from './data-lake-ref';
import { zoneDatabaseName } from './private/database-name';
import { registerZonesWithLakeFormation } from './private/lake-formation';
import { lakeKeyEncryption, SECURE_BUCKET } from './private/secure-bucket';
import { ZoneBucket } from './zone-bucket';
import { limitGrantsToAwsServices } from '../core/key-policy';

/** The context flag that, together with `removalPolicy: DESTROY`, lets a data lake be deleted. */
export const ALLOW_DATA_DELETION_CONTEXT = 'ai-platform:allowDataDeletion';

/** The zones of a data lake when none are given. */
export const DEFAULT_ZONES: readonly string[] = DATA_LAKE_DEFAULTS.zones;

/** Props of {@link DataLake}. */
export interface DataLakeProps {
  /** Prefixes Glue database, workgroup and export names; [a-z0-9-]. @default 'ai-platform' */
  readonly namePrefix?: string;
  /** @default DEFAULT_ZONES (raw, curated, features, models) */
  readonly zones?: string[];
  /** @default Duration.days(90) */
  readonly archiveAfter?: Duration;
  /** @default Duration.days(30) */
  readonly noncurrentVersionExpiration?: Duration;
  /** @default Duration.days(7) */
  readonly abortIncompleteUploadsAfter?: Duration;
  /** Athena query results expire after this. @default Duration.days(30) */
  readonly queryResultsExpiration?: Duration;
  /**
   * DESTROY deletes buckets (with their objects) and key with the stack, but only when the
   * `ai-platform:allowDataDeletion` context flag is also `true`; otherwise data is retained.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Govern the Glue catalog with Lake Formation permissions instead of IAM only. Each zone is registered with a role
   * that may use the lake key. The role that deploys (CloudFormation's execution role) must be a Lake Formation data
   * lake administrator (warning `ai-platform:lake-formation-admin-required`). @default false
   */
  readonly lakeFormation?: boolean;
  /**
   * Also export the key and bucket outputs by name (`<prefix>-data-lake-...`, see `DataLakeImport`); prefer
   * `referenceFrom`, which needs no export. @default false
   */
  readonly exportForOtherStacks?: boolean;
}

/**
 * A governed data lake: one bucket per zone, one customer-managed KMS key with rotation, server access
 * logs to a dedicated bucket, a Glue database per zone and an Athena workgroup whose encrypted results land
 * in their own bucket. Data is retained unless deletion is asked for twice.
 */
export class DataLake extends Construct implements IDataLakeRef {
  /** The context flag that, together with `removalPolicy: DESTROY`, lets a data lake be deleted. */
  public static readonly ALLOW_DATA_DELETION_CONTEXT: string = ALLOW_DATA_DELETION_CONTEXT;

  public readonly key: kms.Key;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly queryResultsBucket: s3.Bucket;
  public readonly workgroup: athena.CfnWorkGroup;
  public readonly databases: Record<string, glue.CfnDatabase> = {};
  public readonly zoneNames: string[];
  /** Whether Lake Formation governs the catalog. */
  public readonly lakeFormation: boolean;
  /** The removal policy in force (RETAIN unless deletion was asked for twice). */
  public readonly removalPolicy: RemovalPolicy;
  private readonly zones: Record<string, ZoneBucket> = {};
  private readonly outputs: DataLakeOutputs;

  /**
   * Problems of the props (zone names, duplicates, lifecycle), with field names relative to the props; the
   * definition reports the same ones under `dataLake`.
   */
  public static check(props: DataLakeProps): Problem[] {
    const days = (d?: Duration) => (d === undefined || d.isUnresolved() ? undefined : d.toDays({ integral: false }));
    return dataLakeProblems({
      zones: props.zones,
      archiveAfterDays: days(props.archiveAfter),
      noncurrentVersionExpirationDays: days(props.noncurrentVersionExpiration),
    }).map((p) => ({
      ...p,
      field: p.field
        .replace(/^archiveAfterDays$/, 'archiveAfter')
        .replace(/^noncurrentVersionExpirationDays$/, 'noncurrentVersionExpiration'),
    }));
  }

  constructor(scope: Construct, id: string, props: DataLakeProps = {}) {
    super(scope, id);
    throwIfProblems('DataLake', DataLake.check(props), this);
    // Server access logs are delivered under a bucket policy, never an ACL (ACLs are disabled on every bucket
    // here), whatever the app's feature flags say.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const prefix = props.namePrefix ?? 'ai-platform';
    this.zoneNames = [...(props.zones ?? DEFAULT_ZONES)];
    this.removalPolicy = this.effectiveRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    const destroy = this.removalPolicy === RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      description: `Data lake ${prefix}: every zone, query results`,
      enableKeyRotation: true,
      alias: `alias/${prefix}-data-lake`,
      removalPolicy: this.removalPolicy,
    });
    limitGrantsToAwsServices(this.key);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to SSE-S3 buckets.
      ...SECURE_BUCKET,
      encryption: s3.BucketEncryption.S3_MANAGED,
      removalPolicy: this.removalPolicy,
      autoDeleteObjects: destroy,
      lifecycleRules: [
        { id: 'expire-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    // S3 → EventBridge on the lake's own buckets too (AWS Control Tower CT.S3.PR.4 asks every bucket for event
    // notifications): free, since S3 events on the default bus carry no EventBridge charge
    // (https://aws.amazon.com/eventbridge/pricing/: "events published by AWS services are free"); set on the
    // bucket itself, not with `eventBridgeEnabled`, which adds a notifications custom resource and its Lambda.
    const notifyEventBridge = (b: s3.Bucket) => {
      (b.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    };
    notifyEventBridge(this.accessLogsBucket);
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket; logging it into itself would loop',
    });

    for (const zone of this.zoneNames) {
      this.zones[zone] = new ZoneBucket(this, `Zone-${zone}`, {
        zoneName: zone,
        encryptionKey: this.key,
        accessLogsBucket: this.accessLogsBucket,
        archiveAfter: props.archiveAfter,
        noncurrentVersionExpiration: props.noncurrentVersionExpiration,
        abortIncompleteUploadsAfter: props.abortIncompleteUploadsAfter,
        removalPolicy: this.removalPolicy,
      });
    }

    this.queryResultsBucket = new s3.Bucket(this, 'QueryResults', {
      ...SECURE_BUCKET,
      ...lakeKeyEncryption(this.key),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'query-results/',
      removalPolicy: this.removalPolicy,
      autoDeleteObjects: destroy,
      lifecycleRules: [
        {
          id: 'expire-results',
          expiration: props.queryResultsExpiration ?? Duration.days(30),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    notifyEventBridge(this.queryResultsBucket);

    const lakeFormation = props.lakeFormation ?? DATA_LAKE_DEFAULTS.lakeFormation;
    this.lakeFormation = lakeFormation;
    for (const zone of this.zoneNames) {
      const db = new glue.CfnDatabase(this, `Database-${zone}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseInput: {
          name: zoneDatabaseName(prefix, zone),
          description: `Data lake ${prefix}, zone ${zone}`,
          locationUri: this.zones[zone].s3UrlForObject(),
          // With Lake Formation, grants govern new tables instead of the IAM-only default.
          ...(lakeFormation ? { createTableDefaultPermissions: [] } : {}),
        },
      });
      // The catalog describes the retained data (tables, partitions), so it is retained with it.
      db.applyRemovalPolicy(this.removalPolicy);
      this.databases[zone] = db;
    }
    // Each zone registered with a role that may use the lake key, before its database (private/lake-formation.ts).
    if (lakeFormation) registerZonesWithLakeFormation(this, this.zones, this.databases);

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: `${prefix}-data-lake`,
      description: `Queries over data lake ${prefix}`,
      state: 'ENABLED',
      recursiveDeleteOption: destroy,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: this.queryResultsBucket.s3UrlForObject('athena/'),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.key.keyArn },
        },
      },
    });
    this.workgroup.applyRemovalPolicy(this.removalPolicy);

    new AssemblyFile(
      this,
      'ImportMapping',
      () => `plan/${Stack.of(this).stackName}-import.json`,
      () => `${JSON.stringify(this.importMapping(), null, 2)}\n`,
    );

    // Outputs for other stacks, always present (whoever reads them, the data stack stays the same), read by
    // `referenceFrom` without exports; with `exportForOtherStacks` they are also exported by name.
    const names = props.exportForOtherStacks ? dataLakeExportNames(prefix, this.zoneNames) : undefined;
    this.outputs = {
      stack: Stack.of(this),
      namePrefix: prefix,
      lakeFormation,
      keyArn: new CfnOutput(this, 'KeyArnExport', { value: this.key.keyArn, exportName: names?.key }),
      zones: Object.fromEntries(
        this.zoneNames.map((zone) => [
          zone,
          {
            bucketArn: new CfnOutput(this, `Zone-${zone}-ArnExport`, {
              value: this.zones[zone].bucketArn,
              exportName: names?.zones[zone],
            }),
            bucketName: new CfnOutput(this, `Zone-${zone}-NameExport`, {
              value: this.zones[zone].bucketName,
              exportName: names?.bucketNames[zone],
            }),
          },
        ]),
      ),
    };
  }

  /**
   * The lake as seen from another stack: its key and buckets read from this stack's outputs with
   * `Fn::GetStackOutput` (no export, so nothing a consumer does can block a change of the lake, and adding or
   * removing a consumer leaves this stack untouched). The consumer's stack deploys after this one.
   */
  public referenceFrom(scope: Construct): IDataLakeRef {
    return new DataLakeOutputsRef(scope, this.outputs);
  }

  public get keyArn(): string {
    return this.key.keyArn;
  }

  /** The bucket of a zone. */
  public zone(name: string): ZoneBucket {
    const bucket = this.zones[name];
    if (!bucket) throw noSuchZone('DataLake', name, this.zoneNames, this);
    return bucket;
  }

  /** Every zone bucket, by zone name. */
  public get zoneBuckets(): Record<string, ZoneBucket> {
    return { ...this.zones };
  }

  public zoneBucketArn(zone: string): string {
    return this.zone(zone).bucketArn;
  }

  public zoneBucketName(zone: string): string {
    return this.zone(zone).bucketName;
  }

  /** The zone's Glue database name, as a reference to the database (so what uses it is created after it). */
  public zoneDatabaseName(zone: string): string {
    this.zone(zone);
    return this.databases[zone].ref;
  }

  public grantRead(zone: string, grantee: iam.IGrantable): iam.Grant {
    this.zone(zone);
    return grantZone(this.seenFrom(grantee), this, zone, grantee, DataAccessLevel.READ);
  }

  public grantReadWrite(zone: string, grantee: iam.IGrantable): iam.Grant {
    this.zone(zone);
    return grantZone(this.seenFrom(grantee), this, zone, grantee, DataAccessLevel.READ_WRITE);
  }

  /**
   * The lake as a grantee in another stack sees it: through this stack's outputs (`referenceFrom`), never a
   * cross-stack export, so granting from another stack leaves this stack untouched and never locks it.
   */
  private seenFrom(grantee: iam.IGrantable): IDataLakeRef {
    const principal = grantee.grantPrincipal;
    if (!Construct.isConstruct(principal) || Stack.of(principal) === Stack.of(this)) return this;
    return this.referenceFrom(principal);
  }

  /**
   * What a re-created lake needs to take its retained resources back: `cdk import --resource-mapping`'s file,
   * each retained resource's logical ID with its primary identifier (CloudFormation registry schemas:
   * BucketName, KeyId, DatabaseName, Name). Names known at synth are filled in; a bucket's generated name and
   * the key's ID are placeholders to look up (the retained resources keep their
   * `aws:cloudformation:logical-id` tags). Written to `cdk.out/plan/<stack>-import.json` on every synth.
   */
  public importMapping(): Record<string, Record<string, string>> {
    const stack = Stack.of(this);
    const id = (c: Construct) =>
      stack.resolve(((c.node.defaultChild as CfnResource | undefined) ?? (c as CfnResource)).logicalId) as string;
    const lookUp = (what: string, c: Construct) =>
      `<${what}: the retained resource tagged aws:cloudformation:logical-id=${id(c)}>`;
    const mapping: Record<string, Record<string, string>> = {};
    if (this.removalPolicy !== RemovalPolicy.RETAIN) return mapping;
    mapping[id(this.key)] = { KeyId: lookUp('key ID', this.key) };
    for (const [name, bucket] of [
      ['access-logs', this.accessLogsBucket],
      ['query-results', this.queryResultsBucket],
      ...Object.entries(this.zones),
    ] as [string, s3.Bucket][]) {
      mapping[id(bucket)] = { BucketName: lookUp(`${name} bucket name`, bucket) };
    }
    for (const db of Object.values(this.databases))
      mapping[id(db)] = { DatabaseName: (db.databaseInput as glue.CfnDatabase.DatabaseInputProperty).name! };
    mapping[id(this.workgroup)] = { Name: this.workgroup.name };
    return mapping;
  }

  /** DESTROY only with the context flag too (two keys); warns when data would be deleted or a request ignored. */
  private effectiveRemovalPolicy(asked: RemovalPolicy): RemovalPolicy {
    if (asked !== RemovalPolicy.DESTROY) return RemovalPolicy.RETAIN;
    const flag = this.node.tryGetContext(ALLOW_DATA_DELETION_CONTEXT);
    if (flag === true || flag === 'true') {
      Annotations.of(this).addWarningV2(
        'ai-platform:data-deletion-enabled',
        `Data lake buckets and key will be DELETED with stack ${Stack.of(this).stackName} (removalPolicy destroy and ${ALLOW_DATA_DELETION_CONTEXT}=true)`,
      );
      return RemovalPolicy.DESTROY;
    }
    Annotations.of(this).addWarningV2(
      'ai-platform:data-deletion-ignored',
      `removalPolicy destroy is ignored: data is retained unless the context flag ${ALLOW_DATA_DELETION_CONTEXT}=true is also set`,
    );
    return RemovalPolicy.RETAIN;
  }
}
