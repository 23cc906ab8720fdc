"""Shopify Admin REST sandbox: inventory levels, fulfillments and refunds under the leaky bucket.

What it follows, and where from (found with the search tool):
- ``POST /admin/api/{version}/inventory_levels/set.json`` ``{"location_id", "inventory_item_id",
  "available"}`` -> 200 ``{"inventory_level": {"inventory_item_id", "location_id", "available",
  "updated_at", "admin_graphql_api_id"}}``; ``POST /admin/api/{version}/fulfillments.json``
  ``{"fulfillment": {"line_items_by_fulfillment_order": [{"fulfillment_order_id",
  "fulfillment_order_line_items"?}], "tracking_info"?, "notify_customer"?}}`` -> 201
  ``{"fulfillment": {...}}``; ``POST /admin/api/{version}/orders/{order_id}/refunds.json``
  ``{"refund": {...}}`` -> 201 ``{"refund": {...}}`` (REST Admin API reference:
  InventoryLevel, Fulfillment, Refund resources).
- Rate limit: a leaky bucket per app and store, 40 requests, leaking 2 a second on the standard plan;
  every answer carries ``X-Shopify-Shop-Api-Call-Limit: <used>/40``; over it 429 with
  ``Retry-After: 2.0`` and ``{"errors": "Exceeded 2 calls per second for api client. ..."}``
  (https://shopify.dev/docs/api/admin-rest/usage/rate-limits).
- Calls need ``X-Shopify-Access-Token``; without it 401 ``{"errors": "[API] Invalid API key or access
  token (unrecognized login or wrong password)"}``.

- Shopify Payments: ``GET /admin/api/{version}/shopify_payments/payouts.json`` (``date_min``,
  ``date_max``, ``status``, ``limit`` up to 250) -> ``{"payouts": [...]}`` newest first, and
  ``GET .../shopify_payments/balance/transactions.json?payout_id=`` -> ``{"transactions": [...]}``
  (https://shopify.dev/docs/api/admin-rest/latest/resources/payouts, .../resources/transactions), in the
  same bucket. Payouts and their transactions are seeded through ``POST /__admin/payouts``
  (``{"payout": {...}, "transactions": [...]}``); one page each (no ``Link`` pagination).

- Refunds (https://shopify.dev/api/admin-rest/2025-01/resources/refund): "Before you create a refund,
  use the calculate endpoint to generate accurate refund transactions". ``POST .../orders/{order_id}/
  refunds/calculate.json`` ``{"refund": {"refund_line_items": [{"line_item_id", "quantity",
  "restock_type"}]}}`` -> 200 ``{"refund": {"refund_line_items", "transactions": [{"order_id", "kind":
  "suggested_refund", "gateway", "parent_id", "amount", "currency", "maximum_refundable"}]}}``; the
  refund is then created with ``transactions: [{"parent_id", "amount", "kind": "refund",
  "gateway"}]``; ``GET .../orders/{order_id}/refunds.json`` -> ``{"refunds": [...]}``. A line without
  an integer ``line_item_id`` and a positive ``quantity``, or a refund transaction without
  ``parent_id``, is 422 ``{"errors": {"<field>": ["..."]}}``.

Sandbox liberties: any token; ids are generated; the records are kept for ``GET /__admin/state``,
not checked against orders or locations; an order's capture transaction (the refunds' ``parent_id``)
is a generated id, the same for every calculate on that order, and the calculated ``amount`` is
``"0.00"`` (the sandbox knows no prices: the caller refunds its own amount).
"""

from __future__ import annotations

import itertools
import threading
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, json_response, raw_header, read_json, route
from local.sandboxes.limits import RATE_LIMITS_KEY, Decision, RateLimitedMixin, limited
from local.sandboxes.prices import PricesMixin
from local.sandboxes.seeding import PayoutSeedingMixin
from local.sandboxes.stores import clear_stores, counted

ACCESS_TOKEN_HEADER = "X-Shopify-Access-Token"
CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"
BUCKET = "admin"
RATE_LIMITS: dict[str, Any] = {
    # One bucket for every Admin REST call of the app on the store.
    operation: {"capacity": 40, "refill_per_second": 2.0, "bucket": BUCKET}
    for operation in (
        "setInventoryLevel",
        "createFulfillment",
        "createRefund",
        "listFulfillmentOrders",
        "listPayouts",
        "listBalanceTransactions",
        "updateVariant",
    )
}
THROTTLED = "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


class ShopifySandbox(PricesMixin, PayoutSeedingMixin, RateLimitedMixin, Sandbox):
    name: ClassVar[str] = "shopify"
    payout_id_field: ClassVar[str] = "id"
    payout_date_field: ClassVar[str] = "date"
    DEFAULT_RATE_LIMITS = RATE_LIMITS

    def __init__(self) -> None:
        self._store_lock = threading.Lock()
        self._ids = itertools.count(1_072_000_000)
        self._captures: dict[int, int] = {}  # order id -> its capture transaction id (parent_id)
        self._levels: dict[tuple[int, int], dict[str, Any]] = {}
        self._fulfillments: list[dict[str, Any]] = []
        self._refunds: list[dict[str, Any]] = []
        # Seeded orders' fulfillment orders (one per order, at location 1), by order id.
        self._fulfillment_orders: dict[int, list[dict[str, Any]]] = {}
        self._payouts_init()
        self._prices_init()
        super().__init__(default_faults={RATE_LIMITS_KEY: deepcopy(RATE_LIMITS)})
        self._rebuild_limiter()

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        return {"errors": detail}

    def fault_response(self, kind: str, retry_after: int) -> Response:
        if kind == "outage":
            return self.error(503, "unavailable", "Service Unavailable")
        # Shopify asks to wait for the bucket to leak: Retry-After is in seconds, as a float.
        return self.error(429, "throttled", THROTTLED, {"Retry-After": f"{float(retry_after):.1f}"})

    def before_route(self, request: Request) -> Response | None:
        if not (raw_header(request, ACCESS_TOKEN_HEADER) or "").strip():
            return self.error(
                401, "unauthorized", "[API] Invalid API key or access token (unrecognized login or wrong password)"
            )
        return None

    def limit_headers(self, decision: Decision) -> dict[str, str]:
        used = round(decision.capacity - decision.tokens_left)
        return {CALL_LIMIT_HEADER: f"{min(used, int(decision.capacity))}/{int(decision.capacity)}"}

    @route("POST", "/admin/api/<version>/inventory_levels/set.json")
    @limited("setInventoryLevel")
    def set_level(self, request: Request, version: str) -> Response:
        try:
            body = read_json(request)
            location_id, item_id, available = (
                body.get("location_id"),
                body.get("inventory_item_id"),
                body.get("available"),
            )
            if not isinstance(location_id, int) or not isinstance(item_id, int):
                raise ValueError("location_id and inventory_item_id must be integers")
            if isinstance(available, bool) or not isinstance(available, int):
                raise ValueError("available must be an integer")
        except (ValueError, AttributeError) as exc:
            return json_response({"errors": {"base": [str(exc)]}}, 422)
        level = {
            "inventory_item_id": item_id,
            "location_id": location_id,
            "available": available,
            "updated_at": _now(),
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
        }
        with self._store_lock:
            self._levels[(location_id, item_id)] = level
        return json_response({"inventory_level": level})

    @route("PUT", "/admin/api/<version>/variants/<variant_id>.json")
    @limited("updateVariant")
    def update_variant(self, request: Request, version: str, variant_id: str) -> Response:
        """`PUT /variants/{id}.json` with `{"variant": {"id", "price", "compare_at_price"}}` (decimal
        strings): the variant's price; 422 `{"errors": {"price": [...]}}` for one it will not take."""
        try:
            variant = read_json(request)["variant"]
            price = variant["price"]
        except (ValueError, KeyError, TypeError) as exc:
            return json_response({"errors": {"variant": [f"is invalid: {exc}"]}}, 422)
        problem = self.below_floor(variant_id, price)
        if problem is not None:
            return json_response({"errors": {"price": [problem]}}, 422)
        self.record_price(variant_id, price, None, variant.get("compare_at_price"))
        answer = {"id": int(variant_id) if variant_id.isdigit() else variant_id, "price": str(price)}
        answer["compare_at_price"] = variant.get("compare_at_price")
        return json_response({"variant": answer})

    @route("POST", "/admin/api/<version>/fulfillments.json")
    @limited("createFulfillment")
    def create_fulfillment(self, request: Request, version: str) -> Response:
        try:
            body = read_json(request)
            fulfillment = body["fulfillment"]
            groups = fulfillment["line_items_by_fulfillment_order"]
            if not isinstance(groups, list) or not groups or not all(g.get("fulfillment_order_id") for g in groups):
                raise ValueError("line_items_by_fulfillment_order must list fulfillment_order_id entries")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return json_response({"errors": {"fulfillment": [f"is invalid: {exc}"]}}, 422)
        tracking = fulfillment.get("tracking_info") or {}
        with self._store_lock:
            problem = self._take_fulfillable(groups)
            if problem is not None:
                return json_response({"errors": {"fulfillment": [problem]}}, 422)
            record = {
                "id": next(self._ids),
                "status": "success",
                "created_at": _now(),
                "service": "manual",
                "tracking_company": tracking.get("company"),
                "tracking_number": tracking.get("number"),
                "tracking_numbers": [tracking["number"]] if tracking.get("number") else [],
                "tracking_url": tracking.get("url"),
                "line_items_by_fulfillment_order": deepcopy(groups),
            }
            self._fulfillments.append(record)
        return json_response({"fulfillment": record}, 201)

    @route("POST", "/admin/api/<version>/orders/<int:order_id>/refunds.json")
    @limited("createRefund")
    def create_refund(self, request: Request, version: str, order_id: int) -> Response:
        try:
            body = read_json(request)
            refund = body["refund"]
            if not isinstance(refund, dict):
                raise ValueError("refund must be an object")
        except (ValueError, KeyError, TypeError) as exc:
            return json_response({"errors": {"refund": [f"is invalid: {exc}"]}}, 422)
        problem = _refund_line_problem(refund) or _refund_transaction_problem(refund)
        if problem is not None:
            return json_response({"errors": problem}, 422)
        with self._store_lock:
            record = {
                "id": next(self._ids),
                "order_id": order_id,
                "created_at": _now(),
                "note": refund.get("note"),
                "restock": bool(refund.get("restock", False)),
                "refund_line_items": deepcopy(refund.get("refund_line_items", [])),
                "transactions": [
                    {**deepcopy(t), "id": next(self._ids), "status": "success", "order_id": order_id}
                    for t in refund.get("transactions", [])
                ],
            }
            self._refunds.append(record)
        return json_response({"refund": record}, 201)

    @route("GET", "/admin/api/<version>/orders/<int:order_id>/refunds.json")
    @limited("listRefunds")
    def list_refunds(self, request: Request, version: str, order_id: int) -> Response:
        with self._store_lock:
            found = [deepcopy(r) for r in self._refunds if r["order_id"] == order_id]
        return json_response({"refunds": found})

    @route("POST", "/admin/api/<version>/orders/<int:order_id>/refunds/calculate.json")
    @limited("calculateRefund")
    def calculate_refund(self, request: Request, version: str, order_id: int) -> Response:
        try:
            refund = read_json(request)["refund"]
            if not isinstance(refund, dict):
                raise ValueError("refund must be an object")
        except (ValueError, KeyError, TypeError) as exc:
            return json_response({"errors": {"refund": [f"is invalid: {exc}"]}}, 422)
        problem = _refund_line_problem(refund)
        if problem is not None:
            return json_response({"errors": problem}, 422)
        with self._store_lock:
            parent_id = self._captures.setdefault(order_id, next(self._ids))
        lines = [
            {**deepcopy(line), "price": "0.00", "subtotal": "0.00", "total_tax": "0.00"}
            for line in refund.get("refund_line_items", [])
        ]
        suggested = {
            "order_id": order_id,
            "kind": "suggested_refund",
            "gateway": "shopify_payments",
            "parent_id": parent_id,
            "amount": "0.00",
            "currency": str(refund.get("currency") or "USD"),
            "maximum_refundable": "0.00",
        }
        return json_response({"refund": {"refund_line_items": lines, "transactions": [suggested]}})

    @route("GET", "/admin/api/<version>/orders/<int:order_id>/fulfillment_orders.json")
    @limited("listFulfillmentOrders")
    def list_fulfillment_orders(self, request: Request, version: str, order_id: int) -> Response:
        with self._store_lock:
            found = self._fulfillment_orders.get(order_id)
            body = None if found is None else {"fulfillment_orders": deepcopy(found)}
        if body is None:
            return json_response({"errors": "Not Found"}, 404)
        return json_response(body)

    def _take_fulfillable(self, groups: list[dict[str, Any]]) -> str | None:
        """Known fulfillment orders lose the units fulfilled (all or nothing); unknown ids are let through."""
        known = {fo["id"]: fo for orders in self._fulfillment_orders.values() for fo in orders}
        takes: list[tuple[dict[str, Any], int]] = []
        for group in groups:
            fo = known.get(group.get("fulfillment_order_id"))
            if fo is None:
                continue
            if fo["status"] not in ("open", "in_progress"):
                return f"fulfillment order {fo['id']} is {fo['status']}"
            items = {item["id"]: item for item in fo["line_items"]}
            wanted = group.get("fulfillment_order_line_items") or [
                {"id": i["id"], "quantity": i["fulfillable_quantity"]} for i in fo["line_items"]
            ]
            for entry in wanted:
                item = items.get(entry.get("id"))
                quantity = entry.get("quantity")
                if item is None or not isinstance(quantity, int) or not 0 < quantity <= item["fulfillable_quantity"]:
                    return f"fulfillment order line item {entry.get('id')} cannot take {quantity}"
                takes.append((item, quantity))
        for item, quantity in takes:
            item["fulfillable_quantity"] -= quantity
        for group in groups:
            fo = known.get(group.get("fulfillment_order_id"))
            if fo is not None and all(i["fulfillable_quantity"] == 0 for i in fo["line_items"]):
                fo["status"] = "closed"
        return None

    def seed_orders(self, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stores each order's fulfillment order (an orders/create payload: `id`, `line_items`)."""
        seeded = []
        with self._store_lock:
            for order in orders:
                order_id, items = order.get("id"), order.get("line_items")
                if not isinstance(order_id, int) or not isinstance(items, list) or not items:
                    raise ValueError("an order needs an integer id and line_items")
                fo_id = next(self._ids)
                fulfillment_order = {
                    "id": fo_id,
                    "order_id": order_id,
                    "shop_id": 1,
                    "assigned_location_id": 1,
                    "status": "open",
                    "request_status": "unsubmitted",
                    "supported_actions": ["create_fulfillment"],
                    "line_items": [
                        {
                            "id": next(self._ids),
                            "shop_id": 1,
                            "fulfillment_order_id": fo_id,
                            "line_item_id": item["id"],
                            "inventory_item_id": item.get("inventory_item_id"),
                            "quantity": int(item["quantity"]),
                            "fulfillable_quantity": int(item["quantity"]),
                            "variant_id": item.get("variant_id"),
                        }
                        for item in items
                    ],
                }
                self._fulfillment_orders[order_id] = [fulfillment_order]
                seeded.append(deepcopy(fulfillment_order))
        return seeded

    @admin_route("POST", "orders")
    def admin_post_orders(self, request: Request) -> Response:
        try:
            body = read_json(request)
            orders = body.get("orders", [body]) if isinstance(body, dict) else body
            seeded = self.seed_orders(list(orders))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return json_response({"error": str(exc)}, 400)
        return counted("fulfillment_orders", seeded)

    # ----- Shopify Payments ------------------------------------------------------------------------

    @route("GET", "/admin/api/<version>/shopify_payments/payouts.json")
    @limited("listPayouts")
    def list_payouts(self, request: Request, version: str) -> Response:
        args = request.args
        date_min, date_max, status = args.get("date_min"), args.get("date_max"), args.get("status")
        limit = min(int(args.get("limit") or 50), 250)
        with self._store_lock:
            payouts = [
                deepcopy(p) for p in self._payouts.values()
                if (not date_min or p["date"] >= date_min) and (not date_max or p["date"] <= date_max)
                and (not status or p["status"] == status)
            ]  # fmt: skip
        payouts.sort(key=lambda p: (p["date"], str(p["id"])), reverse=True)
        return json_response({"payouts": payouts[:limit]})

    @route("GET", "/admin/api/<version>/shopify_payments/balance/transactions.json")
    @limited("listBalanceTransactions")
    def list_balance_transactions(self, request: Request, version: str) -> Response:
        payout_id = request.args.get("payout_id")
        with self._store_lock:
            if payout_id:
                found = deepcopy(self._transactions.get(payout_id, []))
            else:
                found = [deepcopy(t) for ts in self._transactions.values() for t in ts]
        return json_response({"transactions": found})

    def state(self) -> dict[str, Any]:
        with self._store_lock:
            return {
                "inventory_levels": deepcopy(list(self._levels.values())),
                "fulfillments": deepcopy(self._fulfillments),
                "refunds": deepcopy(self._refunds),
            }

    @admin_route("GET", "state")
    def admin_get_state(self, request: Request) -> Response:
        return json_response(self.state())

    def reset_state(self) -> None:
        clear_stores(
            self._store_lock,
            self._levels,
            self._fulfillments,
            self._refunds,
            self._captures,
            self._fulfillment_orders,
            self._payouts,
            self._transactions,
        )
        self.reset_prices()


def _refund_line_problem(refund: dict[str, Any]) -> dict[str, list[str]] | None:
    lines = refund.get("refund_line_items", [])
    if not isinstance(lines, list):
        return {"refund_line_items": ["must be a list"]}
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("line_item_id"), int):
            return {"line_item_id": ["can't be blank"]}
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or quantity <= 0:
            return {"quantity": ["must be greater than 0"]}
    return None


def _refund_transaction_problem(refund: dict[str, Any]) -> dict[str, list[str]] | None:
    transactions = refund.get("transactions", [])
    if not isinstance(transactions, list):
        return {"transactions": ["must be a list"]}
    for transaction in transactions:
        if not isinstance(transaction, dict) or transaction.get("kind") != "refund":
            return {"kind": ["must be refund"]}
        if not transaction.get("parent_id"):
            return {"parent_id": ["can't be blank"]}
    return None
