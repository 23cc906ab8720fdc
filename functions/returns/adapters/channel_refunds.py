"""Refunds pushed to the channel that took the money.

Shopify (REST Admin API, Refund resource, https://shopify.dev/api/admin-rest/2025-01/resources/refund:
"Before you create a refund, use the calculate endpoint to generate accurate refund transactions"):
`POST /admin/api/{version}/orders/{order_id}/refunds/calculate.json` with the lines
(`refund_line_items: [{"line_item_id", "quantity", "restock_type"}]`) answers the suggested
transactions (`kind: "suggested_refund"`, `parent_id` = the capture to refund, `gateway`); then
`POST .../orders/{order_id}/refunds.json` with `{"refund": {"note", "notify", "currency",
"refund_line_items", "transactions": [{"parent_id", "amount", "kind": "refund", "gateway"}]}}`,
answered 201 `{"refund": {"id", ...}}`. Our amount (policy: fees withheld, tax reversed) is sent,
not the calculated one ("You can refund less than the calculated amount ... by setting a custom
value for the amount property"). A line is named by its Shopify `line_item_id` (kept on the order
line as `line_id`); a line without one cannot be refunded through the API and is a rejection.
Shopify's REST refunds take no idempotency key, so the note carries our refund id and the order's
refunds (`GET .../orders/{order_id}/refunds.json`) are read first: a retry after a lost answer
finds the refund instead of paying twice.
`restock_type` is `no_restock`: stock comes back through the inspection, never through Shopify.

Channels that refund themselves (Amazon, a store's till) are recorded as
`REFUNDED_BY_CHANNEL` by the flow and never called here.
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.adapters.http import HttpConnector
from shared.channels.clients._token import Token, read_token
from shared.errors import ErpRejected, ErpThrottled, ErpUnavailable


class ChannelRefundUnsupported(Exception):
    """No refund client for that channel: the flow raises an exception for a person."""


class ChannelRefundThrottled(ErpThrottled):
    """The channel answered 429."""


class ChannelRefundUnavailable(ErpUnavailable):
    """The channel is down or timed out."""


class ChannelRefundRejected(ErpRejected):
    """The channel refused the refund (4xx)."""


class ChannelRefundPort(Protocol):
    def refund(
        self,
        channel: str,
        channel_order_id: str,
        refund_id: str,
        amount: str,
        currency: str,
        lines: list[dict[str, Any]],
    ) -> str:
        """Refund `amount` once for `refund_id`; answers the channel's refund id."""
        ...


class ShopifyRefunds(HttpConnector):
    throttled_error = ChannelRefundThrottled
    unavailable_error = ChannelRefundUnavailable
    rejected_error = ChannelRefundRejected

    def __init__(self, base_url: str, access_token: Token, api_version: str, timeout: float = 10.0) -> None:
        """`access_token`: the token, or how to read it when a refund is made (deployed, the vendor
        secret's `shopify_access_token`: a missing one fails that call, not every step's cold start)."""
        super().__init__(base_url, timeout=timeout)
        self._token = access_token
        self._version = api_version

    def _headers(self) -> dict[str, str]:
        token = read_token(self._token)
        return {"X-Shopify-Access-Token": token}

    def refund(
        self,
        channel: str,
        channel_order_id: str,
        refund_id: str,
        amount: str,
        currency: str,
        lines: list[dict[str, Any]],
    ) -> str:
        if channel != "shopify":
            raise ChannelRefundUnsupported(f"no refund client for {channel}")
        path = f"/admin/api/{self._version}/orders/{channel_order_id}/refunds.json"
        note = f"retail-sync {refund_id}"
        existing = self._send("GET", path, headers=self._headers()).json().get("refunds", [])
        for refund in existing:
            if refund.get("note") == note:
                return str(refund["id"])
        refund_lines = [_refund_line(line) for line in lines]
        calculated = self._send(
            "POST",
            f"/admin/api/{self._version}/orders/{channel_order_id}/refunds/calculate.json",
            headers=self._headers(),
            json={"refund": {"currency": currency, "refund_line_items": refund_lines}},
        ).json()
        suggested = [t for t in calculated.get("refund", {}).get("transactions", []) if t.get("parent_id")]
        if not suggested:
            raise ChannelRefundRejected(f"Shopify suggests no transaction to refund on order {channel_order_id}")
        body = {
            "refund": {
                "note": note,
                "notify": True,
                "currency": currency,
                "refund_line_items": refund_lines,
                "transactions": [
                    {
                        "parent_id": suggested[0]["parent_id"],
                        "amount": amount,
                        "kind": "refund",
                        "gateway": suggested[0].get("gateway", "shopify_payments"),
                    }
                ],
            }
        }
        created = self._send("POST", path, headers=self._headers(), json=body).json()
        return str(created["refund"]["id"])


def _refund_line(line: dict[str, Any]) -> dict[str, Any]:
    line_id = str(line.get("line_id") or "")
    if not line_id.isdigit():
        raise ChannelRefundRejected(f"line {line.get('sku')} has no Shopify line_item_id to refund")
    return {"line_item_id": int(line_id), "quantity": int(line["quantity"]), "restock_type": "no_restock"}
