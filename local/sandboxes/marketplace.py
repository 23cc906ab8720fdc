"""Walmart-style marketplace sandbox: order acknowledgement, shipping, refunds and inventory.

Routes beyond acknowledgement (``local/sandboxes/README.md`` lists them with their limits):
``POST /v3/orders/{purchaseOrderId}/shipping`` (lines -> Shipped), ``POST .../refund`` (lines ->
Refund), ``PUT /v3/inventory?sku=`` (one item), ``POST /v3/feeds?feedType=inventory`` (bulk), each
under its own token bucket (fault key ``rate_limits``).

What it follows, and where from (found with the search tool):
- ``POST /v3/orders/{purchaseOrderId}/acknowledge`` acknowledges a whole order; the response to a
  successful call contains the acknowledged order; an Acknowledged order can be acknowledged again;
  orders with shipped or cancelled lines must not be. Walmart, "Acknowledge an order":
  https://developer.walmart.com/us-marketplace/docs/acknowledge-a-created-order and "Acknowledge Orders"
  https://developer.walmart.com/cl-marketplace/reference/acknowledgeorderscl
- The order's shape (``{"order": {"purchaseOrderId", "customerOrderId", "customerEmailId",
  "orderDate" (epoch ms), "shippingInfo", "orderLines": {"orderLine": [...]}}}``): Walmart's sample
  response, reproduced at https://example-code.com/powershell/walmart_v3_acknowledge_order.asp, and the
  OpenAPI of highsidelabs/walmart-api-php (resources/schemas/us/mp/orders.json).
- Limits: "rate limits vary by API"; over the limit the call answers 429 Too Many Requests. Walmart,
  "Rate limiting": https://developer.walmart.com/us-marketplace/docs/throttling. Walmart's partner APIs
  report the bucket in ``X-Current-Token-Count`` and ``X-Next-Replenishment-Time``:
  https://developer.walmart.com/doc/us/us-dsv/us-dsv-rate-limit/. The stored copies do not give the
  acknowledge endpoint's own figure, so the sandbox's token bucket (10 calls burst, refilled at 10 a
  second) is a stand-in; change it with the ``rate_limit`` fault. The throttle error code
  ``REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API`` is the one sellers report seeing.

- Authentication: ``POST /v3/token`` (``Authorization: Basic base64(client_id:client_secret)``,
  ``WM_SVC.NAME``, ``WM_QOS.CORRELATION_ID``, form ``grant_type=client_credentials``) answers
  ``{"access_token", "token_type": "Bearer", "expires_in": 900}``; every other call needs that token in
  ``WM_SEC.ACCESS_TOKEN``, else 401 ``UNAUTHORIZED.GMP_GATEWAY_API``. Walmart, "Token API"
  (https://developer.walmart.com/us-marketplace/reference: "Access Token: 15 minutes (900 seconds)").
  Lifetime and expiry for tests: ``/__admin/tokens`` (``local/sandboxes/tokens.py``).

Sandbox liberties: one API client (``local-walmart-client-id`` / ``local-walmart-client-secret``);
``WM_QOS.CORRELATION_ID`` / ``WM_SVC.NAME`` are journaled (under their exact names) but only required
by the token call; an unknown purchase order is created on first
acknowledgement with one placeholder line unless ``auto_create_orders`` is off (then 404).

Recon reports (Payment reports API, https://developer.walmart.com/us-marketplace/docs/available-recon-report-dates
and .../recon-report-json): ``GET /v3/report/reconreport/availableReconFiles?reportVersion=v1`` answers
``{"availableApReportDates": [...]}`` and ``GET /v3/report/reconreport/reconFileJson?reportDate=`` the
report (``{"reportData": [...]}``; 404 for a date it does not have), both behind the access token.
Reports are seeded with ``POST /__admin/recon`` (``{"report_date", "report"}``).
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from copy import deepcopy
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, json_response, raw_header, read_json, route
from local.sandboxes.limits import RATE_LIMITS_KEY, Decision, OperationLimiter, RateLimitedMixin, limited
from local.sandboxes.prices import PricesMixin
from local.sandboxes.seeding import OrdersAdminMixin
from local.sandboxes.stores import clear_stores, copied, counted
from local.sandboxes.tokens import VALID, TokenAdminMixin, TokenIssuer
from shared.adapters.vendor_auth import local_default

WALMART_TOKEN_PATH = "/v3/token"
WALMART_TOKEN_SECONDS = 900

DEFAULT_RATE_LIMIT = {"capacity": 10, "refill_per_second": 10.0}
# The other Walmart operations (fault key `rate_limits`). The bulk inventory feed is Walmart's
# published default, 10 feeds an hour (Walmart "Throttling" tables,
# https://developer.walmart.com/ca-marketplace/docs/throttling and .../cl-marketplace/docs/throttling;
# the US sandbox table says 30 an hour). Walmart gives no figure for shipping, refunds or the
# single-item inventory update (it calls the latter "highly throttled", for exceptions only), so
# those are stand-ins: 10 burst / 10 a second, and 10 burst / 10 a minute.
WALMART_RATE_LIMITS: dict[str, Any] = {
    "shipOrderLines": {"capacity": 10, "refill_per_second": 10.0},
    "refundOrderLines": {"capacity": 10, "refill_per_second": 10.0},
    "updateInventory": {"capacity": 10, "refill_per_second": 10 / 60},
    "bulkInventoryFeed": {"capacity": 10, "refill_per_second": 10 / 3600},
}
ACKNOWLEDGE = "acknowledgeOrders"  # the `rate_limit` fault's bucket
UNACKNOWLEDGEABLE = frozenset({"Shipped", "Delivered", "Cancelled", "Refund"})


def _epoch_ms() -> int:
    return int(time.time() * 1000)


# Walmart's error category where it is not DATA (the error codes' own).
_CATEGORY_BY_CODE = {
    "SERVICE_UNAVAILABLE.GMP_GATEWAY_API": "SYSTEM",
    "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API": "REQUEST",
    "CONTENT_NOT_FOUND.GMP_ORDER_API": "REQUEST",
}


class MarketplaceSandbox(PricesMixin, TokenAdminMixin, OrdersAdminMixin, RateLimitedMixin, Sandbox):
    """Walmart purchase orders (acknowledge, ship, refund) and inventory, under token-bucket limits."""

    name: ClassVar[str] = "marketplace"
    outage_error: ClassVar[tuple[str, str]] = ("SERVICE_UNAVAILABLE.GMP_GATEWAY_API", "Service is unavailable.")
    throttle_error: ClassVar[tuple[str, str]] = ("REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API", "Too many requests.")
    seed_errors: ClassVar[tuple[type[Exception], ...]] = (ValueError, TypeError, KeyError)
    DEFAULT_RATE_LIMITS = WALMART_RATE_LIMITS

    def __init__(
        self,
        rate_limit: dict[str, Any] | None = None,
        auto_create_orders: bool = True,
        token_ttl_seconds: float = WALMART_TOKEN_SECONDS,
    ) -> None:
        self.tokens = TokenIssuer(token_ttl_seconds, prefix="eyJraWQiOi-sandbox-")
        self.client_credentials = (local_default("walmart_client_id"), local_default("walmart_client_secret"))
        self._store_lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        self.auto_create_orders = auto_create_orders
        self._acknowledge_limiter = OperationLimiter(None)
        self._inventory: dict[str, dict[str, Any]] = {}
        self._feeds: list[dict[str, Any]] = []
        self._recon: dict[str, dict[str, Any]] = {}  # recon reports by report date (POST /__admin/recon)
        limit = DEFAULT_RATE_LIMIT if rate_limit is None else rate_limit
        self._prices_init()
        super().__init__(
            default_faults={
                "rate_limit": self.validate_extra_fault("rate_limit", limit),
                RATE_LIMITS_KEY: deepcopy(WALMART_RATE_LIMITS),
            }
        )
        self.on_faults_changed()

    # ----- authentication ----------------------------------------------------------------------

    def before_route(self, request: Request) -> Response | None:
        if request.path == WALMART_TOKEN_PATH:
            return None
        if self.tokens.check(raw_header(request, "WM_SEC.ACCESS_TOKEN")) == VALID:
            return None
        return self.field_error(
            401, "UNAUTHORIZED.GMP_GATEWAY_API", "Unauthorized token or invalid service name", "UNAUTHORIZED"
        )

    @route("POST", WALMART_TOKEN_PATH)
    def issue_token(self, request: Request) -> Response:
        """Walmart's Token API, client-credentials grant."""
        if not raw_header(request, "WM_SVC.NAME") or not raw_header(request, "WM_QOS.CORRELATION_ID"):
            return self.error(
                400, "INVALID_REQUEST_HEADER.GMP_GATEWAY_API", "WM_SVC.NAME and WM_QOS.CORRELATION_ID are required"
            )
        auth = request.authorization
        if auth is None or auth.type != "basic" or (auth.username, auth.password) != self.client_credentials:
            return self.field_error(401, "UNAUTHORIZED.GMP_GATEWAY_API", "Invalid client id or secret", "Authorization")
        if request.form.get("grant_type") != "client_credentials":
            return self.error(400, "INVALID_REQUEST_PARAM.GMP_GATEWAY_API", "grant_type must be client_credentials")
        token, expires_in = self.tokens.issue()
        return json_response({"access_token": token, "token_type": "Bearer", "expires_in": expires_in})

    # ----- vendor error shape ------------------------------------------------------------------

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        item: dict[str, Any] = {"code": code}
        if field is not None:
            item["field"] = field
        item.update(
            {
                "description": detail,
                "info": detail,
                "severity": "ERROR",
                "category": _CATEGORY_BY_CODE.get(code, "DATA"),
                "causes": [],
                "errorIdentifiers": {},
            }
        )
        return {"errors": {"error": [item]}}

    # ----- rate limit (a fault key of this sandbox) --------------------------------------------

    def validate_extra_fault(self, key: str, value: Any) -> Any:
        if key == RATE_LIMITS_KEY:
            return self._validate_rate_limits(value)
        if key != "rate_limit":
            raise ValueError(f"unknown fault {key!r}")
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ValueError('rate_limit must be {"capacity": n, "refill_per_second": r} or null')
        capacity, refill = value.get("capacity"), value.get("refill_per_second", 0)
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError("rate_limit.capacity must be a whole number >= 1")
        if isinstance(refill, bool) or not isinstance(refill, int | float) or refill < 0:
            raise ValueError("rate_limit.refill_per_second must be a number >= 0")
        return {"capacity": capacity, "refill_per_second": float(refill)}

    def on_faults_changed(self) -> None:
        limit = self.faults().get("rate_limit")
        self._acknowledge_limiter = OperationLimiter({ACKNOWLEDGE: limit})
        self._rebuild_limiter()

    def limit_refusal(self, decision: Decision) -> Response:
        headers = {"Retry-After": str(decision.retry_after), **_token_count_headers(decision)}
        return self.error(429, *self.throttle_error, headers)

    # ----- shipping, refunds, inventory --------------------------------------------------------

    @route("POST", "/v3/orders/<purchase_order_id>/shipping")
    @limited("shipOrderLines")
    def ship_order_lines(self, request: Request, purchase_order_id: str) -> Response:
        """``{"orderShipment": {"orderLines": {"orderLine": [{"lineNumber", "orderLineStatuses":
        {"orderLineStatus": [{"status": "Shipped", "statusQuantity", "trackingInfo"}]}}]}}}``."""
        try:
            body = read_json(request)
            lines = body["orderShipment"]["orderLines"]["orderLine"]
            shipped = {str(line["lineNumber"]): line["orderLineStatuses"]["orderLineStatus"][0] for line in lines}
            for number, status in shipped.items():
                if status.get("status") != "Shipped" or not status.get("trackingInfo"):
                    raise ValueError(f"line {number}: status must be Shipped, with trackingInfo")
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            return self.error(400, "INVALID_REQUEST_CONTENT.GMP_ORDER_API", f"Invalid shipping update: {exc}")
        return self._update_lines(purchase_order_id, shipped, "Shipped", {"Acknowledged", "Shipped"})

    @route("POST", "/v3/orders/<purchase_order_id>/refund")
    @limited("refundOrderLines")
    def refund_order_lines(self, request: Request, purchase_order_id: str) -> Response:
        """``{"orderRefund": {"purchaseOrderId", "orderLines": {"orderLine": [{"lineNumber", "refunds":
        {"refund": [{"refundComments", "refundCharges": {"refundCharge": [...]}}]}}]}}}``."""
        try:
            body = read_json(request)
            lines = body["orderRefund"]["orderLines"]["orderLine"]
            refunds = {str(line["lineNumber"]): line["refunds"]["refund"] for line in lines}
            if not all(isinstance(r, list) and r and r[0].get("refundCharges") for r in refunds.values()):
                raise ValueError("each line needs refunds.refund[].refundCharges")
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            return self.error(400, "INVALID_REQUEST_CONTENT.GMP_ORDER_API", f"Invalid refund: {exc}")
        return self._update_lines(purchase_order_id, refunds, "Refund", {"Shipped", "Delivered", "Refund"})

    def _update_lines(
        self, purchase_order_id: str, changes: dict[str, Any], status: str, allowed_from: set[str]
    ) -> Response:
        with self._store_lock:
            order = self._orders.get(purchase_order_id)
            if order is None:
                return self._not_found(purchase_order_id, {})
            lines = {str(line["lineNumber"]): line for line in order["orderLines"]["orderLine"]}
            unknown = sorted(set(changes) - set(lines))
            if unknown:
                return self.field_error(
                    400,
                    "INVALID_REQUEST_CONTENT.GMP_ORDER_API",
                    f"Unknown line numbers: {', '.join(unknown)}.",
                    "lineNumber",
                )
            for number in changes:
                current = {s["status"] for s in lines[number]["orderLineStatuses"]["orderLineStatus"]}
                if not current & allowed_from:
                    return self.field_error(
                        400,
                        "INVALID_REQUEST_CONTENT.GMP_ORDER_API",
                        f"Line {number} is {', '.join(sorted(current))}: it cannot become {status}.",
                        "lineNumber",
                    )
            now = _epoch_ms()
            for number, change in changes.items():
                line = lines[number]
                line["statusDate"] = now
                for entry in line["orderLineStatuses"]["orderLineStatus"]:
                    entry["status"] = status
                    if status == "Shipped":
                        entry["trackingInfo"] = deepcopy(change.get("trackingInfo"))
                if status == "Refund":
                    # As GET /v3/orders answers a refunded line: its refund id, comments and charges.
                    line["refund"] = {
                        "refundId": f"{purchase_order_id}-{number}-{now}",
                        "refundComments": change[0].get("refundComments"),
                        "refundCharges": deepcopy(change[0]["refundCharges"]),
                    }
            body = {"order": deepcopy(order)}
        return json_response(body)

    @route("PUT", "/v3/inventory")
    @limited("updateInventory")
    def update_inventory(self, request: Request) -> Response:
        """``PUT /v3/inventory?sku=`` with ``{"sku", "quantity": {"unit": "EACH", "amount"}}``."""
        sku = request.args.get("sku")
        try:
            body = read_json(request)
            if not sku or body.get("sku") != sku:
                raise ValueError("the sku query parameter and the body's sku must be the same")
            amount = body["quantity"]["amount"]
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                raise ValueError("quantity.amount must be a whole number >= 0")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return self.error(400, "INVALID_REQUEST_CONTENT.GMP_INVENTORY_API", f"Invalid inventory: {exc}")
        record = {"sku": sku, "quantity": {"unit": body["quantity"].get("unit", "EACH"), "amount": amount}}
        with self._store_lock:
            self._inventory[sku] = deepcopy(record)
        return json_response(record)

    @route("POST", "/v3/feeds")
    def submit_feed(self, request: Request) -> Response:
        """``POST /v3/feeds?feedType=inventory`` with ``{"InventoryHeader", "Inventory": [...]}``."""
        if request.args.get("feedType") != "inventory":
            return self.error(400, "INVALID_REQUEST_CONTENT.GMP_GATEWAY_API", "feedType must be inventory.")
        refused = self.over_limit("bulkInventoryFeed")
        if refused is not None:
            return refused
        try:
            body = read_json(request)
            items = body["Inventory"]
            if not isinstance(items, list) or not items:
                raise ValueError("Inventory must be a non-empty array")
            for item in items:
                if not item.get("sku") or not isinstance(item["quantity"]["amount"], int):
                    raise ValueError("each Inventory entry needs sku and quantity.amount")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return self.error(400, "INVALID_REQUEST_CONTENT.GMP_GATEWAY_API", f"Invalid feed: {exc}")
        feed_id = f"{uuid.uuid4().hex.upper()}@AQMB"
        with self._store_lock:
            for item in items:
                self._inventory[item["sku"]] = {"sku": item["sku"], "quantity": deepcopy(item["quantity"])}
            self._feeds.append({"feedId": feed_id, "feedType": "inventory", "itemsReceived": len(items)})
        return json_response({"feedId": feed_id})

    @admin_route("GET", "inventory")
    def admin_get_inventory(self, request: Request) -> Response:
        return counted("inventory", copied(self._store_lock, self._inventory.values()))

    @admin_route("GET", "feeds")
    def admin_get_feeds(self, request: Request) -> Response:
        return counted("feeds", copied(self._store_lock, self._feeds))

    # ----- orders ------------------------------------------------------------------------------

    @route("POST", "/v3/orders/<purchase_order_id>/acknowledge")
    def acknowledge_order(self, request: Request, purchase_order_id: str) -> Response:
        decision = self._acknowledge_limiter.take(ACKNOWLEDGE)
        headers = {} if decision is None else _token_count_headers(decision)
        if decision is not None and not decision.allowed:
            return self.limit_refusal(decision)
        with self._store_lock:
            order = self._orders.get(purchase_order_id)
            if order is None and self.auto_create_orders:
                order = self._orders[purchase_order_id] = complete_walmart_order({"purchaseOrderId": purchase_order_id})
            if order is None:
                return self._not_found(purchase_order_id, headers)
            lines = order["orderLines"]["orderLine"]
            blocked = sorted(
                {s["status"] for line in lines for s in line["orderLineStatuses"]["orderLineStatus"]}
                & UNACKNOWLEDGEABLE
            )
            if blocked:
                return self.field_error(
                    400,
                    "INVALID_REQUEST_CONTENT.GMP_ORDER_API",
                    f"Order {purchase_order_id} has {', '.join(blocked)} lines: it cannot be acknowledged.",
                    "purchaseOrderId",
                    headers,
                )
            now = _epoch_ms()
            for line in lines:
                line["statusDate"] = now
                for status in line["orderLineStatuses"]["orderLineStatus"]:
                    status["status"] = "Acknowledged"
            body = {"order": deepcopy(order)}
        return json_response(body, 200, headers)

    @route("GET", "/v3/orders/<purchase_order_id>")
    def get_order(self, request: Request, purchase_order_id: str) -> Response:
        with self._store_lock:
            order = self._orders.get(purchase_order_id)
            body = None if order is None else {"order": deepcopy(order)}
        if body is None:
            return self._not_found(purchase_order_id, {})
        return json_response(body)

    def _not_found(self, purchase_order_id: str, headers: dict[str, str]) -> Response:
        return self.field_error(
            404,
            "CONTENT_NOT_FOUND.GMP_ORDER_API",
            f"Purchase order {purchase_order_id} was not found.",
            "purchaseOrderId",
            headers,
        )

    def seed_orders(self, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stores Walmart orders (missing fields filled in); returns them as stored."""
        completed = [complete_walmart_order(o.get("order", o) if isinstance(o, dict) else o) for o in orders]
        with self._store_lock:
            for order in completed:
                self._orders[order["purchaseOrderId"]] = order
            return deepcopy(completed)

    def order(self, purchase_order_id: str) -> dict[str, Any] | None:
        with self._store_lock:
            found = self._orders.get(purchase_order_id)
            return None if found is None else deepcopy(found)

    @admin_route("GET", "settings")
    def admin_get_settings(self, request: Request) -> Response:
        return json_response({"auto_create_orders": self.auto_create_orders})

    @admin_route("POST", "settings")
    def admin_post_settings(self, request: Request) -> Response:
        try:
            body = read_json(request)
            value = body.get("auto_create_orders") if isinstance(body, dict) else None
            if not isinstance(value, bool):
                raise ValueError('send {"auto_create_orders": true|false}')
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        self.auto_create_orders = value
        return json_response({"auto_create_orders": value})

    def reset_state(self) -> None:
        clear_stores(self._store_lock, self._orders, self._inventory, self._feeds, self._recon)
        self.reset_prices()

    @route("PUT", "/v3/price")
    def update_price(self, request: Request) -> Response:
        """`PUT /v3/price`: `{"sku", "pricing": [{"currentPriceType", "currentPrice": {"currency",
        "amount"}}]}` -> Walmart's `ItemPriceResponse`; 400 for a price it will not take."""
        try:
            body = read_json(request)
            sku = str(body["sku"])
            current = body["pricing"][0]["currentPrice"]
            amount, currency = current["amount"], current["currency"]
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            return self.error(400, "INVALID_REQUEST_CONTENT.GMP_ITEM_PRICE_API", f"invalid price request: {exc}")
        problem = self.below_floor(sku, amount)
        if problem is not None:
            return self.error(400, "INVALID_REQUEST_CONTENT.GMP_ITEM_PRICE_API", problem)
        self.record_price(sku, amount, currency)
        message = (
            "Thank you. Your price has been updated. "
            "Please allow up to five minutes for this change to be reflected on the site."
        )
        return json_response({"ItemPriceResponse": {"mart": "WALMART_US", "sku": sku, "message": message}})

    # ----- recon reports (Payment reports API) -------------------------------------------------

    @route("GET", "/v3/report/reconreport/availableReconFiles")
    def available_recon_files(self, request: Request) -> Response:
        """`{"availableApReportDates": [...]}`: the dates seeded through POST /__admin/recon."""
        with self._store_lock:
            dates = sorted(self._recon)
        return json_response({"availableApReportDates": dates})

    @route("GET", "/v3/report/reconreport/reconFileJson")
    def recon_file_json(self, request: Request) -> Response:
        report_date = request.args.get("reportDate", "")
        with self._store_lock:
            report = deepcopy(self._recon.get(report_date))
        if not report_date:
            return self.error(400, "INVALID_REQUEST_PARAM.GMP_PAYMENT_API", "reportDate is required")
        if report is None:
            return self.error(404, "CONTENT_NOT_FOUND.GMP_PAYMENT_API", f"no recon report for {report_date}")
        return json_response(report)

    @admin_route("POST", "recon")
    def admin_post_recon(self, request: Request) -> Response:
        try:
            body = read_json(request)
            report_date, report = str(body["report_date"]), body["report"]
            if not isinstance(report.get("reportData"), list):
                raise ValueError("report.reportData must be a list")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return json_response({"error": f"expected {{report_date, report}}: {exc}"}, 400)
        self.seed_recon(report_date, report)
        return json_response({"seeded": report_date}, 201)

    def seed_recon(self, report_date: str, report: dict[str, Any]) -> None:
        with self._store_lock:
            self._recon[report_date] = deepcopy(report)


def _token_count_headers(decision: Decision) -> dict[str, str]:
    """Walmart's bucket headers: tokens left and when the next one comes (epoch ms)."""
    wait = decision.wait_seconds
    next_ms = _epoch_ms() + (0 if math.isinf(wait) else math.ceil(wait * 1000))
    return {"X-Current-Token-Count": str(decision.tokens_left), "X-Next-Replenishment-Time": str(next_ms)}


def complete_walmart_order(order: Any) -> dict[str, Any]:
    """A Walmart order with the fields a real one always has; raises ``ValueError`` when unusable."""
    if not isinstance(order, dict):
        raise ValueError("an order must be a JSON object")
    purchase_order_id = order.get("purchaseOrderId")
    if not isinstance(purchase_order_id, str) or not purchase_order_id:
        raise ValueError("an order needs a string purchaseOrderId")
    now = _epoch_ms()
    completed = deepcopy(order)
    completed.setdefault("customerOrderId", f"C{purchase_order_id}")
    completed.setdefault("customerEmailId", f"{purchase_order_id}@relay.walmart.com")
    completed.setdefault("orderDate", now)
    completed.setdefault(
        "shippingInfo",
        {
            "phone": "0000000000",
            "estimatedDeliveryDate": now + 5 * 86_400_000,
            "estimatedShipDate": now + 86_400_000,
            "methodCode": "Standard",
            "postalAddress": {
                "name": "Sandbox Customer",
                "address1": "1 Sandbox Way",
                "address2": None,
                "city": "Bentonville",
                "state": "AR",
                "postalCode": "72712",
                "country": "USA",
                "addressType": "RESIDENTIAL",
            },
        },
    )
    order_lines = completed.setdefault("orderLines", {})
    if not isinstance(order_lines, dict):
        raise ValueError('orderLines must be {"orderLine": [...]}')
    lines = order_lines.setdefault("orderLine", [])
    if not isinstance(lines, list):
        raise ValueError("orderLines.orderLine must be a list")
    if not lines:
        lines.append({"item": {"productName": "Sandbox placeholder item", "sku": "SANDBOX-SKU"}})
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise ValueError("each orderLine must be an object")
        _complete_line(line, number, now)
    return completed


def _complete_line(line: dict[str, Any], number: int, now: int) -> None:
    line.setdefault("lineNumber", str(number))
    line.setdefault("item", {"productName": f"Item {number}", "sku": f"SKU-{number}"})
    quantity = line.setdefault("orderLineQuantity", {"unitOfMeasurement": "EACH", "amount": "1"})
    line.setdefault(
        "charges",
        {
            "charge": [
                {
                    "chargeType": "PRODUCT",
                    "chargeName": "ItemPrice",
                    "chargeAmount": {"currency": "USD", "amount": 0.0},
                    "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": 0.0}},
                }
            ]
        },
    )
    line.setdefault("statusDate", now)
    statuses = line.setdefault(
        "orderLineStatuses",
        {"orderLineStatus": [{"status": "Created", "statusQuantity": dict(quantity)}]},
    )
    if not isinstance(statuses, dict) or not isinstance(statuses.get("orderLineStatus"), list):
        raise ValueError('orderLineStatuses must be {"orderLineStatus": [{"status": ...}]}')
    if not all(isinstance(s, dict) and isinstance(s.get("status"), str) for s in statuses["orderLineStatus"]):
        raise ValueError("each orderLineStatus needs a string status")
    line.setdefault("fulfillment", {"fulfillmentOption": "S2H", "shipMethod": "STANDARD", "pickUpDateTime": now})
