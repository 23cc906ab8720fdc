"""A sample of `make fuzz` in `make test`: generated requests against the webhook and ops routes of
a local stack of its own (tests/fuzz/engine.py says what is generated and what every answer must
be). `make fuzz` sends 10,000; this sends a few hundred, the same every run (derandomized)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest

from local.config import LocalConfig
from local.stack import LocalStack
from tests.fuzz.engine import replay_every_source, run, webhook_fixtures

SAMPLE_REQUESTS = 250


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with LocalStack(LocalConfig(api_port=0, aws_port=0, sandbox_base_port=0, schedules=False, quiet=True)) as running:
        yield running


def test_every_source_has_a_real_fixture_to_tamper_with() -> None:
    assert set(webhook_fixtures()) >= {"shopify", "square", "walmart", "ebay", "loop", "wms"}


def test_a_delivery_sent_twice_is_queued_once_and_a_stale_signature_is_refused(stack: LocalStack) -> None:
    assert replay_every_source(stack.api_url) == []


def test_generated_requests_get_no_5xx_and_only_contract_errors_and_refusals_leave_nothing(stack: LocalStack) -> None:
    tally = run(stack.api_url, SAMPLE_REQUESTS)
    assert tally.requests == SAMPLE_REQUESTS
    assert tally.failures == [], tally.summary()
    assert not any(status >= 500 for status in tally.by_status), tally.summary()
    # The sample really reached the signature check and the refusals, not only 404s.
    assert tally.by_status[401] > 10 and tally.by_status[400] > 10, tally.summary()
