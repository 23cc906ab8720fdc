"""Canonical orders from the inbound fixtures' expected output, and shipments shaped like the WMS sends."""

from __future__ import annotations

from typing import Any

from shared.models import Order, Shipment
from tests.support.events import load_event, load_expected

INBOUND = {
    "walmart": "walmart/po_created",
    "amazon": "amazon/order_change_unshipped",
    "ebay": "ebay/order_confirmation",
    "shopify": "shopify/orders_create",
}


def canonical_order(channel: str) -> Order:
    """The order the channel's inbound fixture normalizes to (its `.expected.json`)."""
    expected: Any = load_expected(INBOUND[channel])
    [command] = [c for c in expected if c["command"] == "Order"]
    return Order.model_validate(command["data"])


def shipment_of(order: Order, **changes: Any) -> Shipment:
    """events/wms/shipment_shipped.json for every line of `order`."""
    wms = load_event("wms/shipment_shipped")
    data: dict[str, Any] = {
        "event_id": wms["event_id"],
        "shipment_id": wms["shipment_id"],
        "channel": order.channel,
        "channel_order_id": order.channel_order_id,
        "location_id": wms["location_id"],
        "lines": [{"sku": line.sku, "quantity": line.quantity} for line in order.lines],
        "carrier": wms["carrier"],
        "tracking_number": wms["tracking_number"],
        "source_sequence": wms["sequence"],
        "shipped_at": wms["shipped_at"],
    }
    data.update(changes)
    return Shipment.model_validate(data)


from tests.fakes.fixtures import _offline_aws_env, aws, dynamodb  # noqa: E402,F401
