import { deepFreeze } from '../../catalog/deep-freeze';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** What every bucket of the data lake has: TLS 1.2+ only, no public access, no ACLs, versioning. */
export const SECURE_BUCKET = deepFreeze({
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
} as const);

/** Encryption with the lake's key and S3 Bucket Keys (fewer KMS calls). */
export function lakeKeyEncryption(
  key: kms.IKey,
): Pick<s3.BucketProps, 'encryption' | 'encryptionKey' | 'bucketKeyEnabled'> {
  return { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true };
}
