"""What the marketplace sandboxes keep of the prices they are sent, and a price floor per item.

Each sandbox records the price an item was last given under the channel's own key (Shopify's
variant id, Amazon's and Walmart's seller SKU, eBay's offer id, Zalando's EAN) and counts the
updates per key, so a test can say "exactly once per SKU and channel". A floor set through
`POST /__admin/price_floors` (`{"key", "floor"}`) makes the sandbox refuse a lower price the way
its vendor refuses a price it will not take (Amazon: status INVALID with an issue; Walmart, Shopify,
Zalando, eBay: their error shapes). `GET /__admin/prices` answers `{key: {"amount", "currency",
"compare_at", "updates"}}`.
"""

from __future__ import annotations

import threading
from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import admin_route, json_response, read_json


class PricesMixin:
    def _prices_init(self) -> None:
        self._prices_lock = threading.Lock()
        self._prices: dict[str, dict[str, Any]] = {}
        self._price_floors: dict[str, Decimal] = {}

    def below_floor(self, key: str, amount: Any) -> str | None:
        """Why `amount` is refused for `key` (below its floor, or not a positive amount); None if taken."""
        try:
            value = Decimal(str(amount))
        except (InvalidOperation, ValueError):
            return f"price {amount!r} is not a number"
        if value <= 0:
            return "price must be greater than 0"
        with self._prices_lock:
            floor = self._price_floors.get(key)
        if floor is not None and value < floor:
            return f"price {value} is below the minimum allowed price {floor}"
        return None

    def record_price(self, key: str, amount: Any, currency: str | None, compare_at: Any = None) -> None:
        with self._prices_lock:
            record = self._prices.setdefault(key, {"updates": 0})
            record.update(
                {
                    "amount": _cents(amount),
                    "currency": currency,
                    "compare_at": None if compare_at in (None, "") else _cents(compare_at),
                }
            )
            record["updates"] += 1

    def prices(self) -> dict[str, dict[str, Any]]:
        with self._prices_lock:
            return {key: dict(value) for key, value in self._prices.items()}

    def set_price_floor(self, key: str, floor: Any) -> None:
        with self._prices_lock:
            self._price_floors[key] = Decimal(str(floor))

    def reset_prices(self) -> None:
        with self._prices_lock:
            self._prices.clear()
            self._price_floors.clear()

    @admin_route("GET", "prices")
    def admin_get_prices(self, request: Request) -> Response:
        return json_response(self.prices())

    @admin_route("POST", "price_floors")
    def admin_post_price_floors(self, request: Request) -> Response:
        try:
            body = read_json(request)
            self.set_price_floor(str(body["key"]), body["floor"])
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            return json_response({"error": f"expected {{key, floor}}: {exc}"}, 400)
        return json_response({"key": body["key"], "floor": str(body["floor"])}, 201)


def _cents(value: Any) -> str:
    """A JSON number (19.9) or a decimal string, as the price it means (19.90)."""
    return str(Decimal(str(value)).quantize(Decimal("0.01")))
