"""Which of the channel's order lines a shipment covers: SKU quantities -> the channel's line ids.

The canonical order keeps each channel line id as `line_id` (Shopify line item id, Amazon
OrderItemId, Walmart lineNumber, eBay lineItemId). A shipment names SKUs and quantities, so its
units are spread over the order's lines of that SKU in order; a SKU the order does not have, or
more units than it ordered, can never be confirmed (ShipmentMismatch, permanent).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Rejected
from shared.models import Order, Shipment


class ShipmentMismatch(Rejected):
    """The shipment does not fit the order's lines."""


@dataclass(frozen=True)
class ShippedLine:
    line_id: str
    sku: str
    quantity: int


def shipped_lines(order: Order, shipment: Shipment) -> list[ShippedLine]:
    """The order lines the shipment covers, with the units shipped on each (order line order)."""
    wanted: dict[str, int] = {}
    for shipped in shipment.lines:
        wanted[shipped.sku] = wanted.get(shipped.sku, 0) + shipped.quantity
    unknown = sorted(set(wanted) - {line.sku for line in order.lines})
    if unknown:
        raise ShipmentMismatch(f"shipment {shipment.shipment_id}: SKUs not on the order: {', '.join(unknown)}")
    covered: list[ShippedLine] = []
    for line in order.lines:
        take = min(line.quantity, wanted.get(line.sku, 0))
        if take:
            covered.append(ShippedLine(line.line_id, line.sku, take))
            wanted[line.sku] -= take
    over = {sku: units for sku, units in wanted.items() if units}
    if over:
        raise ShipmentMismatch(f"shipment {shipment.shipment_id}: more units than ordered: {over}")
    return covered
