"""S3 buckets made one way: S3-managed encryption, TLS only, no public access, no ACLs, a readable
logical id."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.shared.logical_ids import pin_logical_id


def private_bucket(scope: Construct, construct_id: str, **props: Any) -> s3.Bucket:
    """An SSE-S3 bucket that refuses plain HTTP and public access and owns its objects, whose logical id
    is `construct_id`; `props` are the bucket's other properties."""
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        **props,
    )
    pin_logical_id(bucket, construct_id)
    return bucket
