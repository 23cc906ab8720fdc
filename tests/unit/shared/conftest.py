from tests.fakes.fixtures import _offline_aws_env, aws, dynamodb  # noqa: F401  (pytest fixtures)
from tests.support.sandboxes import serve  # noqa: F401  (a pytest fixture)
