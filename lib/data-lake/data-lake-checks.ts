import { Token } from 'aws-cdk-lib';
import { ProblemList, type Problem } from '../core/problems';
import { DATA_LAKE_DEFAULTS } from './defaults';

/** A zone name: part of bucket, Glue database and export names. */
// Ends alphanumeric: it ends the claim <workload>-<zone> and volume s3-<zone> (apimachinery IsDNS1123Label/Subdomain).
const ZONE = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;

/** What {@link dataLakeProblems} checks (DataLake's props, or the definition's `dataLake`, in days). */
export interface DataLakeSpec {
  readonly zones?: string[];
  readonly archiveAfterDays?: number;
  readonly noncurrentVersionExpirationDays?: number;
}

/** The rules of a data lake: at least one zone, names that fit every name they go into, no duplicates, lifecycle of a day or more. */
export function dataLakeProblems(spec: DataLakeSpec): Problem[] {
  const out = new ProblemList();
  const zones = spec.zones ?? [...DATA_LAKE_DEFAULTS.zones];
  out.check(zones.length >= 1, 'zones', zones, 'must list at least one zone');
  zones.forEach((z, i) => {
    if (Token.isUnresolved(z)) return;
    out.check(
      ZONE.test(z),
      `zones[${i}]`,
      z,
      'must be 1..20 characters: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
    );
    if (zones.indexOf(z) !== i) out.add(`zones[${i}]`, z, 'is listed twice');
  });
  for (const field of ['archiveAfterDays', 'noncurrentVersionExpirationDays'] as const) {
    const days = spec[field];
    if (days !== undefined && !Token.isUnresolved(days)) out.check(days >= 1, field, days, 'must be >= 1');
  }
  return out.problems;
}

/**
 * What deploying a Lake Formation lake needs of the account, said once for the construct's warning and the
 * definition's: Lake Formation administrators have implicit permission to create databases and grant on them
 * (Lake Formation developer guide, "Implicit Lake Formation permissions"); anyone else is refused.
 */
export function lakeFormationAdminRequirement(stackName: string): string {
  return (
    `the role that deploys stack ${stackName} (CloudFormation's execution role, by default ` +
    'cdk-hnb659fds-cfn-exec-role-<account>-<region>) must be a Lake Formation data lake administrator: Lake Formation console, ' +
    'Administration > Administrative roles and tasks > Data lake administrators > Add, or `aws lakeformation put-data-lake-settings` with ' +
    'its ARN added to DataLakeAdmins (keep the existing admins). Otherwise creating the databases, tables and grants fails with AccessDeniedException'
  );
}
