"""An order's newest update -> its ERP sales order (issue 10.4): convergent under redelivery and
reordering.

An `OrderUpdated` (Shopify `orders/updated`: the buyer or the merchant changed the shipping address)
is recorded by the orders worker once per change under the order (`CHANGE#update#<change_id>`). This
step does not trust the event it is handed to be the newest: it reads the order's applied updates,
takes the newest by the channel's `updated_at`, and writes its shipping address to the sales order
(`PATCH salesOrder/eid:<order id>`, `shippingAddress`). A redelivered event, or an older one
arriving after a newer one, writes the newest address again: the ERP ends with the channel's
latest address whatever the order of delivery, and nothing is written twice in a harmful way.

The order must be in the ERP first: an order not yet recorded, or without its sales order (the ERP
was down and it waits in the backlog), is retried with its message (`ErpUpdateNotReady`) until it
is there, then kept as a dead-letter exception after the queue's last receive. An update whose
newest version carries no address changes nothing in the ERP's address (traced as skipped). The
newest update's lines go to the stock, the warehouse and the ERP's item lines
(functions/orders/logic/line_changes.py) when `lines` (the order's stock and instructions) is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.orders.logic.erp_fulfilment import Orders, Trace, event_model, order_in_erp
from functions.orders.logic.erp_mapping import erp_address
from functions.orders.logic.fulfilment_release import Instructions, Warehouse
from functions.orders.logic.line_changes import apply_line_changes
from shared.adapters.state_store import StateStore
from shared.models.order_changes import OrderUpdate

HOP = "erp-order-update"


class ErpUpdateNotReady(Exception):
    """The order is not (yet) in the ERP: retried with the message."""


class Updates(Protocol):
    def applied_updates(self, channel: str, channel_order_id: str) -> list[OrderUpdate]:
        """Every update recorded APPLIED for the order (any order)."""
        ...


class SalesOrders(Protocol):
    def update_sales_order(self, order_id: str, fields: dict[str, Any]) -> None: ...

    def close_sales_order_lines(self, order_id: str, items: list[dict[str, Any]]) -> None: ...


def newest(updates: list[OrderUpdate]) -> OrderUpdate | None:
    return max(updates, key=lambda u: (u.updated_at, u.change_id), default=None)


@dataclass(frozen=True)
class LineChangePorts:
    """What a line change touches besides the ERP: the order's stock and its instructions."""

    store: StateStore
    instructions: Instructions
    warehouse: Warehouse
    now: Callable[[], datetime]


def sync_update(  # noqa: PLR0913 - the update's three systems and its trace
    detail: dict[str, Any],
    orders: Orders,
    updates: Updates,
    erp: SalesOrders,
    trace: Trace,
    lines: LineChangePorts | None = None,
) -> dict[str, Any]:
    correlation_id = str(detail.get("correlation_id") or "")
    event = event_model(OrderUpdate, detail, "OrderUpdated does not carry an order update")
    order = order_in_erp(orders, event.channel, event.channel_order_id, ErpUpdateNotReady)
    latest = newest([*updates.applied_updates(event.channel, event.channel_order_id), event])
    assert latest is not None
    where = {"order_id": order.order_id, "change_id": latest.change_id, "updated_at": latest.updated_at.isoformat()}
    changed_lines = _line_changes(latest, event, lines, erp, trace, correlation_id or order.order_id)
    if latest.shipping_address is None:
        trace.record(correlation_id or order.order_id, HOP, "erp_update_skipped", {**where, "reason": "no_address"})
        return {**where, "status": "skipped", "lines": changed_lines}
    erp.update_sales_order(order.order_id, {"shippingAddress": erp_address(latest.shipping_address)})
    trace.record(
        correlation_id or order.order_id,
        HOP,
        "erp_updated",
        {**where, "newest_of_event": latest.change_id == event.change_id},
    )
    return {**where, "status": "updated", "lines": changed_lines}


def _line_changes(
    latest: OrderUpdate,
    event: OrderUpdate,
    ports: LineChangePorts | None,
    erp: SalesOrders,
    trace: Trace,
    correlation_id: str,
) -> dict[str, Any] | None:
    if ports is None or latest.lines is None:
        return None
    record = ports.store.get_order(event.channel, event.channel_order_id)
    if record is None or record.order is None:
        return None
    return apply_line_changes(
        latest, record.order, ports.store, ports.instructions, ports.warehouse, erp, trace, correlation_id, ports.now
    )
