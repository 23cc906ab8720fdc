"""Pytest fixtures shared by the orders, inventory and ops unit tests (imported by their conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.fakes.aws import REGION, create_idempotency_table, create_state_table, create_trace_table


@pytest.fixture(autouse=True)
def _offline_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real credentials or endpoints can ever be reached from a unit test."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "RetailSyncTest")


@pytest.fixture
def aws() -> Iterator[boto3.session.Session]:
    with mock_aws():
        yield boto3.session.Session(region_name=REGION)


@pytest.fixture
def dynamodb(aws: boto3.session.Session) -> Any:
    client = aws.client("dynamodb")
    create_state_table(client)
    create_trace_table(client)
    create_idempotency_table(client)
    return client
