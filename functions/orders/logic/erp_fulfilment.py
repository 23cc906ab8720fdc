"""A WMS shipment -> the ERP's item fulfilment of the sales order, exactly once (issue 10.2).

Each `OrderShipped` (one WMS `shipment.shipped`: a partial shipment is one of several) becomes one
NetSuite-style `itemFulfillment` created from the order's sales order, addressed by our external id
`<order_id>-<shipment_id>`: a redelivered or replayed event writes the same record again, never a
second fulfilment. The lines are the shipment's (SKU as the item's external id, quantity), the
package its tracking number and carrier; `shipStatus` C (shipped).

The order must be in the ERP first: an order we do not know yet, or one without its ERP sales order
(the ERP was down and the order waits in the backlog), is retried (`FulfilmentNotReady`, transient)
until the sales order is there, and after the queue's last receive kept as a dead-letter exception.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from shared.errors import PoisonMessage
from shared.models import OrderStatus
from shared.models.shipment import Shipment

HOP = "erp-fulfilment"


class FulfilmentNotReady(Exception):
    """The order is not (yet) in the ERP: retried with the message."""


class StoredOrder(Protocol):
    @property
    def order_id(self) -> str: ...

    @property
    def erp_sales_order_id(self) -> str | None: ...

    @property
    def status(self) -> OrderStatus: ...


class Orders(Protocol):
    """The state table's orders (shared/adapters/state_store.DynamoStateStore)."""

    def get_order(self, channel: str, channel_order_id: str) -> StoredOrder | None: ...

    def record_fulfilment(self, channel: str, channel_order_id: str, fulfilment: dict[str, Any]) -> None:
        """The shipment as the ERP took it, for the ops API's order view."""
        ...


class Fulfilments(Protocol):
    def upsert_item_fulfillment(self, external_id: str, record: dict[str, Any]) -> str: ...


class Trace(Protocol):
    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any]) -> None: ...


def fulfilment_record(order_id: str, shipment: Shipment) -> dict[str, Any]:
    record: dict[str, Any] = {
        "externalId": f"{order_id}-{shipment.shipment_id}",
        "createdFrom": {"externalId": order_id},
        "shipStatus": {"id": "C"},
        "tranDate": shipment.shipped_at.date().isoformat(),
        "memo": f"WMS shipment {shipment.shipment_id} from {shipment.location_id}",
        "item": {
            "items": [
                {"item": {"externalId": line.sku}, "quantity": line.quantity, "itemReceive": True}
                for line in shipment.lines
            ]
        },
    }
    if shipment.tracking_number:
        record["package"] = {
            "items": [{"packageTrackingNumber": shipment.tracking_number, "packageDescr": shipment.carrier or ""}]
        }
    return record


M = TypeVar("M", bound=BaseModel)


def event_model(model: type[M], detail: dict[str, Any], what: str) -> M:
    """The event's detail as `model` (its own fields; the bus adds `correlation_id`, `order_id`)."""
    try:
        return model.model_validate({k: v for k, v in detail.items() if k in model.model_fields})
    except ValueError as exc:
        raise PoisonMessage(what) from exc


def order_in_erp(orders: Orders, channel: str, channel_order_id: str, not_ready: type[Exception]) -> StoredOrder:
    """The stored order once its ERP sales order exists; else `not_ready` (retried with the message)."""
    order = orders.get_order(channel, channel_order_id)
    if order is None:
        raise not_ready(f"{channel} order {channel_order_id} is not recorded yet")
    if order.erp_sales_order_id is None:
        raise not_ready(f"order {order.order_id} has no ERP sales order yet")
    return order


def shipment_of(detail: dict[str, Any]) -> Shipment:
    """An OrderShipped event's shipment (PoisonMessage when it carries none)."""
    return event_model(Shipment, detail, "OrderShipped does not carry a shipment")


def fulfil(
    detail: dict[str, Any], orders: Orders, erp: Fulfilments, trace: Trace, now: Callable[[], datetime]
) -> dict[str, Any]:
    return fulfil_shipment(shipment_of(detail), str(detail.get("correlation_id") or ""), orders, erp, trace)


def fulfil_shipment(
    shipment: Shipment, correlation_id: str, orders: Orders, erp: Fulfilments, trace: Trace
) -> dict[str, Any]:
    order_id = order_in_erp(orders, shipment.channel, shipment.channel_order_id, FulfilmentNotReady).order_id
    record = fulfilment_record(order_id, shipment)
    internal_id = erp.upsert_item_fulfillment(record["externalId"], record)
    # After the ERP took it: a failure here retries the message, and the ERP write is idempotent.
    orders.record_fulfilment(
        shipment.channel,
        shipment.channel_order_id,
        {
            "shipment_id": shipment.shipment_id,
            "location_id": shipment.location_id,
            "lines": [line.model_dump(mode="json") for line in shipment.lines],
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "shipped_at": shipment.shipped_at.isoformat(),
            "erp_item_fulfillment_id": internal_id,
            "erp_external_id": record["externalId"],
        },
    )
    trace.record(
        correlation_id or order_id,
        HOP,
        "fulfilled",
        {"order_id": order_id, "shipment_id": shipment.shipment_id, "erp_item_fulfillment_id": internal_id},
    )
    return {"order_id": order_id, "external_id": record["externalId"], "erp_item_fulfillment_id": internal_id}
