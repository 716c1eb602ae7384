import { Fn, Stack, type CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeGrantWildcards } from '../core/acknowledge';
import { DataAccessLevel } from './data-access-level';
import { zoneDatabaseName } from './private/database-name';
import { noSuchZone } from './private/no-such-zone';

/** What a workload needs to know to be granted access to a data lake: the zones' buckets and the key. */
export interface IDataLakeRef {
  /** The zone names, e.g. `raw`, `models`. */
  readonly zoneNames: string[];
  /** Whether Lake Formation governs the catalog (tables then need Lake Formation grants, not only IAM). */
  readonly lakeFormation: boolean;
  /** ARN of the KMS key that encrypts every zone. */
  readonly keyArn: string;
  /** ARN of a zone's bucket; throws for an unknown zone. */
  zoneBucketArn(zone: string): string;
  /** Name of a zone's bucket; throws for an unknown zone. */
  zoneBucketName(zone: string): string;
  /** Name of a zone's Glue database; throws for an unknown zone. */
  zoneDatabaseName(zone: string): string;
  /** Read a zone: list it and get objects, decrypting through S3 only. */
  grantRead(zone: string, grantee: iam.IGrantable): iam.Grant;
  /** Read and write a zone (no bucket configuration, no deletion of versions). */
  grantReadWrite(zone: string, grantee: iam.IGrantable): iam.Grant;
}

const S3_READ = ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation'];
const S3_WRITE = [
  's3:PutObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  's3:ListBucketMultipartUploads',
];
const KMS_READ = ['kms:Decrypt'];
const KMS_WRITE = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'];

/**
 * Grants one zone to a principal. Only the principal's own policy changes (never a bucket or key policy),
 * so granting access from a workload stack leaves the data stack's template untouched. The key may be
 * used only through S3 in this region.
 */
export function grantZone(
  ref: IDataLakeRef,
  scope: Construct,
  zone: string,
  grantee: iam.IGrantable,
  level: DataAccessLevel,
): iam.Grant {
  const bucketArn = ref.zoneBucketArn(zone);
  const write = level === DataAccessLevel.READ_WRITE;
  const s3Grant = iam.Grant.addToPrincipal({
    grantee,
    actions: write ? [...S3_READ, ...S3_WRITE] : S3_READ,
    resourceArns: [bucketArn, `${bucketArn}/*`],
  });
  const keyGrant = iam.Grant.addToPrincipal({
    grantee,
    actions: write ? KMS_WRITE : KMS_READ,
    resourceArns: [ref.keyArn],
    // kms:ViaService names the service endpoint, which ends in the partition's domain (amazonaws.com.cn in China).
    conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(scope).region}.${Stack.of(scope).urlSuffix}` } },
  });
  // Reading a zone is reading its objects (`<bucket>/*`) and the S3/KMS action families of the grant: the
  // shape is this library's choice, so its cdk-nag IAM5 findings are acknowledged here, on the grantee's
  // policy, for exactly these resources and actions; any other wildcard on the grantee still surfaces.
  if (Construct.isConstruct(grantee.grantPrincipal)) {
    acknowledgeGrantWildcards(
      grantee.grantPrincipal,
      {
        resources: [`${bucketArn}/*`],
        actions: write ? [...S3_READ, ...S3_WRITE, ...KMS_WRITE] : [...S3_READ, ...KMS_READ],
      },
      `A data-lake zone grant covers the objects of that zone's bucket only (${zone}), with the key only through S3`,
    );
  }
  return s3Grant.combine(keyGrant);
}

/** Names of the exports a data lake publishes for other stacks. */
export function dataLakeExportNames(
  prefix: string,
  zones: string[],
): { key: string; zones: Record<string, string>; bucketNames: Record<string, string> } {
  return {
    key: `${prefix}-data-lake-key-arn`,
    zones: Object.fromEntries(zones.map((z) => [z, `${prefix}-data-lake-${z}-bucket-arn`])),
    bucketNames: Object.fromEntries(zones.map((z) => [z, `${prefix}-data-lake-${z}-bucket-name`])),
  };
}

/**
 * A data lake in another stack, known by the values that name it (key ARN, bucket ARNs and names): the part
 * `DataLakeImport` and `DataLake.referenceFrom` share.
 */
export abstract class DataLakeValues implements IDataLakeRef {
  public readonly zoneNames: string[];
  /** Bucket names by zone (for metrics and mounts). */
  public readonly bucketNames: Record<string, string>;

  /**
   * @param lakeFormation whether the data lake was built with `lakeFormation: true` (its catalog is then
   *   governed by Lake Formation grants)
   */
  protected constructor(
    private readonly scope: Construct,
    private readonly namePrefix: string,
    public readonly lakeFormation: boolean,
    public readonly keyArn: string,
    private readonly bucketArns: Record<string, string>,
    bucketNames: Record<string, string>,
  ) {
    this.zoneNames = Object.keys(bucketArns);
    this.bucketNames = bucketNames;
  }

  public zoneBucketArn(zone: string): string {
    const arn = this.bucketArns[zone];
    if (!arn) throw noSuchZone('Data lake', zone, this.zoneNames);
    return arn;
  }

  public zoneBucketName(zone: string): string {
    this.zoneBucketArn(zone);
    return this.bucketNames[zone];
  }

  /** The data lake's own database name for the zone (the lake's name prefix names its databases). */
  public zoneDatabaseName(zone: string): string {
    this.zoneBucketArn(zone);
    return zoneDatabaseName(this.namePrefix, zone);
  }

  public grantRead(zone: string, grantee: iam.IGrantable): iam.Grant {
    return grantZone(this, this.scope, zone, grantee, DataAccessLevel.READ);
  }

  public grantReadWrite(zone: string, grantee: iam.IGrantable): iam.Grant {
    return grantZone(this, this.scope, zone, grantee, DataAccessLevel.READ_WRITE);
  }
}

/**
 * A data lake in another stack, read through its exports by name (see `DataLake` `exportForOtherStacks`), for
 * apps that know only the lake's name prefix. `Fn::ImportValue` locks each export while the importing stack
 * exists, so a zone cannot be removed from the lake until its importers stop naming it (deploy them first);
 * prefer `DataLake.referenceFrom(scope)`, which reads the lake's outputs without exports.
 */
export class DataLakeImport extends DataLakeValues {
  /**
   * @param lakeFormation whether the data lake was built with `lakeFormation: true` (its catalog is then
   *   governed by Lake Formation grants)
   */
  constructor(scope: Construct, exportPrefix: string, zoneNames: string[], lakeFormation: boolean = false) {
    const names = dataLakeExportNames(exportPrefix, zoneNames);
    super(
      scope,
      exportPrefix,
      lakeFormation,
      Fn.importValue(names.key),
      Object.fromEntries(zoneNames.map((z) => [z, Fn.importValue(names.zones[z])])),
      Object.fromEntries(zoneNames.map((z) => [z, Fn.importValue(names.bucketNames[z])])),
    );
  }
}

/** The outputs a {@link DataLake} always publishes: its key's ARN, and each zone's bucket ARN and name. */
export interface DataLakeOutputs {
  /** The data lake's stack. */
  readonly stack: Stack;
  /** Prefix of the lake's Glue databases. */
  readonly namePrefix: string;
  readonly lakeFormation: boolean;
  readonly keyArn: CfnOutput;
  readonly zones: Record<string, ZoneOutputs>;
}

/** The outputs of one zone of a {@link DataLake}. */
export interface ZoneOutputs {
  readonly bucketArn: CfnOutput;
  readonly bucketName: CfnOutput;
}

/**
 * A data lake in another stack, read through its stack's outputs with `Fn::GetStackOutput` — a weak
 * reference: "Unlike Fn::ImportValue, this function does not require the referenced stack to explicitly
 * export the output value" (CloudFormation template reference, Fn::GetStackOutput). Nothing locks the data
 * stack: a zone can be removed while a consumer still names it (the consumer, deployed after the data stack,
 * stops naming it in the same `cdk deploy`), and a consumer added or removed never changes the data stack,
 * whose outputs exist whether or not anyone reads them. The consumer's stack is made to deploy after the
 * lake's.
 */
export class DataLakeOutputsRef extends DataLakeValues {
  constructor(scope: Construct, outputs: DataLakeOutputs) {
    const consumer = Stack.of(scope);
    if (consumer !== outputs.stack) consumer.addStackDependency(outputs.stack, "reads the data lake's outputs");
    const read = (o: CfnOutput): string =>
      consumer === outputs.stack
        ? o.value
        : Fn.getStackOutput(outputs.stack.stackName, outputs.stack.resolve(o.logicalId));
    const zones = Object.keys(outputs.zones);
    super(
      scope,
      outputs.namePrefix,
      outputs.lakeFormation,
      read(outputs.keyArn),
      Object.fromEntries(zones.map((z) => [z, read(outputs.zones[z].bucketArn)])),
      Object.fromEntries(zones.map((z) => [z, read(outputs.zones[z].bucketName)])),
    );
  }
}
