"""Square API sandbox: the Orders and Catalog API subset the Square channel adapter reads.

What it follows, and where from (found with the search tool):
- ``GET /v2/orders/{order_id}`` (RetrieveOrder) answers ``{"order": {...}}``; the Order has ``id``,
  ``location_id``, ``line_items`` (``uid``, ``name``, ``quantity`` as a string, ``base_price_money``,
  ``gross_sales_money``, ``total_tax_money``, ``total_discount_money``, ``total_money``, ...),
  ``net_amounts``, ``total_*_money``, ``state``, ``version``, ``created_at``, ``updated_at``.
  Money is ``{"amount": <integer, smallest unit>, "currency": "USD"}``. Square's own example:
  square/square-python-sdk, doc/models/retrieve-order-response.md.
- ``POST /v2/orders/batch-retrieve`` takes ``{"location_id"?, "order_ids": [...]}``; an unknown id is
  ignored rather than an error (Square's description, via glama.ai/mcp/servers/@square/square-mcp-server).
- Errors are ``{"errors": [{"category", "code", "detail", "field"?}]}``; a missing or malformed bearer
  token gets 401 ``AUTHENTICATION_ERROR`` / ``UNAUTHORIZED``; over the rate limit Square answers 429
  ``RATE_LIMITED`` (category ``RATE_LIMIT_ERROR``). https://developer.squareup.com/docs/build-basics/handling-errors,
  https://developer.squareup.com/reference/square/objects/ErrorCategory,
  https://developer.squareup.com/reference/square/enums/ErrorCode

- ``POST /v2/catalog/batch-retrieve`` (BatchRetrieveCatalogObjects) takes ``{"object_ids": [...]
  (required), "include_related_objects"?, "include_deleted_objects"?, "catalog_version"?}`` and
  answers ``{"objects": [...], "related_objects"?: [...]}``; unknown ids are left out. With
  ``include_related_objects`` an ITEM_VARIATION brings its parent ITEM (``item_variation_data.item_id``)
  into ``related_objects``. CatalogObject: ``type``, ``id``, ``updated_at``, ``created_at``, ``version``,
  ``is_deleted``, ``present_at_all_locations``, ``item_variation_data`` {``item_id``, ``name``, ``sku``,
  ``price_money``, ...}. https://developer.squareup.com/reference/square/catalog/batch-retrieve-catalog-objects,
  square/connect-javascript-sdk docs/BatchRetrieveCatalogObjects{Request,Response}.md.

Sandbox liberties: any non-empty bearer token is accepted; ``Square-Version`` is optional (journaled);
orders come from ``POST /__admin/orders`` (missing totals are computed from the lines); catalog
objects from ``POST /__admin/catalog`` (a list, or ``{"objects": [...]}`` like the batch-retrieve
answer; ``version`` and timestamps are filled in); ``catalog_version`` is accepted but not used (the
sandbox keeps only the latest version of an object).

Payouts API (https://developer.squareup.com/docs/payouts-api/list-payout-entries): ``GET /v2/payouts``
(``status``, ``begin_time``/``end_time`` on ``created_at``, ``location_id``, ``sort_order``, ``limit``
at most 100, ``cursor``), ``GET /v2/payouts/{id}/payout-entries`` and GetPayment ``GET
/v2/payments/{id}``; seeded with ``POST /__admin/payouts`` (``{"payout", "entries", "payments"}``).
"""

from __future__ import annotations

import secrets
import string
import threading
from copy import deepcopy
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, has_bearer_token, json_response, read_json, route, utc_now_iso
from local.sandboxes.seeding import OrdersAdminMixin
from local.sandboxes.stores import clear_stores, copied, counted

DEFAULT_LOCATION_ID = "LSANDBOX000001"
DEFAULT_CURRENCY = "USD"
BATCH_RETRIEVE_MAX_IDS = 100
_ID_ALPHABET = string.ascii_letters + string.digits

_CATEGORY_BY_STATUS = {
    400: "INVALID_REQUEST_ERROR",
    401: "AUTHENTICATION_ERROR",
    404: "INVALID_REQUEST_ERROR",
    405: "INVALID_REQUEST_ERROR",
    429: "RATE_LIMIT_ERROR",
}


def _square_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(27))


class SquareSandbox(OrdersAdminMixin, Sandbox):
    """Square orders and catalog objects seeded by the admin API, read back through RetrieveOrder,
    BatchRetrieveOrders and BatchRetrieveCatalogObjects."""

    name: ClassVar[str] = "square"
    throttle_error: ClassVar[tuple[str, str]] = ("RATE_LIMITED", "Rate limit exceeded.")

    def __init__(self) -> None:
        self._store_lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        self._catalog: dict[str, dict[str, Any]] = {}
        # Payouts API: payouts, their entries and the payments they name (POST /__admin/payouts).
        self._payouts: dict[str, dict[str, Any]] = {}
        self._entries: dict[str, list[dict[str, Any]]] = {}
        self._payments: dict[str, dict[str, Any]] = {}
        super().__init__()

    # ----- vendor error shape ------------------------------------------------------------------

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        item = {"category": _CATEGORY_BY_STATUS.get(status, "API_ERROR"), "code": code, "detail": detail}
        if field is not None:
            item["field"] = field
        return {"errors": [item]}

    def before_route(self, request: Request) -> Response | None:
        authorization = request.headers.get("Authorization", "")
        if not has_bearer_token(authorization):
            detail = (
                "This request could not be authorized."
                if not authorization
                else "The `Authorization` http header of your request was malformed. The header value is "
                'expected to be of the format "Bearer TOKEN" (without quotation marks).'
            )
            return self.error(401, "UNAUTHORIZED", detail)
        return None

    # ----- orders ------------------------------------------------------------------------------

    @route("GET", "/v2/orders/<order_id>")
    def retrieve_order(self, request: Request, order_id: str) -> Response:
        with self._store_lock:
            order = self._orders.get(order_id)
            body = None if order is None else {"order": deepcopy(order)}
        if body is None:
            return self.error(404, "NOT_FOUND", f"Order `{order_id}` not found.")
        return json_response(body)

    @route("POST", "/v2/orders/batch-retrieve")
    def batch_retrieve_orders(self, request: Request) -> Response:
        try:
            body = read_json(request)
        except ValueError:
            return self.error(400, "INVALID_CONTENT", "The request body is not valid JSON.")
        order_ids = body.get("order_ids") if isinstance(body, dict) else None
        if not isinstance(order_ids, list) or not order_ids:
            return self.field_error(400, "MISSING_REQUIRED_PARAMETER", "Field must be set", "order_ids")
        if len(order_ids) > BATCH_RETRIEVE_MAX_IDS:
            return self.field_error(
                400,
                "INVALID_ARRAY_LENGTH",
                f"Array must have at most {BATCH_RETRIEVE_MAX_IDS} elements.",
                "order_ids",
            )
        location_id = body.get("location_id")
        with self._store_lock:
            found = [
                deepcopy(self._orders[i])
                for i in order_ids
                if isinstance(i, str)
                and i in self._orders
                and (location_id is None or self._orders[i]["location_id"] == location_id)
            ]
        # Like Square, empty lists are left out of the JSON.
        return json_response({"orders": found} if found else {})

    def seed_orders(self, orders: list[Any]) -> list[dict[str, Any]]:
        """Stores Square orders (totals and metadata filled in); a re-seeded id gets the next version."""
        with self._store_lock:
            stored = []
            for raw in orders:
                order = complete_square_order(raw.get("order", raw) if isinstance(raw, dict) else raw)
                previous = self._orders.get(order["id"])
                if previous is not None and "version" not in (raw.get("order", raw)):
                    order["version"] = previous["version"] + 1
                    order["created_at"] = previous["created_at"]
                self._orders[order["id"]] = order
                stored.append(deepcopy(order))
            return stored

    def order(self, order_id: str) -> dict[str, Any] | None:
        with self._store_lock:
            found = self._orders.get(order_id)
            return None if found is None else deepcopy(found)

    def clear_orders(self) -> None:
        # DELETE /__admin/orders forgets the catalog too.
        self.reset_state()

    def reset_state(self) -> None:
        clear_stores(self._store_lock, self._orders, self._catalog, self._payouts, self._entries, self._payments)

    # ----- payouts (ListPayouts, ListPayoutEntries, GetPayment) --------------------------------

    def _page(self, request: Request, items: list[dict[str, Any]], key: str) -> Response:
        """Square's cursor pagination: `limit` (default and most 100; more is ignored), `cursor` is
        here the offset of the next page."""
        try:
            limit = int(request.args.get("limit", "100"))
            start = int(request.args.get("cursor") or 0)
        except ValueError:
            return self.field_error(400, "INVALID_CURSOR", "The cursor is not valid.", "cursor")
        limit = limit if 1 <= limit <= 100 else 100
        if request.args.get("sort_order", "DESC") != "ASC":
            items = list(reversed(items))
        body: dict[str, Any] = {key: items[start : start + limit]}
        if start + limit < len(items):
            body["cursor"] = str(start + limit)
        return json_response(body)

    @route("GET", "/v2/payouts")
    def list_payouts(self, request: Request) -> Response:
        status = request.args.get("status")
        begin = request.args.get("begin_time") or ""
        end = request.args.get("end_time") or ""
        location = request.args.get("location_id")
        with self._store_lock:
            found = sorted(
                (
                    deepcopy(p)
                    for p in self._payouts.values()
                    if (status is None or p.get("status") == status)
                    and (not begin or p["created_at"] >= begin)
                    and (not end or p["created_at"] < end)
                    and (location is None or p.get("location_id") == location)
                ),
                key=lambda p: p["created_at"],
            )
        return self._page(request, found, "payouts")

    @route("GET", "/v2/payouts/<payout_id>/payout-entries")
    def list_payout_entries(self, request: Request, payout_id: str) -> Response:
        with self._store_lock:
            if payout_id not in self._payouts:
                return self.error(404, "NOT_FOUND", f"Payout `{payout_id}` not found.")
            entries = sorted(deepcopy(self._entries.get(payout_id, [])), key=lambda e: e.get("effective_at", ""))
        return self._page(request, entries, "payout_entries")

    @route("GET", "/v2/payments/<payment_id>")
    def get_payment(self, request: Request, payment_id: str) -> Response:
        with self._store_lock:
            payment = deepcopy(self._payments.get(payment_id))
        if payment is None:
            return self.error(404, "NOT_FOUND", f"Payment `{payment_id}` not found.")
        return json_response({"payment": payment})

    def seed_payout(
        self, payout: dict[str, Any], entries: list[dict[str, Any]], payments: list[dict[str, Any]]
    ) -> None:
        if not payout.get("id") or not payout.get("created_at"):
            raise ValueError("a payout needs an id and a created_at")
        with self._store_lock:
            self._payouts[str(payout["id"])] = deepcopy(payout)
            self._entries[str(payout["id"])] = deepcopy(entries)
            for payment in payments:
                self._payments[str(payment["id"])] = deepcopy(payment)

    @admin_route("POST", "payouts")
    def admin_post_payouts(self, request: Request) -> Response:
        try:
            body = read_json(request)
            self.seed_payout(body["payout"], list(body.get("entries") or []), list(body.get("payments") or []))
        except (ValueError, KeyError, TypeError) as exc:
            return self.error(400, "BAD_REQUEST", f"expected {{payout, entries, payments}}: {exc}")
        return json_response({"seeded": str(body["payout"]["id"])}, 201)

    # ----- catalog -----------------------------------------------------------------------------

    @route("POST", "/v2/catalog/batch-retrieve")
    def batch_retrieve_catalog_objects(self, request: Request) -> Response:
        try:
            body = read_json(request)
        except ValueError:
            return self.error(400, "INVALID_CONTENT", "The request body is not valid JSON.")
        if not isinstance(body, dict):
            return self.error(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        object_ids = body.get("object_ids")
        if not isinstance(object_ids, list) or not object_ids:
            return self.field_error(400, "MISSING_REQUIRED_PARAMETER", "Field must be set", "object_ids")
        if not all(isinstance(i, str) and i for i in object_ids):
            return self.field_error(400, "INVALID_VALUE", "Every object id must be a non-empty string.", "object_ids")
        for flag in ("include_related_objects", "include_deleted_objects"):
            if flag in body and not isinstance(body[flag], bool):
                return self.field_error(400, "EXPECTED_BOOLEAN", "Expected a boolean value.", flag)
        with_related = body.get("include_related_objects", False)
        with_deleted = body.get("include_deleted_objects", False)
        with self._store_lock:
            objects = [
                deepcopy(self._catalog[i])
                for i in dict.fromkeys(object_ids)  # each object once, in the order asked
                if i in self._catalog and (with_deleted or not self._catalog[i].get("is_deleted"))
            ]
            related = self._related_locked(objects) if with_related else []
        answer: dict[str, Any] = {}
        # Like Square, empty lists are left out of the JSON.
        if objects:
            answer["objects"] = objects
        if related:
            answer["related_objects"] = related
        return json_response(answer)

    def _related_locked(self, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Parent items of the variations, one level deep, not repeating what `objects` holds."""
        returned = {o["id"] for o in objects}
        related: dict[str, dict[str, Any]] = {}
        for obj in objects:
            item_id = (obj.get("item_variation_data") or {}).get("item_id")
            if not isinstance(item_id, str):
                continue
            parent = self._catalog.get(item_id)
            if parent is not None and item_id not in returned and not parent.get("is_deleted"):
                related[item_id] = deepcopy(parent)
        return list(related.values())

    def seed_catalog(self, objects: list[Any]) -> list[dict[str, Any]]:
        """Stores catalog objects (metadata filled in); a re-seeded id gets a newer version."""
        completed = [complete_catalog_object(raw) for raw in objects]
        with self._store_lock:
            for obj in completed:
                previous = self._catalog.get(obj["id"])
                if previous is not None:
                    obj["created_at"] = previous["created_at"]
                    obj["version"] = max(obj["version"], previous["version"] + 1)
                self._catalog[obj["id"]] = obj
        return deepcopy(completed)

    def catalog_object(self, object_id: str) -> dict[str, Any] | None:
        with self._store_lock:
            found = self._catalog.get(object_id)
            return None if found is None else deepcopy(found)

    @admin_route("GET", "catalog")
    def admin_get_catalog(self, request: Request) -> Response:
        return counted("objects", copied(self._store_lock, self._catalog.values()))

    @admin_route("POST", "catalog")
    def admin_post_catalog(self, request: Request) -> Response:
        try:
            body = read_json(request)
            objects = body.get("objects") if isinstance(body, dict) and "objects" in body else body
            stored = self.seed_catalog(objects if isinstance(objects, list) else [objects])
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return counted("objects", stored)

    @admin_route("DELETE", "catalog")
    def admin_delete_catalog(self, request: Request) -> Response:
        with self._store_lock:
            self._catalog.clear()
        return json_response({"count": 0, "objects": []})


CATALOG_TYPES = frozenset(
    {
        "ITEM",
        "ITEM_VARIATION",
        "CATEGORY",
        "TAX",
        "DISCOUNT",
        "MODIFIER",
        "MODIFIER_LIST",
        "IMAGE",
        "ITEM_OPTION",
        "ITEM_OPTION_VAL",
        "MEASUREMENT_UNIT",
        "PRICING_RULE",
        "PRODUCT_SET",
        "TIME_PERIOD",
        "CUSTOM_ATTRIBUTE_DEFINITION",
        "QUICK_AMOUNTS_SETTINGS",
        "SUBSCRIPTION_PLAN",
        "SUBSCRIPTION_PLAN_VARIATION",
        "COMPONENT",
        "COMPOSITION",
    }
)


def complete_catalog_object(raw: Any) -> dict[str, Any]:
    """A CatalogObject as BatchRetrieveCatalogObjects returns it; raises ``ValueError`` when unusable."""
    if not isinstance(raw, dict):
        raise ValueError("a catalog object must be a JSON object")
    obj = deepcopy(raw)
    kind = obj.get("type")
    if kind not in CATALOG_TYPES:
        raise ValueError(f"catalog object type must be one of Square's CatalogObjectType values, not {kind!r}")
    obj.setdefault("id", _square_id()[:24].upper())
    if not isinstance(obj["id"], str) or not obj["id"]:
        raise ValueError("catalog object id must be a non-empty string")
    if kind == "ITEM_VARIATION":
        data = obj.get("item_variation_data")
        if not isinstance(data, dict):
            raise ValueError(f"ITEM_VARIATION {obj['id']} needs item_variation_data")
        sku = data.get("sku")
        if sku is not None and (not isinstance(sku, str) or not sku):
            raise ValueError(f"item_variation_data.sku of {obj['id']} must be a non-empty string")
        if "price_money" in data:
            data["price_money"] = _money(data["price_money"], "item_variation_data.price_money", DEFAULT_CURRENCY)
    now = utc_now_iso()
    obj.setdefault("created_at", now)
    obj.setdefault("updated_at", now)
    version = obj.setdefault("version", int(datetime.now(UTC).timestamp() * 1000))
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"version of {obj['id']} must be an integer")
    obj.setdefault("is_deleted", False)
    obj.setdefault("present_at_all_locations", True)
    return obj


def _money(value: Any, what: str, currency: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a Money object {{amount, currency}}")
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"{what}.amount must be an integer in the smallest currency unit")
    return {"amount": amount, "currency": value.get("currency", currency)}


def _zero(currency: str) -> dict[str, Any]:
    return {"amount": 0, "currency": currency}


def _first_currency(order: dict[str, Any]) -> str:
    for line in order.get("line_items") or []:
        money = line.get("base_price_money") if isinstance(line, dict) else None
        if isinstance(money, dict) and isinstance(money.get("currency"), str):
            return str(money["currency"])
    money = order.get("total_money")
    if isinstance(money, dict) and isinstance(money.get("currency"), str):
        return str(money["currency"])
    return DEFAULT_CURRENCY


def complete_square_order(raw: Any) -> dict[str, Any]:
    """A Square Order with what RetrieveOrder always returns; raises ``ValueError`` when unusable."""
    if not isinstance(raw, dict):
        raise ValueError("an order must be a JSON object")
    order = deepcopy(raw)
    now = utc_now_iso()
    currency = _first_currency(order)
    order.setdefault("id", _square_id())
    if not isinstance(order["id"], str) or not order["id"]:
        raise ValueError("order id must be a non-empty string")
    order.setdefault("location_id", DEFAULT_LOCATION_ID)
    order.setdefault("created_at", now)
    order.setdefault("updated_at", order["created_at"])
    order.setdefault("state", "OPEN")
    order.setdefault("version", 1)
    lines = order.setdefault("line_items", [])
    if not isinstance(lines, list):
        raise ValueError("line_items must be a list")
    totals = {"tax": 0, "discount": 0, "total": 0}
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            raise ValueError("each line item must be an object")
        _complete_line(line, index, currency)
        totals["tax"] += line["total_tax_money"]["amount"]
        totals["discount"] += line["total_discount_money"]["amount"]
        totals["total"] += line["total_money"]["amount"]
    for key in ("total_tax_money", "total_discount_money", "total_tip_money", "total_service_charge_money"):
        if key in order:
            order[key] = _money(order[key], key, currency)
    order.setdefault("total_tax_money", {"amount": totals["tax"], "currency": currency})
    order.setdefault("total_discount_money", {"amount": totals["discount"], "currency": currency})
    order.setdefault("total_tip_money", _zero(currency))
    order.setdefault("total_service_charge_money", _zero(currency))
    if "total_money" in order:
        order["total_money"] = _money(order["total_money"], "total_money", currency)
    else:
        amount = totals["total"] + order["total_tip_money"]["amount"] + order["total_service_charge_money"]["amount"]
        order["total_money"] = {"amount": amount, "currency": currency}
    order.setdefault(
        "net_amounts",
        {
            "total_money": dict(order["total_money"]),
            "tax_money": dict(order["total_tax_money"]),
            "discount_money": dict(order["total_discount_money"]),
            "tip_money": dict(order["total_tip_money"]),
            "service_charge_money": dict(order["total_service_charge_money"]),
        },
    )
    return order


def _complete_line(line: dict[str, Any], index: int, currency: str) -> None:
    line.setdefault("uid", _square_id()[:22])
    quantity_raw = line.setdefault("quantity", "1")
    try:
        quantity = Decimal(str(quantity_raw))
    except InvalidOperation as exc:
        raise ValueError(f"line_items[{index}].quantity must be a decimal string") from exc
    line["quantity"] = str(quantity_raw)
    line.setdefault("item_type", "ITEM")
    base = _money(line.get("base_price_money", _zero(currency)), f"line_items[{index}].base_price_money", currency)
    line["base_price_money"] = base
    extended = int((Decimal(base["amount"]) * quantity).to_integral_value(ROUND_HALF_EVEN))
    for key in ("variation_total_price_money", "gross_sales_money"):
        line[key] = _money(line[key], key, currency) if key in line else {"amount": extended, "currency": currency}
    for key in ("total_tax_money", "total_discount_money", "total_service_charge_money"):
        line[key] = _money(line[key], key, currency) if key in line else _zero(currency)
    if "total_money" in line:
        line["total_money"] = _money(line["total_money"], "total_money", currency)
    else:
        amount = (
            line["gross_sales_money"]["amount"]
            - line["total_discount_money"]["amount"]
            + line["total_tax_money"]["amount"]
            + line["total_service_charge_money"]["amount"]
        )
        line["total_money"] = {"amount": amount, "currency": currency}
