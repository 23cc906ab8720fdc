"""Zalando zDirect sandbox: the Orders API listing the poller reads, and the Stocks API.

What it follows, and where from (found with the search tool):
- Orders are pulled, never pushed ("We do not currently support push notification",
  https://developers.merchants.zalando.com/docs/orders-getting.html).
  ``GET /merchants/{merchant_id}/orders`` filters on ``created_after``, ``created_before``,
  ``last_updated_after``, ``last_updated_before`` (all exclusive: ``last_updated_after=t`` returns
  orders with ``modified_at > t``), ``order_status``, ``order_type``, ``exported``; ``include=
  order_items,order_lines``; ``page[number]`` (from 0) and ``page[size]`` (default 50); ``sort``
  (default ``-modified_at``). https://developers.merchants.zalando.com/docs/orders-api-get-orders.html
  and the zDirect Orders OpenAPI (api-evangelist/zalando, openapi/_original/zalando-orders-openapi.yml).
- Answers are JSON:API (``application/vnd.api+json``): ``{"data": [Order], "included": [OrderItem,
  OrderLine], "links"}``. Order attributes (``order_id``, ``order_number``, ``order_date``, ``status``
  initial|approved|fulfilled, ``merchant_id``, ``sales_channel_id``, ``customer_number``,
  ``order_type``, ``shipping_address``, ``billing_address``, ``order_lines_price_amount`` /
  ``_currency``, ``created_at``, ``modified_at``, ...); an OrderItem summarises quantities per article
  (``article_id``, ``external_id`` = the merchant's SKU, ``quantity_initial`` ... ``quantity_canceled``);
  an OrderLine is one unit (``status`` initial|reserved|shipped|returned|canceled, ``price``).
- ``POST /merchants/{merchant_id}/stocks`` with ``{"items": [{"sales_channel_id", "ean",
  "quantity"}]}``, at most 1000 per request, each (sales channel, EAN) once per batch. Rate limits:
  60 requests a minute and 2000 stock updates a minute, whichever is reached first
  (https://developers.merchants.zalando.com/docs/offers-stocks-api.html); 429 with ``Retry-After``.
- Every call needs ``Authorization: Bearer <token>`` (OAuth2 client credentials) minted by
  ``POST /auth/token`` (Basic client id:secret, form ``grant_type=client_credentials&scope=access_token_only``
  -> ``{"access_token", "token_type": "Bearer", "expires_in"}``; "When your access token expires or is
  invalidated, request a new access token": developers.merchants.zalando.com/docs/auth.html and
  requesting-access-token.html). Missing, expired or unknown: 401. Lifetime and expiry for tests:
  ``/__admin/tokens`` (``local/sandboxes/tokens.py``).

Order PATCHes (tracking on the order, order line status; https://developers.merchants.zalando.com/docs/orders-api-patch.html,
orders-preparing-shipping.html) share Zalando's "PATCH requests" quota of 2000 a minute
(orders-api.html).

Sandbox liberties: one API client (``local-zalando-client-id`` / ``local-zalando-client-secret``); tokens
live 7200 s (the stored pages give no figure); the Orders API GETs have no limit by default (Zalando's pages do not
state one; set ``rate_limits.listOrders`` to add one); the stock answer's per-item result shape is
``{"item", "result": {"status": "ACCEPTED"}}``; errors are JSON:API ``{"errors": [{"status", "title",
"detail"}]}``; orders are seeded with ``POST /__admin/orders`` in a compact form (see ``seed_order``).
"""

from __future__ import annotations

import threading
import uuid
from copy import deepcopy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, has_bearer_token, json_response, raw_header, read_json, route
from local.sandboxes.limits import RATE_LIMITS_KEY, Decision, RateLimitedMixin, limited
from local.sandboxes.prices import PricesMixin
from local.sandboxes.seeding import OrdersAdminMixin
from local.sandboxes.tokens import VALID, TokenAdminMixin, TokenIssuer
from shared.adapters.vendor_auth import local_default

ZALANDO_TOKEN_PATH = "/auth/token"
ZALANDO_TOKEN_SECONDS = 7200

JSON_API = "application/vnd.api+json"
DEFAULT_MERCHANT_ID = "6c5f7a0e-7f43-4b4e-9c0e-5a1d2a3b4c5d"
DEFAULT_SALES_CHANNEL_ID = "bf48ba35-149d-4b76-8ac9-d08d126b517f"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_STOCK_ITEMS = 1000
ORDER_STATUSES = ("initial", "approved", "fulfilled")
LINE_STATUSES = ("initial", "reserved", "shipped", "returned", "canceled")

RATE_LIMITS: dict[str, Any] = {
    "stockRequests": {"capacity": 60, "refill_per_second": 1.0},
    "stockUpdates": {"capacity": 2000, "refill_per_second": 2000 / 60},
    # Orders API "PATCH requests": 2000 a minute in production (40 in Zalando's sandbox), one quota.
    "patchOrder": {"capacity": 2000, "refill_per_second": 2000 / 60, "bucket": "orderPatches"},
    "patchOrderLine": {"capacity": 2000, "refill_per_second": 2000 / 60, "bucket": "orderPatches"},
    # Prices API: 30 POST requests a minute in production (https://developers.merchants.zalando.com/docs/offers-prices-api.html).
    "priceRequests": {"capacity": 30, "refill_per_second": 30 / 60},
}
# Order attributes a PATCH of the order may set (tracking, the merchant's order number, export).
PATCHABLE_ORDER_ATTRIBUTES = {"tracking_number", "return_tracking_number", "merchant_order_id", "exported"}
# Order line status transitions zDirect accepts from the partner.
LINE_TRANSITIONS = {
    "shipped": {"initial", "reserved"},
    "canceled": {"initial", "reserved"},
    "returned": {"shipped"},
}
FINAL_LINE_STATUSES = {"shipped", "canceled", "returned"}
_OPERATIONS: dict[str, Any] = {**RATE_LIMITS, "listOrders": None, "getOrder": None}


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{name} is not an ISO 8601 date-time") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"{name} needs a time zone (Z or an offset)")
    return parsed.astimezone(UTC)


class ZalandoSandbox(PricesMixin, TokenAdminMixin, OrdersAdminMixin, RateLimitedMixin, Sandbox):
    """Partner orders seeded by the admin API, listed like zDirect's Orders API; stock updates."""

    name: ClassVar[str] = "zalando"
    outage_error: ClassVar[tuple[str, str]] = ("Service Unavailable", "The service is temporarily unavailable.")
    throttle_error: ClassVar[tuple[str, str]] = ("Too Many Requests", "Exceeded the rate limit.")
    seed_errors: ClassVar[tuple[type[Exception], ...]] = (ValueError, TypeError, KeyError)
    DEFAULT_RATE_LIMITS = _OPERATIONS

    def __init__(self, token_ttl_seconds: float = ZALANDO_TOKEN_SECONDS) -> None:
        self.tokens = TokenIssuer(token_ttl_seconds, prefix="zdirect-sandbox-")
        self.client_credentials = (local_default("zalando_client_id"), local_default("zalando_client_secret"))
        self._store_lock = threading.Lock()
        # order id -> {"order": resource, "items": [resources], "lines": [resources]}
        self._orders: dict[str, dict[str, Any]] = {}
        self._stocks: dict[tuple[str, str], int] = {}
        self._prices_init()
        super().__init__(default_faults={RATE_LIMITS_KEY: deepcopy(RATE_LIMITS)})
        self._rebuild_limiter()

    # ----- vendor shape ------------------------------------------------------------------------

    def error(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> Response:
        body = {"errors": [{"status": str(status), "title": code, "detail": detail}]}
        return Response(_dumps(body), status=status, headers=headers, mimetype=JSON_API)

    def throttle_headers(self, retry_after: int) -> dict[str, str]:
        return {"Retry-After": str(retry_after), "X-Rate-Limit": "throttled"}

    def before_route(self, request: Request) -> Response | None:
        if request.path == ZALANDO_TOKEN_PATH:
            return None
        auth = raw_header(request, "Authorization") or ""
        if not has_bearer_token(auth):
            return self.error(401, "Unauthorized", "A bearer access token is required.")
        state = self.tokens.check(auth.removeprefix("Bearer ").strip())
        if state != VALID:
            return self.error(401, "Unauthorized", f"The access token is {state}.")
        return None

    @route("POST", ZALANDO_TOKEN_PATH)
    def issue_token(self, request: Request) -> Response:
        """zDirect's Authentication API, client-credentials grant."""
        auth = request.authorization
        if auth is None or auth.type != "basic" or (auth.username, auth.password) != self.client_credentials:
            return json_response({"error": "invalid_client", "error_description": "Bad client credentials"}, 401)
        if request.form.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, 400)
        token, expires_in = self.tokens.issue()
        return json_response({"access_token": token, "token_type": "Bearer", "expires_in": expires_in})

    def limit_refusal(self, decision: Decision) -> Response:
        return self.error(
            429,
            "Too Many Requests",
            f"Exceeded the rate limit ({decision.operation}).",
            {"Retry-After": str(decision.retry_after), "X-Rate-Limit": f"{decision.capacity:g}"},
        )

    # ----- Orders API --------------------------------------------------------------------------

    @route("GET", "/merchants/<merchant_id>/orders")
    @limited("listOrders")
    def list_orders(self, request: Request, merchant_id: str) -> Response:
        args = request.args
        try:
            bounds = {
                name: _parse(args[name], name)
                for name in ("created_after", "created_before", "last_updated_after", "last_updated_before")
                if args.get(name)
            }
            number = int(args.get("page[number]", 0))
            size = int(args.get("page[size]", DEFAULT_PAGE_SIZE))
            if number < 0 or not 1 <= size <= MAX_PAGE_SIZE:
                raise ValueError(f"page[number] must be >= 0 and page[size] between 1 and {MAX_PAGE_SIZE}")
            sort = args.get("sort", "-modified_at")
            if sort.lstrip("+-") not in {"modified_at", "created_at", "order_date"}:
                raise ValueError("sort supports modified_at, created_at and order_date")
            include = _include(args.get("include"))
        except ValueError as exc:
            return self.error(400, "Bad Request", str(exc))
        with self._store_lock:
            found = [
                deepcopy(entry)
                for entry in self._orders.values()
                if _order_matches(entry["order"], merchant_id, args, bounds)
            ]
        field = sort.lstrip("+-")
        found.sort(key=lambda e: (e["order"]["attributes"][field], e["order"]["id"]), reverse=sort.startswith("-"))
        page = found[number * size : (number + 1) * size]
        body: dict[str, Any] = {"data": [e["order"] for e in page], "links": {"self": _link(request, number, size)}}
        if (number + 1) * size < len(found):
            body["links"]["next"] = _link(request, number + 1, size)
        return _orders_document(body, page, include)

    def _merchant_order(self, merchant_id: str, order_id: str) -> dict[str, Any] | None:
        """The stored order when it is this merchant's (the caller holds ``_store_lock``)."""
        entry = self._orders.get(order_id)
        if entry is None or entry["order"]["attributes"]["merchant_id"] != merchant_id:
            return None
        return entry

    def _order_not_found(self) -> Response:
        return self.error(404, "Not Found", "Merchant order was not found.")

    @route("GET", "/merchants/<merchant_id>/orders/<order_id>")
    @limited("getOrder")
    def get_order(self, request: Request, merchant_id: str, order_id: str) -> Response:
        try:
            include = _include(request.args.get("include"))
        except ValueError as exc:
            return self.error(400, "Bad Request", str(exc))
        with self._store_lock:
            entry = deepcopy(self._merchant_order(merchant_id, order_id))
        if entry is None:
            return self._order_not_found()
        body: dict[str, Any] = {"data": entry["order"]}
        return _orders_document(body, [entry], include)

    @route("PATCH", "/merchants/<merchant_id>/orders/<order_id>")
    @limited("patchOrder")
    def patch_order(self, request: Request, merchant_id: str, order_id: str) -> Response:
        """``{"data": {"type": "Order", "id", "attributes": {"tracking_number", ...}}}`` -> 204.
        Tracking works at order level and the first value set is kept (Zalando: "in case of
        multiple updates the first one will be picked")."""
        try:
            attributes = _patch_attributes(read_json(request), "Order", order_id)
            unknown = set(attributes) - PATCHABLE_ORDER_ATTRIBUTES
            if unknown:
                raise ValueError(f"attributes not patchable: {', '.join(sorted(unknown))}")
            for name, value in attributes.items():
                valid = isinstance(value, bool) if name == "exported" else isinstance(value, str) and value
                if not valid:
                    raise ValueError(f"attributes.{name} has a bad value")
        except ValueError as exc:
            return self.error(400, "Bad Request", str(exc))
        with self._store_lock:
            entry = self._merchant_order(merchant_id, order_id)
            if entry is None:
                return self._order_not_found()
            stored = entry["order"]["attributes"]
            for name, value in attributes.items():
                if name in {"tracking_number", "return_tracking_number"} and stored.get(name):
                    continue  # the first tracking update is the one kept
                stored[name] = value
            stored["modified_at"] = iso(datetime.now(UTC))
        return Response(status=204, headers={"Location": f"{request.host_url.rstrip('/')}{request.path}"})

    @route("PATCH", "/merchants/<merchant_id>/orders/<order_id>/items/<item_id>/lines/<line_id>")
    @limited("patchOrderLine")
    def patch_order_line(
        self, request: Request, merchant_id: str, order_id: str, item_id: str, line_id: str
    ) -> Response:
        """``{"data": {"id": line_id, "type": "OrderLine", "attributes": {"status"}}}`` -> 204; the
        item quantities follow, and the order is ``fulfilled`` once every line is final."""
        try:
            attributes = _patch_attributes(read_json(request), "OrderLine", line_id)
            status = attributes.get("status")
            if status not in LINE_TRANSITIONS:
                raise ValueError(f"attributes.status must be one of {', '.join(sorted(LINE_TRANSITIONS))}")
        except ValueError as exc:
            return self.error(400, "Bad Request", str(exc))
        with self._store_lock:
            entry = self._merchant_order(merchant_id, order_id)
            if entry is None:
                return self._order_not_found()
            line = next(
                (ln for ln in entry["lines"] if ln["id"] == line_id and ln["attributes"]["order_item_id"] == item_id),
                None,
            )
            if line is None:
                return self.error(404, "Not Found", "Order line was not found.")
            current = line["attributes"]["status"]
            if current not in LINE_TRANSITIONS[status]:
                return self.error(400, "Bad Request", f"order line cannot go from {current} to {status}")
            now = iso(datetime.now(UTC))
            line["attributes"]["status"] = status
            line["attributes"]["modified_at"] = now
            _summarise_items(entry)
            order = entry["order"]["attributes"]
            order["modified_at"] = now
            if order["status"] == "approved" and all(
                ln["attributes"]["status"] in FINAL_LINE_STATUSES for ln in entry["lines"]
            ):
                order["status"] = "fulfilled"
        return Response(status=204)

    # ----- Stocks API --------------------------------------------------------------------------

    @route("POST", "/merchants/<merchant_id>/stocks")
    def post_stocks(self, request: Request, merchant_id: str) -> Response:
        try:
            body = read_json(request)
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list) or not items:
                raise ValueError("items must be a non-empty array")
            if len(items) > MAX_STOCK_ITEMS:
                raise ValueError(f"a batch holds at most {MAX_STOCK_ITEMS} stock updates")
            seen: set[tuple[str, str]] = set()
            for index, item in enumerate(items):
                channel, ean, quantity = item.get("sales_channel_id"), item.get("ean"), item.get("quantity")
                if (
                    not channel
                    or not ean
                    or isinstance(quantity, bool)
                    or not isinstance(quantity, int)
                    or quantity < 0
                ):
                    raise ValueError(f"items[{index}] needs sales_channel_id, ean and a whole quantity >= 0")
                if (channel, ean) in seen:
                    raise ValueError(f"items[{index}]: sales_channel_id and ean must be unique in a batch")
                seen.add((channel, ean))
        except (ValueError, AttributeError) as exc:
            return self.error(400, "Bad Request", str(exc))
        # Both limits apply at once; whichever is reached first refuses the request.
        refused = self.over_limit("stockRequests") or self.over_limit("stockUpdates", len(items))
        if refused is not None:
            return refused
        with self._store_lock:
            for item in items:
                self._stocks[(item["sales_channel_id"], item["ean"])] = item["quantity"]
        answer = {"items": [{"item": item, "result": {"status": "ACCEPTED"}} for item in items]}
        return Response(_dumps(answer), status=200, mimetype=JSON_API)

    @route("POST", "/merchants/<merchant_id>/prices")
    def post_prices(self, request: Request, merchant_id: str) -> Response:
        """Prices API: `{"product_prices": [{"ean", "sales_channel_id", "regular_price": {"amount",
        "currency"}, "promotional_price"?}]}` (up to 1,000) -> 207 with one `status` per price."""
        try:
            body = read_json(request)
            prices = body.get("product_prices") if isinstance(body, dict) else None
            if not isinstance(prices, list) or not prices or len(prices) > 1000:
                raise ValueError("product_prices must hold 1 to 1000 prices")
            for index, price in enumerate(prices):
                if not price.get("ean") or not price.get("sales_channel_id") or not price.get("regular_price"):
                    raise ValueError(f"product_prices[{index}] needs ean, sales_channel_id and regular_price")
        except (ValueError, AttributeError) as exc:
            return self.error(400, "Bad Request", str(exc))
        refused = self.over_limit("priceRequests")
        if refused is not None:
            return refused
        results = []
        for price in prices:
            shown = price.get("promotional_price") or price["regular_price"]
            problem = self.below_floor(str(price["ean"]), shown.get("amount"))
            if problem is not None:
                results.append({"product_price": price, "status": "REJECTED", "description": problem})
                continue
            compare_at = price["regular_price"].get("amount") if price.get("promotional_price") else None
            self.record_price(str(price["ean"]), shown.get("amount"), shown.get("currency"), compare_at)
            results.append({"product_price": price, "status": "ACCEPTED", "description": ""})
        return Response(_dumps({"results": results}), status=207, mimetype=JSON_API)

    # ----- admin -------------------------------------------------------------------------------

    def seed_order(self, seed: dict[str, Any]) -> dict[str, Any]:
        """Stores an order given compactly: ``order_id``, ``order_number``, ``status``, ``order_date``,
        ``modified_at`` (default now), ``merchant_id``, ``shipping_address``, ... and ``items``:
        ``[{"external_id": SKU, "article_id"?, "quantity", "price": {"amount", "currency"},
        "line_status"? (all lines) or "line_statuses"? (one per unit)}]``. Returns the Order resource."""
        entry = build_order(seed)
        with self._store_lock:
            self._orders[entry["order"]["id"]] = entry
        return deepcopy(entry["order"])

    def update_order(self, order_id: str, **changes: Any) -> dict[str, Any]:
        """Changes order attributes; ``line_status`` sets every line; ``modified_at`` defaults to now."""
        with self._store_lock:
            entry = self._orders[order_id]
            modified = changes.pop("modified_at", None) or iso(datetime.now(UTC))
            line_status = changes.pop("line_status", None)
            entry["order"]["attributes"].update(changes)
            entry["order"]["attributes"]["modified_at"] = modified
            if line_status is not None:
                for line in entry["lines"]:
                    line["attributes"]["status"] = line_status
                    line["attributes"]["modified_at"] = modified
                _summarise_items(entry)
            return deepcopy(entry["order"])

    def stocks(self) -> dict[str, int]:
        with self._store_lock:
            return {f"{channel}/{ean}": quantity for (channel, ean), quantity in self._stocks.items()}

    def seed_orders(self, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Seeds each order in turn (the ones before a bad seed stay stored)."""
        return [self.seed_order(seed) for seed in orders]

    @admin_route("GET", "stocks")
    def admin_get_stocks(self, request: Request) -> Response:
        return json_response({"stocks": self.stocks()})

    def reset_state(self) -> None:
        with self._store_lock:
            self._orders.clear()
            self._stocks.clear()
        self.reset_prices()


def build_order(seed: Any) -> dict[str, Any]:
    """The JSON:API resources of one order from its compact seed; ``ValueError`` when unusable."""
    if not isinstance(seed, dict):
        raise ValueError("an order seed must be a JSON object")
    items = seed.get("items")
    if not isinstance(items, list) or not items:
        raise ValueError("an order needs items")
    status = seed.get("status", "approved")
    if status not in ORDER_STATUSES:
        raise ValueError(f"status must be one of {', '.join(ORDER_STATUSES)}")
    now = iso(datetime.now(UTC))
    order_id = str(seed.get("order_id") or uuid.uuid4())
    created = seed.get("created_at") or seed.get("order_date") or now
    modified = seed.get("modified_at") or now
    item_resources: list[dict[str, Any]] = []
    line_resources: list[dict[str, Any]] = []
    total = Decimal("0")
    currency = "EUR"
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("external_id"):
            raise ValueError(f"items[{index}] needs external_id (the merchant's SKU)")
        quantity = int(item.get("quantity", 1))
        price = item.get("price") or {}
        if "amount" not in price or "currency" not in price:
            raise ValueError(f"items[{index}].price needs amount and currency")
        currency = str(price["currency"])
        statuses = item.get("line_statuses") or [item.get("line_status", "initial")] * quantity
        if len(statuses) != quantity or any(s not in LINE_STATUSES for s in statuses):
            raise ValueError(f"items[{index}]: one line status per unit, each one of {', '.join(LINE_STATUSES)}")
        item_id = str(item.get("order_item_id") or uuid.uuid4())
        lines = []
        for status_of_line in statuses:
            line_id = str(uuid.uuid4())
            lines.append(
                {
                    "type": "OrderLine",
                    "id": line_id,
                    "attributes": {
                        "order_line_id": line_id,
                        "order_item_id": item_id,
                        "status": status_of_line,
                        "price": {"amount": price["amount"], "currency": currency},
                        "created_at": created,
                        "modified_at": modified,
                    },
                }
            )
            total += Decimal(str(price["amount"]))
        line_resources.extend(lines)
        item_resources.append(
            {
                "type": "OrderItem",
                "id": item_id,
                "attributes": {
                    "order_item_id": item_id,
                    "order_id": order_id,
                    "article_id": item.get("article_id") or f"ZA{index:03d}A00{index}-Q11",
                    "external_id": item["external_id"],
                    "description": item.get("description") or f"Article {item['external_id']}",
                    "quantity_initial": quantity,
                    "created_at": created,
                    "modified_at": modified,
                },
                "relationships": {"order_lines": {"data": [{"type": "OrderLine", "id": line["id"]} for line in lines]}},
            }
        )
    address = seed.get("shipping_address") or {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "address_line_1": "Valeska-Gert-Strasse 5",
        "zip_code": "10243",
        "city": "Berlin",
        "country_code": "DE",
        "address_type": "HOME_ADDRESS",
    }
    attributes = {
        "merchant_id": seed.get("merchant_id", DEFAULT_MERCHANT_ID),
        "logistics_provider_id": seed.get("merchant_id", DEFAULT_MERCHANT_ID),
        "order_id": order_id,
        "order_number": str(seed.get("order_number") or f"10{uuid.uuid4().int % 10**14:014d}"),
        "order_date": seed.get("order_date") or created,
        "merchant_order_id": seed.get("merchant_order_id"),
        "exported": bool(seed.get("exported", False)),
        "sales_channel_id": seed.get("sales_channel_id", DEFAULT_SALES_CHANNEL_ID),
        "locale": seed.get("locale", "de-DE"),
        "customer_number": str(seed.get("customer_number", "31400820597")),
        "order_type": seed.get("order_type", "PartnerFulfilled"),
        "status": status,
        "shipping_address": address,
        "billing_address": seed.get("billing_address") or address,
        "shipment_number": seed.get("shipment_number", ""),
        "order_lines_count": len(line_resources),
        "order_lines_price_amount": float(total),
        "order_lines_price_currency": currency,
        "created_at": created,
        "modified_at": modified,
    }
    order = {
        "type": "Order",
        "id": order_id,
        "attributes": {k: v for k, v in attributes.items() if v is not None},
        "relationships": {"order_items": {"data": [{"type": "OrderItem", "id": i["id"]} for i in item_resources]}},
    }
    entry = {"order": order, "items": item_resources, "lines": line_resources}
    _summarise_items(entry)
    return entry


def _patch_attributes(body: Any, kind: str, resource_id: str) -> dict[str, Any]:
    """The attributes of a JSON:API patch document for ``kind`` ``resource_id``; ValueError otherwise."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON:API document with data")
    if data.get("type") != kind:
        raise ValueError(f"data.type must be {kind}")
    if data.get("id") != resource_id:
        raise ValueError("data.id must be the id in the path")
    attributes = data.get("attributes")
    if not isinstance(attributes, dict) or not attributes:
        raise ValueError("data.attributes must be a non-empty object")
    return attributes


def _summarise_items(entry: dict[str, Any]) -> None:
    lines_by_item: dict[str, list[dict[str, Any]]] = {}
    for line in entry["lines"]:
        lines_by_item.setdefault(line["attributes"]["order_item_id"], []).append(line)
    for item in entry["items"]:
        statuses = [line["attributes"]["status"] for line in lines_by_item.get(item["id"], [])]
        item["attributes"].update(
            {
                "quantity_reserved": statuses.count("reserved"),
                "quantity_shipped": statuses.count("shipped"),
                "quantity_returned": statuses.count("returned"),
                "quantity_canceled": statuses.count("canceled"),
            }
        )


def _order_matches(order: dict[str, Any], merchant_id: str, args: Any, bounds: dict[str, datetime]) -> bool:
    attributes = order["attributes"]
    if attributes["merchant_id"] != merchant_id:
        return False
    created = _parse(attributes["created_at"], "created_at")
    modified = _parse(attributes["modified_at"], "modified_at")
    # zDirect's temporal filters are exclusive on both ends.
    checks = {
        "created_after": lambda t: created > t,
        "created_before": lambda t: created < t,
        "last_updated_after": lambda t: modified > t,
        "last_updated_before": lambda t: modified < t,
    }
    if not all(checks[name](value) for name, value in bounds.items()):
        return False
    if args.get("order_status") and attributes["status"] != args["order_status"]:
        return False
    if args.get("order_type") and attributes.get("order_type") != args["order_type"]:
        return False
    if args.get("exported") is not None and args.get("exported") != "":
        return str(attributes.get("exported", False)).lower() == args["exported"].lower()
    return True


def _include(value: str | None) -> set[str]:
    allowed = {"order_items", "order_lines", "order_transitions", "order_lines.order_line_transitions", "shipments"}
    parts = {p.strip() for p in (value or "").split(",") if p.strip()}
    unknown = parts - allowed
    if unknown:
        raise ValueError(f"include: unknown fields {', '.join(sorted(unknown))}")
    return parts


def _orders_document(body: dict[str, Any], entries: list[dict[str, Any]], include: set[str]) -> Response:
    """The JSON:API answer: `body` and, when asked with ``include``, the entries' items and lines as
    its ``included`` resources."""
    included = _included(entries, include)
    if included:
        body["included"] = included
    return Response(_dumps(body), status=200, mimetype=JSON_API)


def _included(entries: list[dict[str, Any]], include: set[str]) -> list[dict[str, Any]]:
    included: list[dict[str, Any]] = []
    for entry in entries:
        if "order_items" in include:
            included.extend(entry["items"])
        if "order_lines" in include:
            included.extend(entry["lines"])
    return included


def _link(request: Request, number: int, size: int) -> str:
    args = {k: v for k, v in request.args.items() if k not in {"page[number]", "page[size]"}}
    args.update({"page[number]": str(number), "page[size]": str(size)})
    return f"{request.base_url}?{urlencode(args)}"


def _dumps(body: Any) -> str:
    import json

    return json.dumps(body)
