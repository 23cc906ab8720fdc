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
newest version carries no address changes nothing in the ERP (traced as skipped). Line changes in
an update are not written to the ERP or the reservation here: a channel's line cancellation comes as
`OrderLinesCancelled`, which releases its reserved units (functions/orders/logic/line_cancellation.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from functions.orders.logic.erp_fulfilment import Orders, Trace, event_model, order_in_erp
from functions.orders.logic.erp_mapping import erp_address
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


def newest(updates: list[OrderUpdate]) -> OrderUpdate | None:
    return max(updates, key=lambda u: (u.updated_at, u.change_id), default=None)


def sync_update(
    detail: dict[str, Any], orders: Orders, updates: Updates, erp: SalesOrders, trace: Trace
) -> dict[str, Any]:
    correlation_id = str(detail.get("correlation_id") or "")
    event = event_model(OrderUpdate, detail, "OrderUpdated does not carry an order update")
    order = order_in_erp(orders, event.channel, event.channel_order_id, ErpUpdateNotReady)
    latest = newest([*updates.applied_updates(event.channel, event.channel_order_id), event])
    assert latest is not None
    where = {"order_id": order.order_id, "change_id": latest.change_id, "updated_at": latest.updated_at.isoformat()}
    if latest.shipping_address is None:
        trace.record(correlation_id or order.order_id, HOP, "erp_update_skipped", {**where, "reason": "no_address"})
        return {**where, "status": "skipped"}
    erp.update_sales_order(order.order_id, {"shippingAddress": erp_address(latest.shipping_address)})
    trace.record(
        correlation_id or order.order_id,
        HOP,
        "erp_updated",
        {**where, "newest_of_event": latest.change_id == event.change_id},
    )
    return {**where, "status": "updated"}
