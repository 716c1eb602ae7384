import { Annotations, Stack } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type { Construct } from 'constructs';
import { acknowledgeGrantWildcards } from '../../core/acknowledge';
import type { ZoneBucket } from '../zone-bucket';
import { lakeFormationAdminRequirement } from '../data-lake-checks';

/** Warning ID: deploying a Lake Formation lake (and grants on it) needs a data lake administrator. */
export const LAKE_FORMATION_ADMIN_WARNING = 'ai-platform:lake-formation-admin-required';

/**
 * Registers every zone with Lake Formation, with a role of the lake's own, and orders the catalog after it.
 *
 * - The role, not the service-linked one: the zones are encrypted with the lake's customer managed key, and "for
 *   encrypted Amazon S3 locations, either the role must have permission to encrypt and decrypt data with the AWS KMS
 *   key, or the KMS key policy must grant permissions on the key to the role"; and "if you plan to access the
 *   location using Amazon EMR, you must use a user-defined role" (Lake Formation developer guide, "Registering an
 *   encrypted Amazon S3 location", "Requirements for roles used to register locations"). It is trusted by
 *   lakeformation.amazonaws.com and glue.amazonaws.com, reads and writes the zone buckets and uses the lake key.
 * - Order: each registration waits for the role's policy (so Lake Formation never vends credentials of a role that
 *   cannot yet read the data), and each zone's database waits for its registration, so the location is governed
 *   before anything in the catalog points at it; grants made elsewhere name the database, and so come after both.
 * - The deploying role: creating databases at registered locations, tables in them (DataPipeline) and granting
 *   Lake Formation permissions (AWS::LakeFormation::PrincipalPermissions) need a data lake administrator ("Data lake
 *   administrators have data location permissions everywhere ... can grant or revoke access to any resources",
 *   "Implicit Lake Formation permissions"). That is an account setting the stack does not change: a warning says so.
 */
export function registerZonesWithLakeFormation(
  scope: Construct,
  zones: Record<string, ZoneBucket>,
  databases: Record<string, glue.CfnDatabase>,
): iam.Role {
  const role = new iam.Role(scope, 'LakeFormationRole', {
    description: 'Lake Formation reads and writes the data lake zones with this role (registered locations)',
    assumedBy: new iam.CompositePrincipal(
      new iam.ServicePrincipal('lakeformation.amazonaws.com'),
      new iam.ServicePrincipal('glue.amazonaws.com'),
    ),
  });
  // A zone's grantReadWrite also grants encrypt and decrypt on its key, the lake key (Bucket.grantReadWrite).
  for (const bucket of Object.values(zones)) bucket.grantReadWrite(role);
  acknowledgeGrantWildcards(
    role,
    {
      resources: Object.values(zones).map((b) => b.arnForObjects('*')),
      actions: [
        's3:GetObject*',
        's3:GetBucket*',
        's3:List*',
        's3:DeleteObject*',
        's3:Abort*',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
      ],
    },
    'Lake Formation reads and writes any object of the zones it governs (registration role, "Requirements for roles used to register locations")',
  );

  for (const [zone, bucket] of Object.entries(zones)) {
    const registration = new lakeformation.CfnResource(scope, `LakeFormation-${zone}`, {
      resourceArn: bucket.bucketArn,
      useServiceLinkedRole: false,
      roleArn: role.roleArn,
    });
    registration.node.addDependency(role);
    databases[zone].addResourceDependency(registration);
  }

  Annotations.of(scope).addWarningV2(
    LAKE_FORMATION_ADMIN_WARNING,
    `lakeFormation: true: ${lakeFormationAdminRequirement(Stack.of(scope).stackName)}`,
  );
  return role;
}
