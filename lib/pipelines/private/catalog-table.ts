import { Aws, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { acknowledgeGrantWildcards } from '../../core/acknowledge';
import type { PipelineTable } from '../pipeline-table';
import { TABLE_FORMATS } from './table-formats';

/**
 * The pipeline's output table, external, at the job's target location, and the job role's right to read it,
 * change it and add partitions: nothing else in the catalog but a look at the `default` database, which Spark's
 * Hive client reads when it starts.
 */
export function catalogTable(
  scope: Construct,
  table: PipelineTable,
  database: string,
  location: string,
  jobRole: iam.IRole,
  lakeFormation = false,
): glue.CfnTable {
  const format = TABLE_FORMATS[table.format];
  const cfn = new glue.CfnTable(scope, 'Table', {
    catalogId: Aws.ACCOUNT_ID,
    databaseName: database,
    tableInput: {
      name: table.tableName,
      tableType: 'EXTERNAL_TABLE',
      parameters: { classification: table.format, EXTERNAL: 'TRUE' },
      partitionKeys: (table.partitionKeys ?? []).map((name) => ({ name, type: 'string' })),
      storageDescriptor: {
        location,
        inputFormat: format.inputFormat,
        outputFormat: format.outputFormat,
        serdeInfo: format.serdeInfo,
        columns: (table.columns ?? []).map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
      },
    },
  });
  const arn = (resource: string, resourceName?: string) =>
    Stack.of(scope).formatArn({ service: 'glue', resource, resourceName });
  jobRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:UpdateTable',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:BatchGetPartition',
        'glue:CreatePartition',
        'glue:BatchCreatePartition',
        'glue:UpdatePartition',
      ],
      resources: [arn('catalog'), arn('database', database), arn('table', `${database}/${table.tableName}`)],
    }),
  );
  // Spark's Hive client (and the Glue catalog client) creates `default` when it is missing, so the job may
  // read and create that database, and no other (EMR Serverless "Job runtime roles" sample policy; awslabs
  // aws-glue-data-catalog-client-for-apache-hive-metastore, AWSCatalogMetastoreClient.createDefaultDatabase).
  jobRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:CreateDatabase'],
      resources: [arn('catalog'), arn('database', 'default')],
    }),
  );
  if (lakeFormation) {
    // A Lake Formation catalog answers Glue calls on its tables only with Lake Formation permissions
    // (databases made with CreateTableDefaultPermissions [] give IAM-only access nothing): the job role gets
    // DESCRIBE on its database and SELECT, INSERT, ALTER, DESCRIBE on its table, and GetDataAccess to use
    // them (Lake Formation developer guide, "Granting permissions on Data Catalog resources";
    // AWS::LakeFormation::PrincipalPermissions). Granting needs a Lake Formation administrator to deploy.
    const principal = { dataLakePrincipalIdentifier: jobRole.roleArn };
    const dbGrant = new lakeformation.CfnPrincipalPermissions(scope, 'DatabaseGrant', {
      principal,
      resource: { database: { catalogId: Aws.ACCOUNT_ID, name: database } },
      permissions: ['DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    const tableGrant = new lakeformation.CfnPrincipalPermissions(scope, 'TableGrant', {
      principal,
      resource: { table: { catalogId: Aws.ACCOUNT_ID, databaseName: database, name: table.tableName } },
      permissions: ['SELECT', 'INSERT', 'ALTER', 'DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    tableGrant.addResourceDependency(cfn);
    dbGrant.addResourceDependency(cfn);
    jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }),
    );
    if (Construct.isConstruct(jobRole)) {
      acknowledgeGrantWildcards(
        jobRole,
        { resources: ['*'], actions: [] },
        'lakeformation:GetDataAccess takes no resource; the Lake Formation grants above scope what it returns',
      );
    }
  }
  return cfn;
}
