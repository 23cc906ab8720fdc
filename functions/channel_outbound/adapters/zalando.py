"""Zalando zDirect Orders API: shipment confirmation. No acknowledgement (an approved order is ready
to ship; exporting it is the poller's business, not a command).

Zalando's documented sequence for a partner-fulfilled order
(developers.merchants.zalando.com/docs/orders-preparing-shipping.html, orders-api-patch.html):
1. tracking at order level: `PATCH /merchants/{merchant_id}/orders/{order_id}` with
   `{"data": {"type": "Order", "id", "attributes": {"tracking_number"}}}` (204). Zalando keeps the
   first tracking update of an order, so it is sent only while the order has none;
2. then each shipped unit: `PATCH /merchants/{merchant_id}/orders/{order_id}/items/{order_item_id}/
   lines/{order_line_id}` with `{"data": {"id", "type": "OrderLine", "attributes": {"status":
   "shipped"}}}` (204). Zalando asks for 5 seconds between the two (closer calls "may be processed
   out-of-sequence"): after setting the tracking the adapter raises `TrackingSettling` (a throttle of
   5 s), the message comes back, and the retry finds the tracking set and ships the lines.

The canonical order keeps Zalando's OrderItem id as `line_id` (`<item id>-<n>` for units of one item
priced differently, the n-th price group in ascending price), not the per-unit OrderLine ids, so the
adapter first reads the order (`GET .../orders/{order_id}?include=order_items,order_lines`) and
picks the item's open units (`initial` / `reserved`). Units already `shipped` are not shipped
again: a retry after some line PATCHes went through ships only what is still open.

Rate limit: "PATCH requests" 2000 a minute per partner in production (40 in Zalando's sandbox,
developers.merchants.zalando.com/docs/orders-api.html); the client bucket takes 2000/60 a second,
burst 40. Calls carry `Authorization: Bearer <token>` and JSON:API media types.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import quote

from functions.channel_outbound.adapters.base import ChannelOutbound, Sent, VendorRequest, tracking_required
from functions.channel_outbound.adapters.registry import register
from functions.channel_outbound.logic.lines import ShippedLine
from functions.channel_outbound.settings import OutboundSettings
from shared.errors import Rejected, Throttled
from shared.models import Order, Shipment

JSON_API = "application/vnd.api+json"
OPEN_LINE_STATUSES = ("initial", "reserved")
SHIPPED = "shipped"
CANCELED = "canceled"
SETTLE_SECONDS = 5.0  # Zalando's recommended delay between the tracking and the line updates


class TrackingSettling(Throttled):
    """The tracking was just set: the lines go after Zalando's settle delay (the message comes back)."""


def _order_path(merchant_id: str, order_id: str) -> str:
    return f"/merchants/{quote(merchant_id, safe='')}/orders/{quote(order_id, safe='')}"


def order_request(merchant_id: str, order: Order) -> VendorRequest:
    return VendorRequest(
        "GET", _order_path(merchant_id, order.channel_order_id), params={"include": "order_items,order_lines"}
    )


def tracking_request(merchant_id: str, order: Order, shipment: Shipment) -> VendorRequest:
    _, tracking_number = tracking_required("zalando", shipment)
    return VendorRequest(
        "PATCH",
        _order_path(merchant_id, order.channel_order_id),
        body={
            "data": {
                "type": "Order",
                "id": order.channel_order_id,
                "attributes": {"tracking_number": tracking_number},
            }
        },
    )


def _units_by_item(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """OrderItem id -> its OrderLine resources (relationship order), from an order document."""
    included = document.get("included") or []
    lines = {r.get("id"): r for r in included if isinstance(r, dict) and r.get("type") == "OrderLine"}
    units: dict[str, list[dict[str, Any]]] = {}
    for resource in included:
        if not isinstance(resource, dict) or resource.get("type") != "OrderItem":
            continue
        refs = ((resource.get("relationships") or {}).get("order_lines") or {}).get("data") or []
        units[str(resource.get("id"))] = [lines[ref["id"]] for ref in refs if ref.get("id") in lines]
    return units


def _price_key(unit: dict[str, Any]) -> tuple[str, str]:
    price = (unit.get("attributes") or {}).get("price") or {}
    try:
        return (str(Decimal(str(price.get("amount")))), str(price.get("currency")))
    except InvalidOperation as exc:
        raise Rejected(f"zalando order line {unit.get('id')} has no decimal price", system="zalando") from exc


def _units_of(line_id: str, units_by_item: dict[str, list[dict[str, Any]]]) -> tuple[str, list[dict[str, Any]]]:
    """(OrderItem id, its units) behind a canonical line id (see `order_from_zalando`)."""
    if line_id in units_by_item:
        return line_id, [u for u in units_by_item[line_id] if u["attributes"].get("status") != CANCELED]
    item_id, _, number = line_id.rpartition("-")
    if item_id in units_by_item and number.isdigit():
        live = [u for u in units_by_item[item_id] if u["attributes"].get("status") != CANCELED]
        groups = sorted({_price_key(u) for u in live})
        index = int(number) - 1
        if 0 <= index < len(groups):
            return item_id, [u for u in live if _price_key(u) == groups[index]]
    raise Rejected(f"zalando order has no item for line {line_id}", system="zalando")


def line_requests(
    merchant_id: str, order: Order, document: dict[str, Any], lines: list[ShippedLine]
) -> list[VendorRequest]:
    """One `shipped` PATCH per unit still open; refuses (before any call) a shipment the order's
    units cannot cover."""
    units_by_item = _units_by_item(document)
    requests: list[VendorRequest] = []
    base = _order_path(merchant_id, order.channel_order_id)
    for line in lines:
        item_id, units = _units_of(line.line_id, units_by_item)
        open_units = [u for u in units if u["attributes"].get("status") in OPEN_LINE_STATUSES]
        shipped = sum(1 for u in units if u["attributes"].get("status") == SHIPPED)
        if line.quantity > len(open_units) + shipped:
            raise Rejected(
                f"zalando item {item_id} has {len(open_units)} open units, the shipment names {line.quantity}",
                system="zalando",
            )
        for unit in open_units[: line.quantity]:
            requests.append(
                VendorRequest(
                    "PATCH",
                    f"{base}/items/{quote(item_id, safe='')}/lines/{quote(unit['id'], safe='')}",
                    body={"data": {"id": unit["id"], "type": "OrderLine", "attributes": {"status": SHIPPED}}},
                )
            )
    return requests


@register
class ZalandoOutbound(ChannelOutbound):
    channel: ClassVar[str] = "zalando"
    base_url_setting: ClassVar[str] = "zalando_api_base_url"
    rate_per_second: ClassVar[float] = 2000 / 60
    burst: ClassVar[float] = 40.0

    def __init__(
        self,
        base_url: str,
        *,
        merchant_id: str,
        access_token: str | None = None,
        settle_seconds: float = SETTLE_SECONDS,
        **kwargs: Any,
    ) -> None:
        from shared.adapters.tokens import TokenAuth, fixed_token

        if access_token is not None:  # a fixed token (tests); deployed, `token_auth` mints zDirect tokens
            kwargs.setdefault("token_auth", TokenAuth(fixed_token("Zalando", access_token)))
        super().__init__(base_url, **kwargs)
        self.merchant_id = merchant_id
        self.settle_seconds = settle_seconds

    @classmethod
    def options(cls, settings: OutboundSettings, base_url: str) -> dict[str, Any] | None:
        if not settings.zalando_merchant_id:
            return None
        from shared.adapters.vendor_auth import zalando_token_auth

        return {
            "token_auth": zalando_token_auth(base_url),
            "merchant_id": settings.zalando_merchant_id,
            "settle_seconds": settings.zalando_tracking_settle_seconds,
        }

    def _headers(self) -> dict[str, str]:
        return {"Accept": JSON_API, "Content-Type": JSON_API}

    def confirm_shipment(self, order: Order, shipment: Shipment, lines: list[ShippedLine]) -> Sent:
        tracking = tracking_request(self.merchant_id, order, shipment)  # refuses a shipment without tracking
        response = self._call(order_request(self.merchant_id, order), self._headers())
        try:
            document = response.json()
            attributes = document["data"]["attributes"]
        except (ValueError, KeyError, TypeError) as exc:
            raise Rejected(
                f"zalando order {order.channel_order_id}: unreadable order document", system="zalando"
            ) from exc
        patches = line_requests(self.merchant_id, order, document, lines)
        calls = 1
        if not attributes.get("tracking_number"):
            self._call(tracking, self._headers())
            if self.settle_seconds > 0 and patches:
                raise TrackingSettling(
                    f"zalando order {order.channel_order_id}: tracking set, lines after {self.settle_seconds:g} s",
                    retry_after=self.settle_seconds,
                )
            calls += 1
        for patch in patches:
            self._call(patch, self._headers())
        return Sent(calls=calls + len(patches), reference=shipment.tracking_number)
