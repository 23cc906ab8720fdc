"""Admin seeding routes shared by the sandboxes: stored orders and the inventory snapshot.

- ``OrdersAdminMixin``: ``GET|POST|DELETE /__admin/orders`` over the sandbox's ``_orders`` (answers
  ``{"count", "orders"}``; POST takes one order or a list, 400 ``{"error"}`` when unusable);
  ``OrderSeedingMixin`` the same without ``DELETE``.
- ``PayoutSeedingMixin``: ``POST /__admin/payouts`` ``{payout, transactions}`` into ``_payouts`` and
  ``_transactions`` (the eBay Finances and Shopify Payments sandboxes; 201 ``{"seeded": id}``, 400
  ``{"error"}`` when the payout lacks its id or date).
- ``InventoryAdminMixin``: ``GET|POST|DELETE /__admin/inventory`` over a snapshot store (POST takes a
  list of rows or ``{"items": [...]}``; 400 ``{"error"}`` when unusable), and ``check_stock_row``,
  the on-hand row check the ERP and the WMS snapshots share.

The vendor shapes (orders, snapshot rows) stay in each sandbox.
"""

from __future__ import annotations

import threading
from copy import deepcopy
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import admin_route, json_response, read_json
from local.sandboxes.stores import copied, counted


class OrderSeedingMixin:
    """``GET|POST /__admin/orders`` over ``_orders``; the sandbox gives ``_store_lock``, ``_orders`` and
    ``seed_orders``."""

    _store_lock: threading.Lock
    _orders: dict[str, dict[str, Any]]
    # What a bad seed may raise besides ``ValueError`` (the order builders index into the seed).
    seed_errors: ClassVar[tuple[type[Exception], ...]] = (ValueError,)

    def seed_orders(self, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def order_seeds(self, body: Any) -> list[Any]:
        """The orders in a ``POST /__admin/orders`` body: one order or a list."""
        return body if isinstance(body, list) else [body]

    @admin_route("GET", "orders")
    def admin_get_orders(self, request: Request) -> Response:
        return counted("orders", copied(self._store_lock, self._orders.values()))

    @admin_route("POST", "orders")
    def admin_post_orders(self, request: Request) -> Response:
        try:
            stored = self.seed_orders(self.order_seeds(read_json(request)))
        except self.seed_errors as exc:
            return json_response({"error": str(exc)}, 400)
        return counted("orders", stored)

    def clear_orders(self) -> None:
        with self._store_lock:
            self._orders.clear()


class OrdersAdminMixin(OrderSeedingMixin):
    """``OrderSeedingMixin`` and ``DELETE /__admin/orders`` (``clear_orders``)."""

    @admin_route("DELETE", "orders")
    def admin_delete_orders(self, request: Request) -> Response:
        self.clear_orders()
        return json_response({"count": 0, "orders": []})


class PayoutSeedingMixin:
    """``POST /__admin/payouts``: a payout and its transactions, stored as the vendor lists them; the
    sandbox gives ``_store_lock``, ``_payouts``, ``_transactions`` and names its payouts' id and date
    fields."""

    _store_lock: threading.Lock
    _payouts: dict[str, dict[str, Any]]
    _transactions: dict[str, list[dict[str, Any]]]
    payout_id_field: ClassVar[str]
    payout_date_field: ClassVar[str]

    def _payouts_init(self) -> None:
        self._payouts = {}  # payout id -> the payout as the vendor lists it
        self._transactions = {}  # payout id -> its transactions

    def seed_payout(self, payout: dict[str, Any], transactions: list[dict[str, Any]]) -> None:
        if not payout.get(self.payout_id_field) or not payout.get(self.payout_date_field):
            raise ValueError(f"a payout needs {self.payout_id_field} and {self.payout_date_field}")
        with self._store_lock:
            self._payouts[str(payout[self.payout_id_field])] = deepcopy(payout)
            self._transactions[str(payout[self.payout_id_field])] = deepcopy(transactions)

    @admin_route("POST", "payouts")
    def admin_post_payouts(self, request: Request) -> Response:
        try:
            body = read_json(request)
            self.seed_payout(body["payout"], list(body.get("transactions") or []))
        except (ValueError, KeyError, TypeError) as exc:
            return json_response({"error": f"expected {{payout, transactions}}: {exc}"}, 400)
        return json_response({"seeded": str(body["payout"][self.payout_id_field])}, 201)


def check_stock_row(row: Any) -> tuple[str, str, int]:
    """``(sku, location_id, on_hand)`` of one seeded snapshot row; ``ValueError`` when unusable."""
    if not isinstance(row, dict):
        raise ValueError("each inventory row must be an object")
    sku, location_id, on_hand = row.get("sku"), row.get("location_id"), row.get("on_hand")
    if not isinstance(sku, str) or not isinstance(location_id, str) or not sku or not location_id:
        raise ValueError("each inventory row needs string sku and location_id")
    if isinstance(on_hand, bool) or not isinstance(on_hand, int) or on_hand < 0:
        raise ValueError(f"on_hand must be a whole number >= 0 (sku {sku})")
    return sku, location_id, on_hand


class InventoryAdminMixin:
    """Admin routes over an inventory snapshot; the sandbox gives the three methods below."""

    def seed_inventory(self, rows: list[Any]) -> None:
        raise NotImplementedError

    def clear_inventory(self) -> None:
        raise NotImplementedError

    def snapshot_body(self, sku: str | None = None, location_id: str | None = None) -> dict[str, Any]:
        """``{"as_of", "count", "items"}``, filtered by ``sku`` and ``location_id`` when given."""
        raise NotImplementedError

    @admin_route("GET", "inventory")
    def admin_get_inventory(self, request: Request) -> Response:
        return json_response(self.snapshot_body())

    @admin_route("POST", "inventory")
    def admin_post_inventory(self, request: Request) -> Response:
        try:
            body = read_json(request)
            rows = body.get("items") if isinstance(body, dict) else body
            if not isinstance(rows, list):
                raise ValueError('send a list of {"sku", "location_id", "on_hand"} or {"items": [...]}')
            self.seed_inventory(rows)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(self.snapshot_body())

    @admin_route("DELETE", "inventory")
    def admin_delete_inventory(self, request: Request) -> Response:
        self.clear_inventory()
        return json_response(self.snapshot_body())
