"""Turns curated reviews into feature vectors with Ray Data: a hashed bag-of-words embedding per review.

Run by a Ray pipeline (engine: ray) as a RayJob in the cluster, which passes where to read and write:
  --sources s3://<curated bucket>/[,s3://...]   zones to read (comma-separated)
  --target  s3://<features bucket>/<pipeline>/   where the features are written (new files each run)
  --input-prefix reviews/                        the table under each source (default: reviews/, what the
                                                 reviews-nightly Spark pipeline writes)

Reads Parquet with review_id and review_text, writes Parquet with review_id, tokens and embedding (DIMS floats,
L2-normalized). The embedding needs no model download (the pods have no internet egress): each token is hashed
into one of DIMS buckets with a sign, as the "hashing trick" does. No input yet (the prefix does not exist): the job
logs it and succeeds; any other error (access denied, no credentials) fails the run, so the run alert fires.

S3 is read and written with the pod's EKS Pod Identity credentials as botocore resolves them (its container
credentials provider reads AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE from botocore
1.34.41 on: EKS user guide, "Use pod identity with the AWS SDK"), handed to pyarrow's S3 filesystem: pyarrow's own
AWS C++ SDK may predate Pod Identity support (1.11.263), and the node's metadata service is not reachable from the
pods. The credentials are taken once: a run must end within their lifetime (hours; runTimeoutMinutes bounds it).
"""

import argparse
import hashlib
import math
import re
import sys

DIMS = 64
DEFAULT_INPUT_PREFIX = "reviews/"
TOKEN = re.compile(r"[a-z0-9']+")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", required=True, help="comma-separated s3:// URIs of the zones to read")
    parser.add_argument("--target", required=True, help="s3:// URI the features are written under")
    parser.add_argument("--input-prefix", default=DEFAULT_INPUT_PREFIX, help="key prefix of the table under each source")
    return parser.parse_args(argv)


def input_paths(sources, input_prefix):
    """Each source bucket URI joined with the prefix: s3://b/ + reviews/ -> s3://b/reviews/."""
    prefix = input_prefix.strip("/")
    return [f"{s.rstrip('/')}/{prefix}/" for s in sources.split(",") if s.strip()]


def embed(text, dims=DIMS):
    """A signed hashed bag of words, L2-normalized (all zeros for a text without words)."""
    vector = [0.0] * dims
    for token in TOKEN.findall((text or "").lower()):
        digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        vector[value % dims] += 1.0 if (value >> 63) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm > 0 else vector


def s3_filesystem(bucket):
    """pyarrow's S3 filesystem with the pod's credentials (see the module docstring), in the bucket's region."""
    import boto3
    from pyarrow import fs

    session = boto3.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials: is the pipeline's Pod Identity association in place?")
    frozen = credentials.get_frozen_credentials()
    return fs.S3FileSystem(
        access_key=frozen.access_key,
        secret_key=frozen.secret_key,
        session_token=frozen.token,
        region=session.region_name or fs.resolve_s3_region(bucket),
    )


def bucket_of(uri):
    """s3://bucket/key -> bucket."""
    return uri.split("://", 1)[-1].split("/", 1)[0]


def featurize(batch):
    """A Ray Data batch (pandas DataFrame) of reviews -> review_id, tokens, embedding."""
    import pandas as pd

    texts = batch["review_text"].fillna("")
    return pd.DataFrame(
        {
            "review_id": batch["review_id"],
            "tokens": [len(TOKEN.findall(t.lower())) for t in texts],
            "embedding": [embed(t) for t in texts],
        }
    )


def main(argv=None):
    args = parse_args(argv)
    import ray

    ray.init()
    paths = input_paths(args.sources, args.input_prefix)
    filesystem = s3_filesystem(bucket_of(args.target))
    try:
        reviews = ray.data.read_parquet(paths, columns=["review_id", "review_text"], filesystem=filesystem)
    except FileNotFoundError as e:
        print(f"no input under {paths}: {e}; nothing to do", file=sys.stderr)
        return 0
    features = reviews.map_batches(featurize, batch_format="pandas")
    features.write_parquet(args.target, filesystem=filesystem)
    print(f"wrote features of {paths} to {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
