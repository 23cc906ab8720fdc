"""Walmart-style marketplace sandbox: order acknowledgement.

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

Sandbox liberties: ``WM_SEC.ACCESS_TOKEN`` / ``WM_QOS.CORRELATION_ID`` / ``WM_SVC.NAME`` are journaled
(under their exact names) but not required; an unknown purchase order is created on first
acknowledgement with one placeholder line unless ``auto_create_orders`` is off (then 404).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from copy import deepcopy
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from local.sandboxes.base import ADMIN_PREFIX, Sandbox, json_response, read_json

DEFAULT_RATE_LIMIT = {"capacity": 10, "refill_per_second": 10.0}
UNACKNOWLEDGEABLE = frozenset({"Shipped", "Delivered", "Cancelled", "Refund"})
_NO_REFILL_RETRY_AFTER_S = 60


def _epoch_ms() -> int:
    return int(time.time() * 1000)


class TokenBucket:
    """``capacity`` tokens, refilled continuously at ``refill_per_second``; one call takes one."""

    def __init__(
        self, capacity: int, refill_per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self._clock = clock
        self._tokens = float(capacity)
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self) -> tuple[bool, int, float]:
        """(allowed, whole tokens left, seconds until the next token)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.refill_per_second)
            self._updated = now
            allowed = self._tokens >= 1
            if allowed:
                self._tokens -= 1
            if self.refill_per_second <= 0:
                wait = math.inf
            else:
                wait = max(0.0, (1 - (self._tokens % 1)) / self.refill_per_second)
            return allowed, int(self._tokens), wait


class MarketplaceSandbox(Sandbox):
    """Walmart purchase orders, acknowledged under a token-bucket rate limit."""

    name: ClassVar[str] = "marketplace"

    def __init__(self, rate_limit: dict[str, Any] | None = None, auto_create_orders: bool = True) -> None:
        self._store_lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        self.auto_create_orders = auto_create_orders
        self._bucket: TokenBucket | None = None
        limit = DEFAULT_RATE_LIMIT if rate_limit is None else rate_limit
        super().__init__(default_faults={"rate_limit": self.validate_extra_fault("rate_limit", limit)})
        self.on_faults_changed()

    def rules(self) -> list[Rule]:
        return [
            Rule("/v3/orders/<purchase_order_id>", endpoint="get_order", methods=["GET"]),
            Rule(
                "/v3/orders/<purchase_order_id>/acknowledge", endpoint="acknowledge_order", methods=["POST"]
            ),
        ]

    def admin_rules(self) -> list[Rule]:
        return [
            Rule(f"{ADMIN_PREFIX}/orders", endpoint="admin_get_orders", methods=["GET"]),
            Rule(f"{ADMIN_PREFIX}/orders", endpoint="admin_post_orders", methods=["POST"]),
            Rule(f"{ADMIN_PREFIX}/orders", endpoint="admin_delete_orders", methods=["DELETE"]),
            Rule(f"{ADMIN_PREFIX}/settings", endpoint="admin_get_settings", methods=["GET"]),
            Rule(f"{ADMIN_PREFIX}/settings", endpoint="admin_post_settings", methods=["POST"]),
        ]

    # ----- vendor error shape ------------------------------------------------------------------

    def error(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> Response:
        return self._error(status, code, detail, headers=headers)

    def _error(
        self,
        status: int,
        code: str,
        description: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        category: str = "DATA",
    ) -> Response:
        item: dict[str, Any] = {"code": code}
        if field is not None:
            item["field"] = field
        item.update(
            {
                "description": description,
                "info": description,
                "severity": "ERROR",
                "category": category,
                "causes": [],
                "errorIdentifiers": {},
            }
        )
        return json_response({"errors": {"error": [item]}}, status, headers)

    def fault_response(self, kind: str, retry_after: int) -> Response:
        if kind == "outage":
            return self._error(
                503, "SERVICE_UNAVAILABLE.GMP_GATEWAY_API", "Service is unavailable.", category="SYSTEM"
            )
        return self._error(
            429,
            "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API",
            "Too many requests.",
            headers={"Retry-After": str(retry_after)},
            category="REQUEST",
        )

    # ----- rate limit (a fault key of this sandbox) --------------------------------------------

    def validate_extra_fault(self, key: str, value: Any) -> Any:
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
        self._bucket = None if limit is None else TokenBucket(limit["capacity"], limit["refill_per_second"])

    # ----- orders ------------------------------------------------------------------------------

    def acknowledge_order(self, request: Request, purchase_order_id: str) -> Response:
        headers: dict[str, str] = {}
        bucket = self._bucket
        if bucket is not None:
            allowed, tokens_left, wait = bucket.take()
            next_ms = _epoch_ms() + (0 if math.isinf(wait) else math.ceil(wait * 1000))
            headers = {"X-Current-Token-Count": str(tokens_left), "X-Next-Replenishment-Time": str(next_ms)}
            if not allowed:
                retry_after = _NO_REFILL_RETRY_AFTER_S if math.isinf(wait) else max(1, math.ceil(wait))
                return self._error(
                    429,
                    "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API",
                    "Too many requests.",
                    headers={**headers, "Retry-After": str(retry_after)},
                    category="REQUEST",
                )
        with self._store_lock:
            order = self._orders.get(purchase_order_id)
            if order is None and self.auto_create_orders:
                order = self._orders[purchase_order_id] = complete_walmart_order(
                    {"purchaseOrderId": purchase_order_id}
                )
            if order is None:
                return self._not_found(purchase_order_id, headers)
            lines = order["orderLines"]["orderLine"]
            blocked = sorted(
                {s["status"] for line in lines for s in line["orderLineStatuses"]["orderLineStatus"]}
                & UNACKNOWLEDGEABLE
            )
            if blocked:
                return self._error(
                    400,
                    "INVALID_REQUEST_CONTENT.GMP_ORDER_API",
                    f"Order {purchase_order_id} has {', '.join(blocked)} lines: it cannot be acknowledged.",
                    field="purchaseOrderId",
                    headers=headers,
                )
            now = _epoch_ms()
            for line in lines:
                line["statusDate"] = now
                for status in line["orderLineStatuses"]["orderLineStatus"]:
                    status["status"] = "Acknowledged"
            body = {"order": deepcopy(order)}
        return json_response(body, 200, headers)

    def get_order(self, request: Request, purchase_order_id: str) -> Response:
        with self._store_lock:
            order = self._orders.get(purchase_order_id)
            body = None if order is None else {"order": deepcopy(order)}
        if body is None:
            return self._not_found(purchase_order_id, {})
        return json_response(body)

    def _not_found(self, purchase_order_id: str, headers: dict[str, str]) -> Response:
        return self._error(
            404,
            "CONTENT_NOT_FOUND.GMP_ORDER_API",
            f"Purchase order {purchase_order_id} was not found.",
            field="purchaseOrderId",
            headers=headers,
            category="REQUEST",
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

    def admin_get_orders(self, request: Request) -> Response:
        with self._store_lock:
            orders = deepcopy(list(self._orders.values()))
        return json_response({"count": len(orders), "orders": orders})

    def admin_post_orders(self, request: Request) -> Response:
        try:
            body = read_json(request)
            stored = self.seed_orders(body if isinstance(body, list) else [body])
        except (ValueError, TypeError, KeyError) as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"count": len(stored), "orders": stored})

    def admin_delete_orders(self, request: Request) -> Response:
        self.reset_state()
        return json_response({"count": 0, "orders": []})

    def admin_get_settings(self, request: Request) -> Response:
        return json_response({"auto_create_orders": self.auto_create_orders})

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
        with self._store_lock:
            self._orders.clear()


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
    line.setdefault(
        "fulfillment", {"fulfillmentOption": "S2H", "shipMethod": "STANDARD", "pickUpDateTime": now}
    )
