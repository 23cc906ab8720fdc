"""Watermarks in the state table: read back exactly, and never moved backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from functions.intake.adapters.watermarks import DynamoWatermarkStore
from tests.fakes.aws import STATE_TABLE

T = datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=UTC)


def _store(aws: boto3.session.Session) -> DynamoWatermarkStore:
    return DynamoWatermarkStore(STATE_TABLE, table=aws.resource("dynamodb").Table(STATE_TABLE))


def test_a_poller_has_no_watermark_before_its_first_run(dynamodb: Any, aws: boto3.session.Session) -> None:
    assert _store(aws).load("zalando-orders") is None


def test_a_stored_watermark_reads_back_to_the_microsecond(dynamodb: Any, aws: boto3.session.Session) -> None:
    store = _store(aws)

    assert store.advance("zalando-orders", T, {"accepted": 2, "window": {"after": "a", "before": "b"}}) is True

    assert store.load("zalando-orders") == T
    item = aws.resource("dynamodb").Table(STATE_TABLE).get_item(Key={"pk": "POLLER#zalando-orders", "sk": "WATERMARK"})
    last_run: Any = item["Item"]["last_run"]
    assert last_run["accepted"] == 2


def test_a_slow_run_finishing_late_does_not_move_the_watermark_back(dynamodb: Any, aws: boto3.session.Session) -> None:
    store = _store(aws)
    store.advance("amazon-orders", T, {})

    assert store.advance("amazon-orders", T - timedelta(minutes=5), {}) is False
    assert store.load("amazon-orders") == T
    assert store.advance("amazon-orders", T + timedelta(seconds=1), {}) is True
