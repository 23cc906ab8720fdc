"""Canonical models, envelopes, SQS events and Lambda contexts for tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from shared.models import Envelope, InventoryAdjustment, Order, OrderCancellation, Shipment

PLACED_AT = "2026-11-23T10:00:00Z"


def order(
    channel_order_id: str = "1001",
    lines: dict[str, int] | None = None,
    *,
    channel: str = "shopify",
    location_id: str | None = None,
    price: str = "19.99",
    **extra: Any,
) -> Order:
    """An order with one line per SKU (`{"SKU-1": 2}`)."""
    lines = lines or {"SKU-1": 1}
    return Order.model_validate(
        {
            "channel": channel,
            "channel_order_id": channel_order_id,
            "placed_at": PLACED_AT,
            "currency": "USD",
            "fulfilment_location_id": location_id,
            "lines": [
                {
                    "line_id": str(i),
                    "sku": sku,
                    "quantity": q,
                    "unit_price": {"amount": price, "currency": "USD"},
                }
                for i, (sku, q) in enumerate(lines.items(), start=1)
            ],
            **extra,
        }
    )


def cancellation(
    channel_order_id: str = "1001", *, channel: str = "shopify", reason: str = "customer"
) -> OrderCancellation:
    return OrderCancellation(
        channel=channel,
        channel_order_id=channel_order_id,
        cancelled_at=PLACED_AT,
        reason=reason,  # type: ignore[arg-type]
    )


def adjustment(
    sku: str = "SKU-1", on_hand: int = 10, sequence: int = 1, location_id: str = "dc-east"
) -> InventoryAdjustment:
    return InventoryAdjustment(
        event_id=f"adj-{sku}-{sequence}",
        sku=sku,
        location_id=location_id,
        on_hand=on_hand,
        source_sequence=sequence,
        occurred_at=PLACED_AT,  # type: ignore[arg-type]
    )


def shipment(
    channel_order_id: str = "1001",
    lines: dict[str, int] | None = None,
    *,
    sequence: int = 10,
    location_id: str = "dc-east",
    shipment_id: str = "shp-1",
    channel: str = "shopify",
) -> Shipment:
    return Shipment.model_validate(
        {
            "event_id": f"ship-{shipment_id}-{sequence}",
            "shipment_id": shipment_id,
            "channel": channel,
            "channel_order_id": channel_order_id,
            "location_id": location_id,
            "lines": [{"sku": sku, "quantity": q} for sku, q in (lines or {"SKU-1": 1}).items()],
            "source_sequence": sequence,
            "shipped_at": PLACED_AT,
        }
    )


def envelope(
    event_id: str = "evt-000000000001",
    *,
    source: str = "shopify",
    domain: str = "orders",
    payload: dict[str, Any] | None = None,
    payload_ref: str | None = None,
    correlation_id: str | None = None,
) -> Envelope:
    return Envelope.model_validate(
        {
            "event_id": event_id,
            "source": source,
            "event_type": "orders/create",
            "domain": domain,
            "delivery_id": f"dlv-{event_id}",
            "correlation_id": correlation_id or f"correlation-{event_id}",
            "payload": payload if payload is not None or payload_ref else {"id": 1},
            "payload_ref": payload_ref,
        }
    )


def sqs_record(body: str, *, message_id: str | None = None, receive_count: int = 1) -> dict[str, Any]:
    return {
        "messageId": message_id or uuid.uuid4().hex,
        "receiptHandle": "rh",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1700000000000",
            "SenderId": "test",
            "ApproximateFirstReceiveTimestamp": "1700000000000",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders",
        "awsRegion": "us-east-1",
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def envelope_record(env: Envelope, **kwargs: Any) -> dict[str, Any]:
    return sqs_record(env.model_dump_json(), **kwargs)


def json_body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
