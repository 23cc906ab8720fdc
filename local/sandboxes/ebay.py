"""eBay REST sandbox: Sell Inventory bulk price/quantity, Sell Fulfillment shipping and refunds, the
Notification API's public keys, and the client-credentials token those calls need.

What it follows, and where from (found with the search tool):
- ``POST /sell/inventory/v1/bulk_update_price_quantity``: ``{"requests": [{"sku"?,
  "shipToLocationAvailability"?: {"quantity"}, "offers"?: [{"offerId", "availableQuantity",
  "price"?}]}]}``, at most 25 requests; answers ``{"responses": [{"statusCode", "sku", "offerId"?,
  "errors", "warnings"}]}`` (eBay Inventory API reference, bulkUpdatePriceQuantity).
- ``POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment``: ``{"lineItems": [{"lineItemId",
  "quantity"}], "shippedDate", "shippingCarrierCode", "trackingNumber"}``; 201, empty body, ``Location``
  naming the new fulfillment (createShippingFulfillment).
- ``POST /sell/fulfillment/v1/order/{order_id}/issue_refund``: ``{"reasonForRefund", "comment"?,
  "orderLevelRefundAmount"? | "refundItems"?}``; 200 ``{"refundId", "refundStatus": "PENDING"}``.
- ``GET /commerce/notification/v1/public_key/{public_key_id}``: ``{"algorithm": "ECDSA", "digest":
  "SHA1", "key": "-----BEGIN PUBLIC KEY-----...-----END PUBLIC KEY-----"}`` (the key on one line, as
  eBay sends it); callers should cache it about an hour
  (https://developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey).
  It serves ``local/sandboxes/ebay_keys.py``'s key under ``PUBLIC_KEY_ID``.
- ``POST /identity/v1/oauth2/token`` (client-credentials grant, Basic client id:secret) answers
  ``{"access_token", "expires_in": 7200, "token_type": "Application Access Token"}``; every other call
  needs ``Authorization: Bearer <token>``.
- Limits are daily call quotas: Notification API 10,000 calls a day
  (https://developer.ebay.com/develop/api/buy/api_call_limits); the OAuth client-credentials grant
  1,000 requests a day (https://developer.ebay.com/api-docs/static/oauth-rate-limits.html). A quota is a
  bucket of that many calls refilled evenly over the day. Over it: 429 with eBay's error 2001.

Tokens: the client must be ``local-ebay-client-id`` / ``local-ebay-client-secret`` (else 401
``invalid_client``) and a refresh-token grant ``local-ebay-refresh-token`` (else 400 ``invalid_grant``);
every other call needs a token the sandbox issued and that has not expired (401 errorId 1001 otherwise).
Lifetime and expiry for tests: ``/__admin/tokens`` (``local/sandboxes/tokens.py``).

Sandbox liberties:
inventory and fulfillments are recorded (``GET /__admin/state``), not validated against listings.
The Sell Inventory and Fulfillment quotas are not in the stored copies of eBay's call-limit table,
so the sandbox leaves them unlimited until set with ``rate_limits``.

Finances API (https://developer.ebay.com/api-docs/sell/finances/overview.html): ``GET
/sell/finances/v1/payout`` (getPayouts: ``filter`` with ``payoutDate:[from..to]`` and
``payoutStatus:{...}``, ``sort``, ``limit`` up to 200, ``offset``) and ``GET /sell/finances/v1/transaction``
(getTransactions: ``filter=payoutId:{...}``, ``limit`` up to 1000), paged with ``total``/``next``,
behind a user token. Seeded with ``POST /__admin/payouts`` (``{"payout", "transactions"}``).
"""

from __future__ import annotations

import threading
import uuid
from copy import deepcopy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, has_bearer_token, json_response, raw_header, read_json, route
from local.sandboxes.ebay_keys import ALGORITHM, DIGEST, PUBLIC_KEY_ID, PUBLIC_KEY_PEM
from local.sandboxes.limits import RATE_LIMITS_KEY, RateLimitedMixin, limited
from local.sandboxes.prices import PricesMixin
from local.sandboxes.seeding import OrderSeedingMixin, PayoutSeedingMixin
from local.sandboxes.tokens import VALID, TokenAdminMixin, TokenIssuer
from shared.channels.clients.ebay_credentials import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN

TOKEN_PATH = "/identity/v1/oauth2/token"
EBAY_TOKEN_SECONDS = 7200
BULK_MAX_REQUESTS = 25
DAY_SECONDS = 86_400

RATE_LIMITS: dict[str, Any] = {
    "getPublicKey": {"capacity": 10_000, "refill_per_second": 10_000 / DAY_SECONDS},
    "mintToken": {"capacity": 1_000, "refill_per_second": 1_000 / DAY_SECONDS},
}
_OPERATIONS: dict[str, Any] = {
    **RATE_LIMITS,
    "bulkUpdatePriceQuantity": None,
    "createShippingFulfillment": None,
    "issueRefund": None,
    "getOrder": None,  # Fulfillment getOrder (eBay ORDER_CONFIRMATION enrichment; see the section below)
    "getPayouts": None,  # Finances API
    "getTransactions": None,
}


def _one_line_pem(pem: str) -> str:
    return "".join(line.strip() for line in pem.strip().splitlines())


class EbaySandbox(PricesMixin, TokenAdminMixin, OrderSeedingMixin, PayoutSeedingMixin, RateLimitedMixin, Sandbox):
    """eBay's Sell APIs the connectors call and the Notification API key the webhook check fetches."""

    name: ClassVar[str] = "ebay"
    payout_id_field: ClassVar[str] = "payoutId"
    payout_date_field: ClassVar[str] = "payoutDate"
    outage_error: ClassVar[tuple[str, str]] = (
        "SERVICE_UNAVAILABLE",
        "There was a problem with an eBay internal system or process.",
    )
    throttle_error: ClassVar[tuple[str, str]] = (
        "TOO_MANY_REQUESTS",
        "Too many requests. The request limit has been reached for the resource.",
    )
    DEFAULT_RATE_LIMITS = _OPERATIONS

    def __init__(self, token_ttl_seconds: float = EBAY_TOKEN_SECONDS) -> None:
        self._store_lock = threading.Lock()
        self._keys: dict[str, str] = {PUBLIC_KEY_ID: PUBLIC_KEY_PEM}
        self._inventory: dict[str, dict[str, Any]] = {}
        self._fulfillments: list[dict[str, Any]] = []
        self._refunds: list[dict[str, Any]] = []
        self._tokens: set[str] = set()
        # Tokens outlive a data reset (they are the authorization server's, not the seller's data).
        self.tokens = TokenIssuer(token_ttl_seconds, prefix="v^1.1#i^1#sandbox#")
        self.client_credentials = (LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET)
        self.refresh_token = LOCAL_REFRESH_TOKEN
        self._orders: dict[str, dict[str, Any]] = {}  # getOrder's orders, seeded by POST /__admin/orders
        self._payouts_init()  # Finances API: payouts and their transactions, seeded by POST /__admin/payouts
        self._prices_init()
        super().__init__(default_faults={RATE_LIMITS_KEY: deepcopy(RATE_LIMITS)})
        self._rebuild_limiter()

    # ----- vendor shape ------------------------------------------------------------------------

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        error_ids = {400: 2004, 401: 1001, 404: 195000, 429: 2001, 503: 2003}
        category = "REQUEST" if status < 500 else "APPLICATION"
        return {
            "errors": [
                {
                    "errorId": error_ids.get(status, 2003),
                    "domain": "API_SANDBOX",
                    "category": category,
                    "message": detail,
                    "longMessage": detail,
                }
            ]
        }

    def before_route(self, request: Request) -> Response | None:
        auth = raw_header(request, "Authorization") or ""
        if request.path == TOKEN_PATH:
            basic = request.authorization
            if basic is None or basic.type != "basic" or (basic.username, basic.password) != self.client_credentials:
                return json_response(
                    {"error": "invalid_client", "error_description": "client authentication failed"}, 401
                )
            return None
        if not has_bearer_token(auth) or self.tokens.check(auth.removeprefix("Bearer ").strip()) != VALID:
            return self.error(
                401, "UNAUTHORIZED", "Invalid access token. Check the value of the Authorization HTTP request header."
            )
        return None

    # ----- routes ------------------------------------------------------------------------------

    @route("POST", TOKEN_PATH)
    @limited("mintToken")
    def mint_token(self, request: Request) -> Response:
        grant = request.form.get("grant_type")
        # refresh_token: a seller's user token (getOrder needs one), minted from the refresh token.
        if grant == "refresh_token" and not request.form.get("refresh_token"):
            return json_response({"error": "invalid_request", "error_description": "refresh_token is required"}, 400)
        if grant not in ("client_credentials", "refresh_token"):
            return json_response(
                {"error": "unsupported_grant_type", "error_description": "grant type not supported"}, 400
            )
        if grant == "refresh_token" and request.form.get("refresh_token") != self.refresh_token:
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": (
                        "the provided authorization refresh token is invalid or was issued to another client"
                    ),
                },
                400,
            )
        token, expires_in = self.tokens.issue()
        with self._store_lock:
            self._tokens.add(token)
        kind = "User Access Token" if grant == "refresh_token" else "Application Access Token"
        return json_response({"access_token": token, "expires_in": expires_in, "token_type": kind})

    @route("GET", "/commerce/notification/v1/public_key/<public_key_id>")
    @limited("getPublicKey")
    def get_public_key(self, request: Request, public_key_id: str) -> Response:
        with self._store_lock:
            pem = self._keys.get(public_key_id)
        if pem is None:
            return self.error(404, "NOT_FOUND", f"The public key {public_key_id} was not found.")
        return json_response({"algorithm": ALGORITHM, "digest": DIGEST, "key": _one_line_pem(pem)})

    @route("POST", "/sell/inventory/v1/bulk_update_price_quantity")
    @limited("bulkUpdatePriceQuantity")
    def bulk_update(self, request: Request) -> Response:
        try:
            body = read_json(request)
            requests = body.get("requests") if isinstance(body, dict) else None
            if not isinstance(requests, list) or not requests:
                raise ValueError("requests must be a non-empty array")
            if len(requests) > BULK_MAX_REQUESTS:
                raise ValueError(f"at most {BULK_MAX_REQUESTS} requests per call")
        except ValueError as exc:
            return self.error(400, "BAD_REQUEST", str(exc))
        responses = []
        with self._store_lock:
            for item in requests:
                sku = item.get("sku") if isinstance(item, dict) else None
                offers = (item.get("offers") or []) if isinstance(item, dict) else []
                availability = (item.get("shipToLocationAvailability") or {}) if isinstance(item, dict) else {}
                if not sku and not offers:
                    responses.append(
                        {
                            "statusCode": 400,
                            "errors": [{"errorId": 25702, "message": "sku or offers is required"}],
                            "warnings": [],
                        }
                    )
                    continue
                if sku:
                    record = self._inventory.setdefault(sku, {"sku": sku})
                    if "quantity" in availability:
                        record["quantity"] = availability["quantity"]
                    responses.append({"statusCode": 200, "sku": sku, "errors": [], "warnings": []})
                for offer in offers:
                    price = offer.get("price") or {}
                    problem = self.below_floor(str(offer.get("offerId")), price.get("value")) if price else None
                    if problem is not None:
                        error = {"errorId": 25006, "domain": "API_INVENTORY", "message": problem}
                        responses.append(
                            {"statusCode": 400, "offerId": offer.get("offerId"), "errors": [error], "warnings": []}
                        )
                        continue
                    if price:
                        self.record_price(str(offer.get("offerId")), price.get("value"), price.get("currency"))
                    record = self._inventory.setdefault(sku or f"offer:{offer.get('offerId')}", {"sku": sku})
                    record.setdefault("offers", {})[str(offer.get("offerId"))] = deepcopy(offer)
                    responses.append(
                        {"statusCode": 200, "sku": sku, "offerId": offer.get("offerId"), "errors": [], "warnings": []}
                    )
        return json_response({"responses": responses})

    @route("POST", "/sell/fulfillment/v1/order/<order_id>/shipping_fulfillment")
    @limited("createShippingFulfillment")
    def create_fulfillment(self, request: Request, order_id: str) -> Response:
        try:
            body = read_json(request)
            lines = body.get("lineItems")
            if (
                not isinstance(lines, list)
                or not lines
                or not all(isinstance(x, dict) and x.get("lineItemId") for x in lines)
            ):
                raise ValueError("lineItems must list {lineItemId, quantity}")
            if not body.get("trackingNumber") or not body.get("shippingCarrierCode"):
                raise ValueError("trackingNumber and shippingCarrierCode are required")
        except (ValueError, AttributeError) as exc:
            return self.error(400, "BAD_REQUEST", str(exc))
        fulfillment_id = uuid.uuid4().hex[:16].upper()
        with self._store_lock:
            self._fulfillments.append({"orderId": order_id, "fulfillmentId": fulfillment_id, **deepcopy(body)})
        location = (
            f"{request.host_url.rstrip('/')}/sell/fulfillment/v1/order/{order_id}/shipping_fulfillment/{fulfillment_id}"
        )
        return Response(status=201, headers={"Location": location})

    @route("POST", "/sell/fulfillment/v1/order/<order_id>/issue_refund")
    @limited("issueRefund")
    def issue_refund(self, request: Request, order_id: str) -> Response:
        try:
            body = read_json(request)
            if not body.get("reasonForRefund"):
                raise ValueError("reasonForRefund is required")
            if not body.get("orderLevelRefundAmount") and not body.get("refundItems"):
                raise ValueError("orderLevelRefundAmount or refundItems is required")
        except (ValueError, AttributeError) as exc:
            return self.error(400, "BAD_REQUEST", str(exc))
        refund_id = f"5{uuid.uuid4().int % 10**10:010d}"
        with self._store_lock:
            self._refunds.append({"orderId": order_id, "refundId": refund_id, **deepcopy(body)})
            _record_refund_on_order(self._orders.get(order_id), refund_id, body)
        return json_response({"refundId": refund_id, "refundStatus": "PENDING"})

    # ----- admin -------------------------------------------------------------------------------

    def add_key(self, kid: str, pem: str) -> None:
        with self._store_lock:
            self._keys[kid] = pem

    def state(self) -> dict[str, Any]:
        with self._store_lock:
            return {
                "inventory": deepcopy(self._inventory),
                "fulfillments": deepcopy(self._fulfillments),
                "refunds": deepcopy(self._refunds),
            }

    @admin_route("GET", "keys")
    def admin_get_keys(self, request: Request) -> Response:
        with self._store_lock:
            keys = dict(self._keys)
        return json_response({"keys": keys})

    @admin_route("POST", "keys")
    def admin_post_keys(self, request: Request) -> Response:
        try:
            body = read_json(request)
            if not isinstance(body, dict) or not body.get("kid") or not body.get("key"):
                raise ValueError('send {"kid": ..., "key": "<PEM>"}')
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        self.add_key(str(body["kid"]), str(body["key"]))
        return json_response({"kid": body["kid"]})

    # ----- Finances API (getPayouts, getTransactions) -------------------------------------------

    @route("GET", "/sell/finances/v1/payout")
    @limited("getPayouts")
    def get_payouts(self, request: Request) -> Response:
        """getPayouts: `filter` criteria `payoutDate:[from..to]` and `payoutStatus:{A|B}` (others are
        accepted and ignored), `sort=payoutDate` (ascending; `-payoutDate` descending), `limit` (at most
        200), `offset`."""
        criteria = _finance_filter(request.args.get("filter", ""))
        low, _, high = criteria.get("payoutDate", "..").strip("[]").partition("..")
        statuses = set(criteria.get("payoutStatus", "").strip("{}").split("|")) - {""}
        with self._store_lock:
            payouts = [
                deepcopy(p)
                for p in self._payouts.values()
                if (not low or p["payoutDate"] >= low)
                and (not high or p["payoutDate"] <= high)
                and (not statuses or p.get("payoutStatus") in statuses)
            ]
        payouts.sort(key=lambda p: p["payoutDate"], reverse=request.args.get("sort") == "-payoutDate")
        return self._finance_page(request, payouts, "payouts", 200)

    @route("GET", "/sell/finances/v1/transaction")
    @limited("getTransactions")
    def get_transactions(self, request: Request) -> Response:
        """getTransactions: `filter=payoutId:{<id>}` (others accepted and ignored), `limit` (at most
        1000), `offset`."""
        payout_id = _finance_filter(request.args.get("filter", "")).get("payoutId", "").strip("{}")
        with self._store_lock:
            found = (
                deepcopy(self._transactions.get(payout_id, []))
                if payout_id
                else [deepcopy(t) for ts in self._transactions.values() for t in ts]
            )
        return self._finance_page(request, found, "transactions", 1000)

    def _finance_page(self, request: Request, items: list[dict[str, Any]], key: str, most: int) -> Response:
        try:
            limit = int(request.args.get("limit", "20"))
            offset = int(request.args.get("offset", "0"))
        except ValueError:
            return self.error(400, "INVALID_REQUEST", "limit and offset must be integers")
        if not 1 <= limit <= most or offset < 0:
            return self.error(400, "INVALID_REQUEST", f"limit must be 1 to {most}, offset at least 0")
        body: dict[str, Any] = {
            "href": request.url,
            "limit": limit,
            "offset": offset,
            "total": len(items),
            key: items[offset : offset + limit],
        }
        if offset + limit < len(items):
            body["next"] = f"{request.base_url}?limit={limit}&offset={offset + limit}"
        return json_response(body)

    @admin_route("GET", "state")
    def admin_get_state(self, request: Request) -> Response:
        return json_response(self.state())

    def reset_state(self) -> None:
        with self._store_lock:
            self._keys = {PUBLIC_KEY_ID: PUBLIC_KEY_PEM}
            self._inventory.clear()
            self._fulfillments.clear()
            self._refunds.clear()
            self._tokens.clear()
            self._orders.clear()
            self._payouts.clear()
            self._transactions.clear()
        self.reset_prices()

    # ----- Fulfillment getOrder (added for eBay ORDER_CONFIRMATION enrichment) ---------------------
    # ``GET /sell/fulfillment/v1/order/{orderId}`` answers the Order object (orderId, creationDate,
    # pricingSummary, fulfillmentStartInstructions, lineItems[] with sku, quantity, lineItemCost, taxes;
    # https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/getOrder), 404 with
    # eBay's error 32100 for an order it does not know. Orders come from ``POST /__admin/orders`` (one
    # Order object, a list, or ``{"orders": [...]}``, each with an ``orderId``).

    @route("GET", "/sell/fulfillment/v1/order/<order_id>")
    @limited("getOrder")
    def get_order(self, request: Request, order_id: str) -> Response:
        with self._store_lock:
            order = deepcopy(self._orders.get(order_id))
        if order is None:
            return json_response(
                {
                    "errors": [
                        {
                            "errorId": 32100,
                            "domain": "API_FULFILLMENT",
                            "category": "REQUEST",
                            "message": "Invalid order ID: " + order_id,
                        }
                    ]
                },
                404,
            )
        return json_response(order)

    def seed_orders(self, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stores getOrder's Order objects (``ValueError`` for one without an ``orderId``)."""
        for order in orders:
            if not isinstance(order, dict) or not isinstance(order.get("orderId"), str) or not order["orderId"]:
                raise ValueError("each order must be an object with a string orderId")
        with self._store_lock:
            for order in orders:
                self._orders[order["orderId"]] = deepcopy(order)
        return deepcopy(orders)

    def order_seeds(self, body: Any) -> list[Any]:
        if isinstance(body, dict) and isinstance(body.get("orders"), list):
            body = body["orders"]
        return super().order_seeds(body)


def _finance_filter(text: str) -> dict[str, str]:
    """eBay's `filter` parameter (`name:value,name:value`; a value may be `[a..b]` or `{a|b}`)."""
    criteria: dict[str, str] = {}
    depth, start = 0, 0
    for i, ch in enumerate(text + ","):
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            name, _, value = text[start:i].partition(":")
            if name.strip():
                criteria[name.strip()] = value.strip()
            start = i + 1
    return criteria


def _record_refund_on_order(order: dict[str, Any] | None, refund_id: str, body: dict[str, Any]) -> None:
    """What getOrder shows of a refund afterwards: `paymentSummary.refunds[]` and, per refunded line,
    `lineItems[].refunds[]` (`{"refundId", "amount", "refundDate", "refundReferenceId"}`)."""
    if order is None:
        return
    when = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    by_line = {str(item.get("lineItemId")): item for item in order.get("lineItems") or []}
    total = Decimal("0")
    currency = None
    for item in body.get("refundItems") or []:
        amount = item.get("refundAmount") or {}
        total += Decimal(str(amount.get("value", "0")))
        currency = amount.get("currency")
        line = by_line.get(str(item.get("lineItemId")))
        if line is not None:
            line.setdefault("refunds", []).append(
                {"refundId": refund_id, "amount": dict(amount), "refundDate": when, "refundReferenceId": None}
            )
    level = body.get("orderLevelRefundAmount") or {}
    if level:
        total, currency = Decimal(str(level.get("value", "0"))), level.get("currency")
    summary = order.setdefault("paymentSummary", {})
    summary.setdefault("refunds", []).append(
        {
            "refundId": refund_id,
            "refundStatus": "PENDING",
            "amount": {"value": f"{total:.2f}", "currency": currency},
            "refundDate": when,
        }
    )
