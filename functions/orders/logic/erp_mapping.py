"""Canonical Order -> NetSuite-style sales order record (pure).

Amounts go out as strings from Decimal (never float) so the ERP sees the exact cents the channel
sent; quantities are integers. `externalId` is our order id, which is what makes the upsert
(`PUT .../salesOrder/eid:<order_id>`) idempotent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from shared.models import Address, Order, OrderLine

GUEST_CUSTOMER = "guest"


def _amount(value: Decimal) -> str:
    return format(value, "f")


def customer_external_id(order: Order) -> str:
    """ERP customer reference: one customer per channel customer, a per-channel guest otherwise."""
    customer_id = order.customer.channel_customer_id if order.customer else None
    return f"{order.channel}:{customer_id or GUEST_CUSTOMER}"


def _line(line: OrderLine, location_id: str | None = None) -> dict[str, Any]:
    gross = line.unit_price.amount * line.quantity
    discount = line.discount.amount if line.discount else Decimal("0")
    item: dict[str, Any] = {
        "item": {"externalId": line.sku},
        "quantity": line.quantity,
        "rate": _amount(line.unit_price.amount),
        "amount": _amount(gross - discount),
        "custcol_rs_line_id": line.line_id,
    }
    if line.title:
        item["description"] = line.title
    if location_id:  # a split order: this line leaves from another location than the header's
        item["location"] = {"externalId": location_id}
    if line.discount is not None:
        item["discountAmount"] = _amount(line.discount.amount)
    if line.tax is not None:
        item["taxAmount"] = _amount(line.tax.amount)
    return item


def erp_address(address: Address) -> dict[str, str]:
    """An address as the ERP's `shippingAddress` subrecord (the fields it has, none empty)."""
    fields = {
        "addressee": address.name,
        "addr1": address.line1,
        "addr2": address.line2,
        "city": address.city,
        "state": address.region,
        "zip": address.postal_code,
        "country": address.country_code,
    }
    return {key: value for key, value in fields.items() if value}


def sales_order_payload(
    order: Order, location_id: str, line_locations: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The JSON body of the sales order upsert. `line_locations` (SKU -> location) names the lines a
    split order fulfils elsewhere than `location_id`: NetSuite's sales order item sublist carries a
    `location` per line ("Sales Order" record, item sublist field `location`), the header's location
    being the default for the others."""
    payload: dict[str, Any] = {
        "externalId": order.order_id,
        "entity": {"externalId": customer_external_id(order)},
        "tranDate": order.placed_at.date().isoformat(),
        "currency": {"refName": order.currency},
        "location": {"externalId": location_id},
        "otherRefNum": order.channel_order_id,
        "memo": f"{order.channel} order {order.channel_order_id}",
        "custbody_rs_channel": order.channel,
        "custbody_rs_channel_order_id": order.channel_order_id,
        "item": {"items": item_lines(order, location_id, line_locations)},
        "total": _amount(order.total.amount),
    }
    if order.customer and order.customer.email:
        payload["email"] = order.customer.email
    if order.shipping_address is not None:
        payload["shippingAddress"] = erp_address(order.shipping_address)
    return payload


def _elsewhere(line_location: str | None, header_location: str) -> str | None:
    return line_location if line_location and line_location != header_location else None


def item_lines(
    order: Order,
    header_location: str,
    line_locations: Mapping[str, str] | None = None,
    closed: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The sales order's item sublist: each line with its location where it is not the header's,
    the SKUs in `closed` closed (NetSuite `isClosed`). The upsert writes it, and so does every
    `PATCH ...?replace=item`, which replaces the whole sublist: a line left without its location
    there would move back to the header's."""
    locations = line_locations or {}
    items = []
    for line in order.lines:
        item = _line(line, _elsewhere(locations.get(line.sku), header_location))
        if line.sku in closed:
            item["isClosed"] = True
        items.append(item)
    return items
