from tests.fakes.fixtures import _offline_aws_env, aws, dynamodb  # noqa: F401  (pytest fixtures)
from tests.unit.ops.exception_fixtures import deps, store  # noqa: F401  (pytest fixtures)
