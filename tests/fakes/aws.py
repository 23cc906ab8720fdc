"""moto tables shaped as docs/wiring.md describes them."""

from __future__ import annotations

from typing import Any

STATE_TABLE = "state"
TRACE_TABLE = "trace"
IDEMPOTENCY_TABLE = "idempotency"
REGION = "us-east-1"


def _create_table(dynamodb: Any, name: str, *keys: str) -> None:
    """A pay-per-request table keyed by string attributes: `keys` are the hash key, then the range key."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, ("HASH", "RANGE"), strict=False)],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
        BillingMode="PAY_PER_REQUEST",
    )


def create_state_table(dynamodb: Any, name: str = STATE_TABLE) -> None:
    _create_table(dynamodb, name, "pk", "sk")


def create_trace_table(dynamodb: Any, name: str = TRACE_TABLE) -> None:
    _create_table(dynamodb, name, "correlation_id", "sk")


def create_idempotency_table(dynamodb: Any, name: str = IDEMPOTENCY_TABLE) -> None:
    _create_table(dynamodb, name, "id")
