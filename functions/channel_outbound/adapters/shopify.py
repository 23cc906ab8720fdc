"""Shopify Admin REST: fulfil an order through its fulfillment orders. No acknowledgement: Shopify
has none (a paid order is open for fulfilment).

Since API 2022-07 a fulfillment is created against fulfillment orders, not the order:
1. `GET /admin/api/{version}/orders/{order_id}/fulfillment_orders.json` -> `{"fulfillment_orders":
   [{"id", "status", "line_items": [{"id", "line_item_id", "fulfillable_quantity", ...}]}]}`;
2. `POST /admin/api/{version}/fulfillments.json` with `{"fulfillment": {"line_items_by_fulfillment_order":
   [{"fulfillment_order_id", "fulfillment_order_line_items": [{"id", "quantity"}]}], "tracking_info":
   {"number", "company"}, "notify_customer"}}` -> 201 `{"fulfillment": {"id", ...}}`
   (shopify.dev REST Admin reference: FulfillmentOrder and Fulfillment resources).
The shipped order lines (canonical `line_id` = Shopify line item id) are matched to the open
fulfillment order line items of the same line item. Limit: the REST leaky bucket, 40 requests
draining at 2 a second (both calls count).
"""

from __future__ import annotations

from typing import Any, ClassVar

from functions.channel_outbound.adapters.base import ChannelOutbound, Sent, VendorRequest
from functions.channel_outbound.adapters.registry import register
from functions.channel_outbound.logic.lines import ShippedLine
from functions.channel_outbound.settings import OutboundSettings
from shared.channels.clients._token import Token, shopify_token
from shared.errors import Rejected, Unavailable
from shared.models import Order, Shipment

FULFILLABLE_STATUSES = frozenset({"open", "in_progress"})


def fulfillment_orders_request(order: Order, api_version: str) -> VendorRequest:
    return VendorRequest("GET", f"/admin/api/{api_version}/orders/{order.channel_order_id}/fulfillment_orders.json")


def fulfillment_request(
    fulfillment_orders: list[dict[str, Any]],
    shipment: Shipment,
    lines: list[ShippedLine],
    api_version: str,
    notify_customer: bool = True,
) -> VendorRequest:
    """The fulfillment of `lines` drawn from the open fulfillment orders' line items (in their order)."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for line in lines:
        missing = line.quantity
        for fulfillment_order in fulfillment_orders:
            if fulfillment_order.get("status") not in FULFILLABLE_STATUSES:
                continue
            for item in fulfillment_order.get("line_items") or []:
                if missing and str(item.get("line_item_id")) == line.line_id:
                    take = min(missing, int(item.get("fulfillable_quantity", item.get("quantity", 0))))
                    if take > 0:
                        groups.setdefault(fulfillment_order["id"], []).append({"id": item["id"], "quantity": take})
                        missing -= take
        if missing:
            raise Rejected(
                f"shopify: line item {line.line_id} has {line.quantity - missing} of {line.quantity} units "
                "left to fulfil in open fulfillment orders",
                system="shopify",
            )
    fulfillment: dict[str, Any] = {
        "line_items_by_fulfillment_order": [
            {"fulfillment_order_id": fo_id, "fulfillment_order_line_items": items} for fo_id, items in groups.items()
        ]
    }
    if shipment.tracking_number:
        tracking: dict[str, Any] = {"number": shipment.tracking_number}
        if shipment.carrier:
            tracking["company"] = shipment.carrier
        fulfillment["tracking_info"] = tracking
    fulfillment["notify_customer"] = notify_customer
    return VendorRequest("POST", f"/admin/api/{api_version}/fulfillments.json", body={"fulfillment": fulfillment})


@register
class ShopifyOutbound(ChannelOutbound):
    channel: ClassVar[str] = "shopify"
    base_url_setting: ClassVar[str] = "shopify_admin_base_url"
    rate_per_second: ClassVar[float] = 2.0
    burst: ClassVar[float] = 40.0

    def __init__(self, base_url: str, *, access_token: Token, api_version: str, **kwargs: Any) -> None:
        # Read when a call is made: deployed, the vendor secret's `shopify_access_token`.
        super().__init__(base_url, access_token=access_token, **kwargs)
        self.api_version = api_version

    @classmethod
    def options(cls, settings: OutboundSettings, base_url: str) -> dict[str, Any]:
        return {
            "access_token": shopify_token(settings.shopify_access_token, Unavailable),
            "api_version": settings.shopify_api_version,
        }

    def confirm_shipment(self, order: Order, shipment: Shipment, lines: list[ShippedLine]) -> Sent:
        headers = {"X-Shopify-Access-Token": self.access_token or "", "Accept": "application/json"}
        listed = self._call(fulfillment_orders_request(order, self.api_version), headers).json()
        fulfillment_orders = listed.get("fulfillment_orders") if isinstance(listed, dict) else None
        if not isinstance(fulfillment_orders, list):
            raise Rejected(f"shopify: no fulfillment orders for order {order.channel_order_id}", system="shopify")
        request = fulfillment_request(fulfillment_orders, shipment, lines, self.api_version)
        created = self._call(request, {**headers, "Content-Type": "application/json"}).json()
        fulfillment_id = (created.get("fulfillment") or {}).get("id") if isinstance(created, dict) else None
        return Sent(calls=2, reference=None if fulfillment_id is None else str(fulfillment_id))
