"""The local stack for integration tests: the synthesized template deployed into moto, on free ports.

`local_stack` boots once per session (synthesis is the slow part, about 7 s) with queue visibility
timeouts scaled to 1 % (a poison message reaches its DLQ in about 5 s), the schedule clock off
(`local_stack.fire_schedule(...)` fires one on demand) and handler logs at WARNING. While it runs,
the process environment points boto3 at moto; the stack stops, and the environment is restored,
after the last test of this directory, so later tests (unit tests with `mock_aws`) see none of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.config import LocalConfig
from local.key_audit import KeyAudit, stack_audit
from local.stack import LocalStack
from tests.integration.flows import Flows, close_flows, open_flows

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VISIBILITY_SCALE = 0.01
# State machine Retry waits at a tenth: an ERP outage parks an order after about 1.4 s, not 14 s.
RETRY_SCALE = 0.1

_stack: LocalStack | None = None
_audit: KeyAudit | None = None


def _config() -> LocalConfig:
    return LocalConfig(
        api_port=0,
        aws_port=0,
        sandbox_base_port=0,
        visibility_scale=VISIBILITY_SCALE,
        retry_scale=RETRY_SCALE,
        schedules=False,
        quiet=True,
        project_root=ROOT,
    )


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    global _stack, _audit
    _stack = LocalStack(_config())
    _stack.start()
    _audit = stack_audit(_stack)
    with _audit.installed():
        yield _stack
    _stack.stop()
    _stack = None
    if os.environ.get("RETAIL_SYNC_KEY_AUDIT_OUT"):  # what each function touched, for narrowing a grant
        _audit.dump(Path(os.environ["RETAIL_SYNC_KEY_AUDIT_OUT"]))
    # Every table access of every function in these tests is within its IAM grants (moto does not
    # enforce them): a grant narrowed past what the code really touches fails here (local/key_audit.py).
    assert not _audit.violations(), "accesses the template does not grant:\n" + _audit.report()


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Stopped early below but asked for again (the test order was shuffled): boot it again.
    if _stack is not None and not _stack.ready and "local_stack" in getattr(item, "fixturenames", ()):
        _stack.start()
        if _audit is not None:
            stack_audit(_stack, _audit)


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if _stack is not None and _stack.ready and (nextitem is None or HERE not in Path(nextitem.path).parents):
        _stack.stop()


@pytest.fixture
def flows(local_stack: LocalStack) -> Iterator[Flows]:
    """The flow driver (tests/integration/flows.py): unique ids per test, sandbox faults reset after."""
    driver = open_flows(local_stack)
    yield driver
    close_flows(driver)
