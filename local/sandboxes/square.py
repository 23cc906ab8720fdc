"""Square API sandbox: the Orders API subset the Square channel adapter reads.

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

Sandbox liberties: any non-empty bearer token is accepted; ``Square-Version`` is optional (journaled);
orders come from ``POST /__admin/orders`` (missing totals are computed from the lines).
"""

from __future__ import annotations

import secrets
import string
import threading
from copy import deepcopy
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from local.sandboxes.base import ADMIN_PREFIX, Sandbox, json_response, read_json, utc_now_iso

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


class SquareSandbox(Sandbox):
    """Square orders seeded by the admin API, read back through RetrieveOrder and BatchRetrieveOrders."""

    name: ClassVar[str] = "square"

    def __init__(self) -> None:
        self._store_lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        super().__init__()

    def rules(self) -> list[Rule]:
        return [
            Rule("/v2/orders/batch-retrieve", endpoint="batch_retrieve_orders", methods=["POST"]),
            Rule("/v2/orders/<order_id>", endpoint="retrieve_order", methods=["GET"]),
        ]

    def admin_rules(self) -> list[Rule]:
        return [
            Rule(f"{ADMIN_PREFIX}/orders", endpoint="admin_get_orders", methods=["GET"]),
            Rule(f"{ADMIN_PREFIX}/orders", endpoint="admin_post_orders", methods=["POST"]),
            Rule(f"{ADMIN_PREFIX}/orders", endpoint="admin_delete_orders", methods=["DELETE"]),
        ]

    # ----- vendor error shape ------------------------------------------------------------------

    def error(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> Response:
        return self._error(status, code, detail, headers=headers)

    def _error(
        self,
        status: int,
        code: str,
        detail: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        item = {"category": _CATEGORY_BY_STATUS.get(status, "API_ERROR"), "code": code, "detail": detail}
        if field is not None:
            item["field"] = field
        return json_response({"errors": [item]}, status, headers)

    def fault_response(self, kind: str, retry_after: int) -> Response:
        if kind == "outage":
            return self.error(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
        return self.error(429, "RATE_LIMITED", "Rate limit exceeded.", {"Retry-After": str(retry_after)})

    def before_route(self, request: Request) -> Response | None:
        authorization = request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token.strip():
            detail = (
                "This request could not be authorized."
                if not authorization
                else "The `Authorization` http header of your request was malformed. The header value is "
                'expected to be of the format "Bearer TOKEN" (without quotation marks).'
            )
            return self.error(401, "UNAUTHORIZED", detail)
        return None

    # ----- orders ------------------------------------------------------------------------------

    def retrieve_order(self, request: Request, order_id: str) -> Response:
        with self._store_lock:
            order = self._orders.get(order_id)
            body = None if order is None else {"order": deepcopy(order)}
        if body is None:
            return self._error(404, "NOT_FOUND", f"Order `{order_id}` not found.")
        return json_response(body)

    def batch_retrieve_orders(self, request: Request) -> Response:
        try:
            body = read_json(request)
        except ValueError:
            return self._error(400, "INVALID_CONTENT", "The request body is not valid JSON.")
        order_ids = body.get("order_ids") if isinstance(body, dict) else None
        if not isinstance(order_ids, list) or not order_ids:
            return self._error(400, "MISSING_REQUIRED_PARAMETER", "Field must be set", field="order_ids")
        if len(order_ids) > BATCH_RETRIEVE_MAX_IDS:
            return self._error(
                400,
                "INVALID_ARRAY_LENGTH",
                f"Array must have at most {BATCH_RETRIEVE_MAX_IDS} elements.",
                field="order_ids",
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

    def admin_get_orders(self, request: Request) -> Response:
        with self._store_lock:
            orders = deepcopy(list(self._orders.values()))
        return json_response({"count": len(orders), "orders": orders})

    def admin_post_orders(self, request: Request) -> Response:
        try:
            body = read_json(request)
            stored = self.seed_orders(body if isinstance(body, list) else [body])
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"count": len(stored), "orders": stored})

    def admin_delete_orders(self, request: Request) -> Response:
        self.reset_state()
        return json_response({"count": 0, "orders": []})

    def reset_state(self) -> None:
        with self._store_lock:
            self._orders.clear()


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
        amount = (
            totals["total"]
            + order["total_tip_money"]["amount"]
            + order["total_service_charge_money"]["amount"]
        )
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
    base = _money(
        line.get("base_price_money", _zero(currency)), f"line_items[{index}].base_price_money", currency
    )
    line["base_price_money"] = base
    extended = int((Decimal(base["amount"]) * quantity).to_integral_value(ROUND_HALF_EVEN))
    for key in ("variation_total_price_money", "gross_sales_money"):
        line[key] = (
            _money(line[key], key, currency) if key in line else {"amount": extended, "currency": currency}
        )
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
