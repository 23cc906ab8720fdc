"""The shared moto fixtures (`aws`, `dynamodb`) for the pull functions' adapter tests."""

from tests.fakes.fixtures import _offline_aws_env, aws, dynamodb

__all__ = ["_offline_aws_env", "aws", "dynamodb"]
