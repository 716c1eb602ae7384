"""Plain-python tests of examples/jobs/reviews_clean.py (no Spark here): its pure helpers, and main() against a
fake SparkSession that records what the job reads and writes. Run: python3 test/pipelines/jobs/test_reviews_clean.py"""

import fnmatch
import importlib.util
import os
import re
import sys
import types
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "jobs", "reviews_clean.py")


def load():
    spec = importlib.util.spec_from_file_location("reviews_clean", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def glob_matches(pattern, name):
    """Hadoop GlobPattern on a file name, for the subset the job uses: `*` and one `{a,b}` alternation."""
    m = re.search(r"\{([^}]*)\}", pattern)
    alternatives = [pattern[: m.start()] + a + pattern[m.end():] for a in m.group(1).split(",")] if m else [pattern]
    return any(fnmatch.fnmatchcase(name, a) for a in alternatives)


class FakeSpark:
    """Records the job's calls; `present` are the paths that exist, `rows` whether cleaning leaves any record."""

    def __init__(self, present, rows):
        self.present, self.rows, self.calls = present, rows, []
        spark = self

        class Reader:
            def options(self, **o):
                spark.calls.append(("options", o))
                return self

            def schema(self, s):
                return self

            def json(self, paths):
                spark.calls.append(("read", paths))
                return "raw"

        class Frame:
            def cache(self):
                return self

            def isEmpty(self):
                return not spark.rows

            @property
            def write(self):
                spark.calls.append(("write",))
                return types.SimpleNamespace(mode=lambda m: types.SimpleNamespace(partitionBy=lambda k: types.SimpleNamespace(parquet=lambda t: None)))

        self.read = Reader()
        self.frame = Frame()

    def sql(self, q):
        self.calls.append(("sql", q))

    def stop(self):
        self.calls.append(("stop",))


def run_main(module, present, rows, argv):
    fake = FakeSpark(present, rows)

    class Builder:
        def appName(self, n):
            return self

        def config(self, k, v):
            return self

        def enableHiveSupport(self):
            return self

        def getOrCreate(self):
            return fake

    pyspark = types.ModuleType("pyspark")
    sql = types.ModuleType("pyspark.sql")
    sql.SparkSession = types.SimpleNamespace(builder=Builder())
    saved = {k: sys.modules.get(k) for k in ("pyspark", "pyspark.sql")}
    sys.modules.update({"pyspark": pyspark, "pyspark.sql": sql})
    module.existing = lambda spark, paths: [p for p in paths if p in present]
    module.raw_schema = lambda: "schema"
    module.clean = lambda raw: fake.frame
    try:
        module.main(argv)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return fake.calls


class ReviewsCleanTest(unittest.TestCase):
    def setUp(self):
        self.job = load()  # without pyspark installed: the helpers import nothing of Spark at module level

    def test_reads_only_the_input_prefix_of_each_source(self):
        self.assertEqual(
            self.job.input_paths("s3://raw-a/,s3://raw-b,,", "/reviews"),
            ["s3://raw-a/reviews/", "s3://raw-b/reviews/"],
        )
        self.assertEqual(self.job.input_paths("s3://raw/", ""), ["s3://raw/"])

    def test_the_nightly_run_reads_reviews_by_default_not_the_whole_zone(self):
        args = self.job.parse_args(["--sources", "s3://raw/", "--target", "s3://curated/reviews/"])
        self.assertEqual(self.job.input_paths(args.sources, args.input_prefix), ["s3://raw/reviews/"])

    def test_only_json_files_are_read_in_a_mixed_zone(self):
        glob = self.job.READ_OPTIONS["pathGlobFilter"]
        read = [n for n in ["a.json", "b.jsonl", "c.json.gz", "d.jsonl.gz", "e.csv", "f.parquet", "_READY", "g.png", "h.json.tmp"] if glob_matches(glob, n)]
        self.assertEqual(read, ["a.json", "b.jsonl", "c.json.gz", "d.jsonl.gz"])
        self.assertEqual(self.job.READ_OPTIONS["recursiveFileLookup"], "true")
        self.assertEqual(self.job.READ_OPTIONS["ignoreCorruptFiles"], "true")
        self.assertEqual(self.job.READ_OPTIONS["mode"], "PERMISSIVE")

    def test_no_input_ends_without_reading_or_writing(self):
        calls = run_main(self.job, present=[], rows=True, argv=["--sources", "s3://raw/", "--target", "s3://curated/reviews/"])
        self.assertEqual(calls, [("stop",)])

    def test_input_without_a_valid_record_leaves_the_table_alone(self):
        calls = run_main(self.job, present=["s3://raw/reviews/"], rows=False,
                         argv=["--sources", "s3://raw/", "--target", "s3://t/", "--database", "db", "--table", "reviews"])
        self.assertIn(("read", ["s3://raw/reviews/"]), calls)
        self.assertNotIn(("write",), calls)
        self.assertFalse([c for c in calls if c[0] == "sql"])
        self.assertEqual(calls[-1], ("stop",))

    def test_with_records_writes_and_registers_partitions_of_existing_sources_only(self):
        calls = run_main(self.job, present=["s3://b/reviews/"], rows=True,
                         argv=["--sources", "s3://a/,s3://b/", "--target", "s3://t/", "--database", "db", "--table", "reviews"])
        self.assertIn(("read", ["s3://b/reviews/"]), calls)
        self.assertIn(("options", self.job.READ_OPTIONS), calls)
        self.assertIn(("write",), calls)
        self.assertIn(("sql", "MSCK REPAIR TABLE `db`.`reviews`"), calls)


if __name__ == "__main__":
    unittest.main()
