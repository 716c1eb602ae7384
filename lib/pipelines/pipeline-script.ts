import { Aws, Fn, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';

/** Where a pipeline's script is kept. */
export enum PipelineScriptSource {
  /** A local file, uploaded as a CDK asset. */
  ASSET = 'asset',
  /** An object already in S3. */
  S3_URI = 's3-uri',
}

/** What a bound script gives the job. */
export interface PipelineScriptConfig {
  /** `s3://bucket/key.py`, the job's entry point. */
  readonly s3Uri: string;
}

/** The PySpark script a `DataPipeline` runs. */
export abstract class PipelineScript {
  /**
   * A local `.py` file, uploaded with the app's assets. The job role reads that one object; the bucket's key is
   * granted when the synthesizer names it. With `cdk bootstrap --bootstrap-kms-key-id <your key>` the key's own
   * policy must let the job role decrypt through S3 (the default synthesizer does not name it).
   */
  public static fromAsset(path: string): PipelineScript {
    return new AssetScript(path);
  }

  /** A `.py` object already in S3 (`s3://bucket/key.py`). If its bucket uses a customer managed key, grant the job role decrypt too. */
  public static fromS3Uri(uri: string): PipelineScript {
    return new S3Script(uri);
  }

  public abstract readonly source: PipelineScriptSource;
  /** The local path or the `s3://` URI. */
  public abstract readonly location: string;

  /** Makes the script reachable and lets the grantee read that one object (`s3:GetObject`, no wildcard). */
  public abstract bind(scope: Construct, grantee: iam.IGrantable): PipelineScriptConfig;
}

class AssetScript extends PipelineScript {
  public readonly source = PipelineScriptSource.ASSET;
  private asset?: s3assets.Asset;

  constructor(public readonly location: string) {
    super();
  }

  public bind(scope: Construct, grantee: iam.IGrantable): PipelineScriptConfig {
    this.asset ??= new s3assets.Asset(scope, 'Script', { path: this.location });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [`arn:${Aws.PARTITION}:s3:::${this.asset.s3BucketName}/${this.asset.s3ObjectKey}`],
    });
    // A synthesizer that names the asset bucket's key (FileAssetLocation.kmsKeyArn) gets decrypt through S3 on it,
    // as Asset.grantRead does. The default synthesizer names none: the bootstrap key (--bootstrap-customer-key)
    // already lets every principal of the account decrypt through S3 (kms:CallerAccount, kms:ViaService s3).
    const key = this.asset.bucket.encryptionKey;
    if (key) {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: [key.keyArn],
        // kms:ViaService names the service endpoint, which ends in the partition's domain (amazonaws.com.cn in China).
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      });
    }
    return { s3Uri: this.asset.s3ObjectUrl };
  }
}

class S3Script extends PipelineScript {
  public readonly source = PipelineScriptSource.S3_URI;

  constructor(public readonly location: string) {
    super();
  }

  public bind(_scope: Construct, grantee: iam.IGrantable): PipelineScriptConfig {
    // `bucket/key` after the scheme, whether the URI is literal or a token.
    const path = Token.isUnresolved(this.location)
      ? Fn.select(1, Fn.split('s3://', this.location))
      : this.location.slice('s3://'.length);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [`arn:${Aws.PARTITION}:s3:::${path}`],
    });
    return { s3Uri: this.location };
  }
}
