import { deepFreeze } from '../../catalog/deep-freeze';
import type * as glue from 'aws-cdk-lib/aws-glue';
import { TableFormat } from '../pipeline-table';

const TEXT_INPUT = 'org.apache.hadoop.mapred.TextInputFormat';
const TEXT_OUTPUT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';

/** Input/output formats and SerDe of each table format, as Glue and Athena expect them (the Hive classes). */
export const TABLE_FORMATS: Record<
  TableFormat,
  { inputFormat: string; outputFormat: string; serdeInfo: glue.CfnTable.SerdeInfoProperty }
> = deepFreeze({
  [TableFormat.PARQUET]: {
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
  },
  [TableFormat.ORC]: {
    inputFormat: 'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat',
    serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.orc.OrcSerde' },
  },
  [TableFormat.JSON]: {
    inputFormat: TEXT_INPUT,
    outputFormat: TEXT_OUTPUT,
    serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
  },
  [TableFormat.CSV]: {
    inputFormat: TEXT_INPUT,
    outputFormat: TEXT_OUTPUT,
    serdeInfo: {
      serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      parameters: { 'field.delim': ',' },
    },
  },
});
