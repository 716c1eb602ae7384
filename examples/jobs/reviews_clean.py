"""Cleans raw product reviews into a partitioned Parquet table.

Run by a DataPipeline on EMR Serverless, which passes where to read and write:
  --sources s3://<raw bucket>/[,s3://...]   zones to read (comma-separated)
  --target  s3://<curated bucket>/<table>/   where the table's files live
  --database <glue db> --table <name>        the Glue table to register partitions in (optional)
  --input-prefix reviews/                    where under each source the raw JSON is (optional)

Reads JSON lines such as {"review_id": "r1", "product_id": "p1", "rating": 5, "review_text": "...",
"review_ts": "2026-11-30T10:15:00Z"}, drops records without their keys, keeps one record per review_id (the
latest), adds a dt=yyyy-mm-dd partition from review_ts and overwrites only the partitions it writes.
"""

import argparse

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

KEY_FIELDS = ["review_id", "product_id", "review_ts"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", required=True, help="comma-separated s3:// URIs of the zones to read")
    parser.add_argument("--target", required=True, help="s3:// URI the table's files are written under")
    parser.add_argument("--database", help="Glue database of the table")
    parser.add_argument("--table", help="Glue table to register the new partitions in")
    parser.add_argument("--input-prefix", default="", help="key prefix of the raw JSON under each source")
    return parser.parse_args(argv)


def clean(raw):
    """Typed, complete, one row per review (the latest), with its dt partition."""
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
    args = parse_args(argv)
    spark = (
        SparkSession.builder.appName("reviews_clean")
        # Rewrite only the dt partitions present in this run's output.
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .enableHiveSupport()
        .getOrCreate()
    )
    paths = [uri.rstrip("/") + "/" + args.input_prefix.lstrip("/") for uri in args.sources.split(",") if uri]
    raw = spark.read.option("recursiveFileLookup", "true").json(paths)
    cleaned = clean(raw)
    cleaned.write.mode("overwrite").partitionBy("dt").parquet(args.target)
    if args.database and args.table:
        # The Glue Data Catalog is the metastore (the pipeline sets the Hive client factory): add the new partitions.
        spark.sql(f"MSCK REPAIR TABLE `{args.database}`.`{args.table}`")
    spark.stop()


if __name__ == "__main__":
    main()
