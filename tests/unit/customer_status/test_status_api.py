"""GET /v1/status/orders/{channel}/{channel_order_id}: the customer-safe view, or the contract's errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.customer_status.dal.status_store import DynamoStatusStore
from functions.customer_status.handlers.status_api import lambda_handler
from tests.fakes.aws import STATE_TABLE
from tests.support.apigw import FakeLambdaContext
from tests.unit.customer_status.conftest import PII, record_order


def _get(dynamodb: Any, channel: str, channel_order_id: str) -> tuple[int, Any]:
    event = {
        "httpMethod": "GET",
        "resource": "/v1/status/orders/{channel}/{channel_order_id}",
        "path": f"/v1/status/orders/{channel}/{channel_order_id}",
        "pathParameters": {"channel": channel, "channel_order_id": channel_order_id},
        "requestContext": {"requestId": "req-1"},
        "headers": {"x-api-key": "k"},
    }
    answer = lambda_handler(event, FakeLambdaContext(), store=DynamoStatusStore(STATE_TABLE, client=dynamodb))
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]
    return answer["statusCode"], json.loads(answer["body"])


def test_a_known_order_answers_its_customer_safe_view(dynamodb: Any) -> None:
    record_order(dynamodb)
    status, body = _get(dynamodb, "shopify", "1001")
    assert status == 200
    assert set(body) == {
        "channel",
        "channel_order_id",
        "status",
        "placed_at",
        "currency",
        "updated_at",
        "lines",
        "shipments",
        "returns",
    }
    assert body["status"] == "CONFIRMED" and body["shipments"] == [] and body["returns"] == []
    assert not any(secret in json.dumps(body) for secret in (*PII, "SO-INTERNAL-9", "corr-internal-1"))


def test_an_unknown_order_is_404_in_the_contract_shape(dynamodb: Any) -> None:
    status, body = _get(dynamodb, "shopify", "404404")
    assert status == 404
    error = {"code": "NOT_FOUND", "message": "no order 404404 from shopify", "correlation_id": "req-1"}
    assert body == {"error": error}


@pytest.mark.parametrize(("channel", "order"), [("Shop!fy", "1001"), ("shopify", "x" * 129), ("shopify", "a/b")])
def test_a_path_that_cannot_name_an_order_is_400(dynamodb: Any, channel: str, order: str) -> None:
    status, body = _get(dynamodb, channel, order)
    assert status == 400 and body["error"]["code"] == "VALIDATION_FAILED"
