/** File format of a pipeline's output table: picks the Glue table's input/output formats and SerDe. */
export enum TableFormat {
  PARQUET = 'parquet',
  ORC = 'orc',
  JSON = 'json',
  CSV = 'csv',
}

/** One data column of a pipeline's output table. */
export interface PipelineColumn {
  /** Lowercase letters, digits and underscores (Athena). */
  readonly name: string;
  /**
   * A Hive type that Glue, Spark and Athena read (case-insensitive): `boolean`, `tinyint`, `smallint`, `int`,
   * `bigint`, `float`, `double`, `decimal(p,s)`, `string`, `char(n)`, `varchar(n)`, `date`, `timestamp`, `binary`,
   * `array<t>`, `map<primitive,t>`, `struct<name:t,...>`.
   */
  readonly type: string;
  /** @default - no comment */
  readonly comment?: string;
}

/** A Glue table over the pipeline's output, in the target zone's database, at `s3://<target bucket>/<tableName>/`. */
export interface PipelineTable {
  /** Lowercase letters, digits and underscores (Athena), at most 255 characters. */
  readonly tableName: string;
  readonly format: TableFormat;
  /** Partition columns (strings), in the order of the directories the job writes (`dt=2026-11-30/`). @default - none */
  readonly partitionKeys?: string[];
  /**
   * The data columns. The table is owned by CloudFormation, so declare the schema here rather than letting the job
   * change it. @default - none: the job only adds partitions; declare columns to query them
   */
  readonly columns?: PipelineColumn[];
}
