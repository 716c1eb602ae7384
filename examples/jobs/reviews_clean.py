"""Cleans raw product reviews into a partitioned Parquet table.

Run by a DataPipeline on EMR Serverless, which passes where to read and write:
  --sources s3://<raw bucket>/[,s3://...]   zones to read (comma-separated)
  --target  s3://<curated bucket>/<table>/   where the table's files live
  --database <glue db> --table <name>        the Glue table to register partitions in (optional)
  --input-prefix reviews/                    where under each source the raw JSON is (default: reviews/)

Reads JSON lines such as {"review_id": "r1", "product_id": "p1", "rating": 5, "review_text": "...",
"review_ts": "2026-11-30T10:15:00Z"}, drops records without their keys, keeps one record per review_id (the
latest), adds a dt=yyyy-mm-dd partition from review_ts and overwrites only the partitions it writes.

A raw zone is shared and changes under the job, so the job reads only what it expects and never fails for what
is not there:
- only the input prefix of each source, and under it only JSON files (INPUT_GLOB; other files, such as images,
  CSV or `_READY` markers, are not read);
- with an explicit schema (no inference, which fails on an empty input and varies with the files): every field
  is read as a string and typed here, so a record with a field of another type is kept or dropped, never fatal;
  unreadable lines give empty fields (dropped), unreadable files are skipped;
- no input (no prefix yet, or no JSON file under it) or no valid record: the job logs it and ends successfully
  without touching the table.
"""

import argparse
import sys

KEY_FIELDS = ["review_id", "product_id", "review_ts"]
FIELDS = KEY_FIELDS[:2] + ["rating", "review_text", "review_ts"]
DEFAULT_INPUT_PREFIX = "reviews/"
# JSON files only, compressed or not: Spark's pathGlobFilter matches file names with Hadoop's glob syntax
# ("Generic File Source Options", Spark SQL guide).
INPUT_GLOB = "*.{json,jsonl,json.gz,jsonl.gz}"
# Options of the JSON source (Spark SQL guide, "Generic File Source Options" and "JSON Files"):
# every file under the prefix, however deep; JSON files only; skip files that cannot be read; keep a record
# whose line is malformed as empty fields (then dropped by its missing keys) instead of failing the job.
READ_OPTIONS = {
    "recursiveFileLookup": "true",
    "pathGlobFilter": INPUT_GLOB,
    "ignoreCorruptFiles": "true",
    "mode": "PERMISSIVE",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", required=True, help="comma-separated s3:// URIs of the zones to read")
    parser.add_argument("--target", required=True, help="s3:// URI the table's files are written under")
    parser.add_argument("--database", help="Glue database of the table")
    parser.add_argument("--table", help="Glue table to register the new partitions in")
    parser.add_argument("--input-prefix", default=DEFAULT_INPUT_PREFIX, help="key prefix of the raw JSON under each source")
    return parser.parse_args(argv)


def input_paths(sources, input_prefix):
    """The directory to read under each source: `<source>/<prefix>/`, empty entries ignored, no double slashes."""
    prefix = input_prefix.strip("/")
    paths = []
    for uri in sources.split(","):
        uri = uri.strip()
        if uri:
            paths.append(uri.rstrip("/") + "/" + (prefix + "/" if prefix else ""))
    return paths


def raw_schema():
    """Every field a string: JSON of any type reads as its text, and clean() types it."""
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([StructField(name, StringType(), True) for name in FIELDS])


def existing(spark, paths):
    """The paths that exist (Spark fails the whole read on one that does not)."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    found = []
    for p in paths:
        path = jvm.org.apache.hadoop.fs.Path(p)
        if path.getFileSystem(conf).exists(path):
            found.append(p)
    return found


def clean(raw):
    """Typed, complete, one row per review (the latest), with its dt partition."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    typed = (
        raw.select(
            F.col("review_id").cast("string"),
            F.col("product_id").cast("string"),
            F.col("rating").cast("int"),
            F.trim(F.col("review_text")).alias("review_text"),
            F.to_timestamp("review_ts").alias("review_ts"),
        )
        .dropna(subset=KEY_FIELDS)
        .filter(F.col("rating").isNull() | F.col("rating").between(1, 5))
    )
    latest = Window.partitionBy("review_id").orderBy(F.col("review_ts").desc())
    return (
        typed.withColumn("_n", F.row_number().over(latest))
        .filter(F.col("_n") == 1)
        .drop("_n")
        .withColumn("dt", F.date_format("review_ts", "yyyy-MM-dd"))
    )


def main(argv=None):
    from pyspark.sql import SparkSession

    args = parse_args(argv)
    spark = (
        SparkSession.builder.appName("reviews_clean")
        # Rewrite only the dt partitions present in this run's output.
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .enableHiveSupport()
        .getOrCreate()
    )
    try:
        paths = existing(spark, input_paths(args.sources, args.input_prefix))
        if not paths:
            print(f"reviews_clean: nothing under {args.input_prefix!r} in {args.sources}; nothing to do", file=sys.stderr)
            return
        raw = spark.read.options(**READ_OPTIONS).schema(raw_schema()).json(paths)
        cleaned = clean(raw).cache()
        if cleaned.isEmpty():
            print(f"reviews_clean: no valid review under {paths}; the table is left as it is", file=sys.stderr)
            return
        cleaned.write.mode("overwrite").partitionBy("dt").parquet(args.target)
        if args.database and args.table:
            # The Glue Data Catalog is the metastore (the pipeline sets the Hive client factory): add the new partitions.
            spark.sql(f"MSCK REPAIR TABLE `{args.database}`.`{args.table}`")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
