import { Aws, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { PipelineTable } from '../pipeline-table';
import { TABLE_FORMATS } from './table-formats';

/**
 * The pipeline's output table, external, at the job's target location, and the job role's right to read it,
 * change it and add partitions: nothing else in the catalog but a look at the `default` database, which Spark's
 * Hive client reads when it starts.
 */
export function catalogTable(scope: Construct, table: PipelineTable, database: string, location: string, jobRole: iam.IRole): glue.CfnTable {
  const format = TABLE_FORMATS[table.format];
  const cfn = new glue.CfnTable(scope, 'Table', {
    catalogId: Aws.ACCOUNT_ID,
    databaseName: database,
    tableInput: {
      name: table.tableName,
      tableType: 'EXTERNAL_TABLE',
      parameters: { 'classification': table.format, 'EXTERNAL': 'TRUE' },
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
  const arn = (resource: string, resourceName?: string) => Stack.of(scope).formatArn({ service: 'glue', resource, resourceName });
  jobRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: [
      'glue:GetDatabase', 'glue:GetTable', 'glue:UpdateTable', 'glue:GetPartition', 'glue:GetPartitions',
      'glue:BatchGetPartition', 'glue:CreatePartition', 'glue:BatchCreatePartition', 'glue:UpdatePartition',
    ],
    resources: [arn('catalog'), arn('database', database), arn('table', `${database}/${table.tableName}`)],
  }));
  jobRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['glue:GetDatabase'], resources: [arn('catalog'), arn('database', 'default')] }));
  return cfn;
}
