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

Walmart (seller-fulfilled orders: the seller refunds; Walmart refunds only WFS returns, "Issue a
refund", developer.walmart.com/us-marketplace/docs/issue-a-refund): "Refund order lines",
`POST /v3/orders/{purchaseOrderId}/refund` (developer.walmart.com/us-marketplace/docs/refund-orders:
"issue a refund for one or more order lines ... due to situations such as billing errors or customer
returns") with `{"orderRefund": {"purchaseOrderId", "orderLines": {"orderLine": [{"lineNumber",
"isFullRefund": false, "refunds": {"refund": [{"refundComments", "refundCharges": {"refundCharge":
[{"refundReason", "charge": {"chargeType": "PRODUCT", "chargeName": "ItemPrice", "chargeAmount":
{"currency", "amount"}, "tax": {"taxName": "ItemPriceTax", "taxAmount": {"currency", "amount"}}}}]}}]}}]}}}`;
amounts are negative ("The value for the amount element in the refund must be negative"), only
Shipped lines can be refunded, and the answer is the order with the refunded lines. A line is named
by its PO `lineNumber` (kept as `line_id`). The call takes no idempotency key, so the refund comment
carries our refund id and the order is read first (`GET /v3/orders/{purchaseOrderId}`): a line that
already shows that comment means the refund was made and is not made again.

eBay (Sell Fulfillment API, issueRefund,
https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/issueRefund): `POST
/sell/fulfillment/v1/order/{orderId}/issue_refund` with `{"reasonForRefund": "BUYER_RETURN", "comment",
"refundItems": [{"lineItemId", "refundAmount": {"value", "currency"}}]}` (a line's merchandise less
its fee plus its tax), answered `{"refundId", "refundStatus"}`, with the seller's user token (scope
`sell.fulfillment`). issueRefund takes no idempotency key and getOrder does not return the comment, so
the order is read first (`GET /sell/fulfillment/v1/order/{orderId}`): when every line to refund already
carries a refund of exactly that amount (`lineItems[].refunds[]: {refundId, amount}`), the refund was
made and is not made again.

Channels that refund themselves (Amazon, a store's till) are recorded as
`REFUNDED_BY_CHANNEL` by the flow and never called here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote

from shared.adapters.http import HttpConnector
from shared.channels.clients._token import Token, read_token
from shared.channels.clients.ebay_api import EbayApiClient
from shared.channels.clients.walmart_api import WalmartApiClient, order_path
from shared.errors import Rejected


class ChannelRefundUnsupported(Exception):
    """No refund client for that channel: the flow raises an exception for a person."""


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


@dataclass(frozen=True)
class RefundOrder:
    """One refund to make on a channel's order, as the flow asks for it."""

    channel_order_id: str
    refund_id: str
    amount: str
    currency: str
    lines: list[dict[str, Any]]

    @property
    def note(self) -> str:
        """The text the refund carries (note, comment) that finds it again on a retry."""
        return f"retail-sync {self.refund_id}"


class RefundAnswers:
    """Mixed in before a channel's client: its answers become the refund errors ReturnFlow retries or
    raises, and an unknown order is a refusal like any other (not a "not found" to wait for). A client
    refunds only on its own channel (`system`)."""

    system: str
    not_found_error: type[Rejected] | None = None

    def refund(
        self,
        channel: str,
        channel_order_id: str,
        refund_id: str,
        amount: str,
        currency: str,
        lines: list[dict[str, Any]],
    ) -> str:
        if channel != self.system:
            raise ChannelRefundUnsupported(f"no refund client for {channel}")
        return self._refund(RefundOrder(channel_order_id, refund_id, amount, currency, lines))

    def _refund(self, order: RefundOrder) -> str:
        raise NotImplementedError


def _line_id(line: dict[str, Any], system: str, name: str) -> str:
    """The channel's id of an order line (kept as `line_id`); a line without one cannot be refunded."""
    line_id = str(line.get("line_id") or "")
    if not line_id:
        raise Rejected(f"line {line.get('sku')} has no {name} to refund", system=system)
    return line_id


class ShopifyRefunds(RefundAnswers, HttpConnector):
    system = "shopify"

    def __init__(self, base_url: str, access_token: Token, api_version: str, timeout: float = 10.0) -> None:
        """`access_token`: the token, or how to read it when a refund is made (deployed, the vendor
        secret's `shopify_access_token`: a missing one fails that call, not every step's cold start)."""
        super().__init__(base_url, timeout=timeout)
        self._token = access_token
        self._version = api_version

    def _headers(self) -> dict[str, str]:
        token = read_token(self._token)
        return {"X-Shopify-Access-Token": token}

    def _refund(self, order: RefundOrder) -> str:
        path = f"/admin/api/{self._version}/orders/{order.channel_order_id}/refunds.json"
        existing = self._send("GET", path, headers=self._headers()).json().get("refunds", [])
        for refund in existing:
            if refund.get("note") == order.note:
                return str(refund["id"])
        refund_lines = [_refund_line(line) for line in order.lines]
        calculated = self._send(
            "POST",
            f"/admin/api/{self._version}/orders/{order.channel_order_id}/refunds/calculate.json",
            headers=self._headers(),
            json={"refund": {"currency": order.currency, "refund_line_items": refund_lines}},
        ).json()
        suggested = [t for t in calculated.get("refund", {}).get("transactions", []) if t.get("parent_id")]
        if not suggested:
            raise Rejected(
                f"Shopify suggests no transaction to refund on order {order.channel_order_id}", system="shopify"
            )
        body = {
            "refund": {
                "note": order.note,
                "notify": True,
                "currency": order.currency,
                "refund_line_items": refund_lines,
                "transactions": [
                    {
                        "parent_id": suggested[0]["parent_id"],
                        "amount": order.amount,
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
        raise Rejected(f"line {line.get('sku')} has no Shopify line_item_id to refund", system="shopify")
    return {"line_item_id": int(line_id), "quantity": int(line["quantity"]), "restock_type": "no_restock"}


# Walmart's refundReason values (Orders API, "Refund order lines") include CustomerChangedMind,
# DamagedItem, DefectiveItem and ItemNotAsAdvertised; a return's own reason is not carried to the
# refund yet, so a return is refunded as the customer's choice.
WALMART_RETURN_REFUND_REASON = "CustomerChangedMind"


class WalmartRefunds(RefundAnswers, WalmartApiClient):
    """Refund order lines of a Walmart purchase order (see the module's docstring): the Walmart Orders
    API client (its token, headers and order read), answering with the refund errors ReturnFlow retries."""

    def _refund(self, order: RefundOrder) -> str:
        made = _refund_made(self.get_order(order.channel_order_id), order.note)
        if made is None:
            body = {
                "orderRefund": {
                    "purchaseOrderId": order.channel_order_id,
                    "orderLines": {
                        "orderLine": [_walmart_line(line, order.note, order.currency) for line in order.lines]
                    },
                }
            }
            path = f"{order_path(order.channel_order_id)}/refund"
            answer = self._send("POST", path, headers=self.headers(with_body=True), json=body)
            made = _refund_made(answer.json().get("order") or {}, order.note)
        return str((made or {}).get("refundId") or f"{order.channel_order_id}:{order.refund_id}")


def _refund_made(order: dict[str, Any], note: str) -> dict[str, Any] | None:
    """The refund of the order's lines that carries our comment (`note`), if one was made."""
    for line in (order.get("orderLines") or {}).get("orderLine") or []:
        made = line.get("refund") or {}
        if made.get("refundComments") == note:
            return dict(made)
    return None


def _walmart_line(line: dict[str, Any], note: str, currency: str) -> dict[str, Any]:
    number = _line_id(line, "walmart", "Walmart lineNumber")
    amount, tax = Decimal(str(line["amount"])), Decimal(str(line["tax"]))
    charge = {
        "chargeType": "PRODUCT",
        "chargeName": "ItemPrice",
        "chargeAmount": {"currency": currency, "amount": float(-amount)},
        "tax": {"taxName": "ItemPriceTax", "taxAmount": {"currency": currency, "amount": float(-tax)}},
    }
    return {
        "lineNumber": number,
        "isFullRefund": False,
        "refunds": {
            "refund": [
                {
                    "refundComments": note,
                    "refundCharges": {
                        "refundCharge": [{"refundReason": WALMART_RETURN_REFUND_REASON, "charge": charge}]
                    },
                }
            ]
        },
    }


EBAY_RETURN_REFUND_REASON = "BUYER_RETURN"


class EbayRefunds(RefundAnswers, EbayApiClient):
    """Refund order lines of an eBay order (see the module's docstring): the eBay API client (its user
    token and getOrder), answering with the refund errors ReturnFlow retries."""

    def _refund(self, order: RefundOrder) -> str:
        items = [_ebay_item(line, order.currency) for line in order.lines]
        made = _ebay_refund_made(self.get_order(order.channel_order_id), items)
        if made is not None:
            return made
        body = {"reasonForRefund": EBAY_RETURN_REFUND_REASON, "comment": order.note, "refundItems": items}
        path = f"/sell/fulfillment/v1/order/{quote(order.channel_order_id, safe='')}/issue_refund"
        answer = self._send("POST", path, headers={"Content-Type": "application/json"}, json=body).json()
        if not answer.get("refundId"):
            raise Rejected(f"issueRefund on eBay order {order.channel_order_id} answered no refundId", system="ebay")
        return str(answer["refundId"])


def _ebay_item(line: dict[str, Any], currency: str) -> dict[str, Any]:
    line_id = _line_id(line, "ebay", "eBay lineItemId")
    value = Decimal(str(line["amount"])) + Decimal(str(line["tax"]))
    return {"lineItemId": line_id, "refundAmount": {"value": f"{value:.2f}", "currency": currency}}


def _ebay_refund_made(order: dict[str, Any], items: list[dict[str, Any]]) -> str | None:
    """The refund id when every line to refund already shows a refund of exactly its amount."""
    by_line = {str(item.get("lineItemId")): item for item in order.get("lineItems") or []}
    found: list[str] = []
    for wanted in items:
        refunds = (by_line.get(wanted["lineItemId"]) or {}).get("refunds") or []
        match = next(
            (
                r
                for r in refunds
                if Decimal(str((r.get("amount") or {}).get("value", "0"))) == Decimal(wanted["refundAmount"]["value"])
            ),
            None,
        )
        if match is None:
            return None
        found.append(str(match.get("refundId") or ""))
    return found[0] if found else None


class ChannelRefunds:
    """The refund client of each channel the flow refunds itself (shopify, walmart, ebay)."""

    def __init__(self, by_channel: dict[str, ChannelRefundPort]) -> None:
        self.by_channel = by_channel

    def refund(
        self,
        channel: str,
        channel_order_id: str,
        refund_id: str,
        amount: str,
        currency: str,
        lines: list[dict[str, Any]],
    ) -> str:
        client = self.by_channel.get(channel)
        if client is None:
            raise ChannelRefundUnsupported(f"no refund client for {channel}")
        return client.refund(channel, channel_order_id, refund_id, amount, currency, lines)
