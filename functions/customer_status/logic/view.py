"""Compose the customer-safe status of one order from the items that hold the truth (issue 12.3).

Inputs are the state table's own items, read as plain values: the order (`ORDER#<ch>#<id>` /
`ORDER`), its shipments (`ORDERSHIPMENTS#<ch>#<id>` / `<shipment_id>`, recorded from OrderShipped
by this domain) and its returns (`RETURNCASE#...`, found through the order's returns ledger). The view
is recomposed on every read and every push, so an event that arrives late, twice or out of order
can never leave it behind the items: the items decide, events only say when to look again.

Only what `OrderStatusView` declares leaves this module (the model forbids anything else).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from functions.customer_status.models.status import (
    CustomerOrderStatus,
    CustomerReturnStatus,
    OrderStatusView,
    RefundView,
    ReturnView,
    ShipmentLine,
    ShipmentView,
    StatusLine,
)

_RETURN_STATUS = {
    "AWAITING_INSPECTION": CustomerReturnStatus.REQUESTED,
    "INSPECTED": CustomerReturnStatus.RECEIVED,
    "REFUNDED": CustomerReturnStatus.REFUNDED,
    "CLOSED": CustomerReturnStatus.CLOSED,
    "REJECTED": CustomerReturnStatus.REJECTED,
    "EXCEPTION": CustomerReturnStatus.UNDER_REVIEW,
}
_REFUNDED = {"POSTED", "REFUNDED_BY_CHANNEL"}


def _order_status(internal: str, ordered: int, shipped: int) -> CustomerOrderStatus:
    if internal == "CANCELLED":
        return CustomerOrderStatus.CANCELLED
    if shipped and shipped >= ordered:
        return CustomerOrderStatus.SHIPPED
    if shipped:
        return CustomerOrderStatus.PARTIALLY_SHIPPED
    if internal == "ON_HOLD":
        return CustomerOrderStatus.ON_HOLD
    if internal == "ACCEPTED":
        return CustomerOrderStatus.CONFIRMED
    return CustomerOrderStatus.PROCESSING  # RECEIVED, ERP_FAILED (parked): not the customer's news


def _shipment(item: Mapping[str, Any]) -> ShipmentView:
    return ShipmentView(
        carrier=item.get("carrier"),
        tracking_number=item.get("tracking_number"),
        shipped_at=str(item["shipped_at"]),
        lines=[ShipmentLine(sku=str(line["sku"]), quantity=int(line["quantity"])) for line in item["lines"]],
    )


def _return(item: Mapping[str, Any]) -> ReturnView:
    refund = item.get("refund") or {}
    status = _RETURN_STATUS.get(str(item.get("status")), CustomerReturnStatus.UNDER_REVIEW)
    refund_status = "REFUNDED" if refund.get("status") in _REFUNDED else str(refund.get("status") or "PENDING")
    if status is CustomerReturnStatus.REJECTED:
        refund_status = "NONE"
    return ReturnView(
        reference=str(item["source_return_id"]),
        status=status,
        requested_at=str(item.get("authorized_at") or item["created_at"]),
        lines=[ShipmentLine(sku=str(line["sku"]), quantity=int(line["quantity"])) for line in item.get("lines", [])],
        refund=RefundView(
            status=refund_status,
            amount=None if refund_status == "NONE" else refund.get("amount"),
            currency=refund.get("currency"),
            refunded_at=item.get("refunded_at") if refund_status == "REFUNDED" else None,
        ),
    )


def compose(
    order: Mapping[str, Any], shipments: Iterable[Mapping[str, Any]], returns: Iterable[Mapping[str, Any]]
) -> OrderStatusView:
    """The view of one order: its lines with what shipped, its parcels, its returns and refunds."""
    returns = list(returns)
    parcels = sorted((_shipment(item) for item in shipments), key=lambda s: s.shipped_at)
    cases = sorted((_return(item) for item in returns), key=lambda r: (r.requested_at, r.reference))
    remaining: Counter[str] = Counter()  # shipped units not yet set against an order line
    for parcel in parcels:
        for shipped in parcel.lines:
            remaining[shipped.sku] += shipped.quantity
    internal = str(order.get("status", "RECEIVED"))
    cancelled = internal == "CANCELLED"
    lines: list[StatusLine] = []
    for line in order.get("lines", []):
        sku, quantity = str(line["sku"]), int(line["quantity"])
        out = min(quantity, remaining[sku])
        remaining[sku] -= out
        lines.append(
            StatusLine(
                sku=sku,
                title=line.get("title"),
                quantity=quantity,
                shipped=out,
                cancelled=quantity - out if cancelled else 0,
            )
        )
    placed = order.get("order") or {}
    stamps = [str(order.get("updated_at", ""))]
    stamps += [parcel.shipped_at for parcel in parcels]
    stamps += [str(item.get("updated_at", "")) for item in returns]
    return OrderStatusView(
        channel=str(order["channel"]),
        channel_order_id=str(order["channel_order_id"]),
        status=_order_status(internal, sum(line.quantity for line in lines), sum(line.shipped for line in lines)),
        placed_at=placed.get("placed_at"),
        currency=placed.get("currency"),
        updated_at=max(stamps),
        lines=lines,
        shipments=parcels,
        returns=cases,
    )


def digest(view: OrderStatusView) -> str:
    """What the customer would see, as a short fingerprint: equal views push once (`updated_at` is
    left out, so a write that changed nothing visible pushes nothing)."""
    visible = view.model_dump(mode="json", exclude={"updated_at"})
    return hashlib.sha256(json.dumps(visible, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:32]
