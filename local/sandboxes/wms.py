"""WMS sandbox: the warehouse's inventory snapshot, which reconciliation compares positions with.

The retailer's own WMS is the book of record for physical stock. Its snapshot is shaped like the
ERP sandbox's (``GET /snapshot/inventory``) plus the unit cost the WMS carries for valuation:

- ``GET /snapshot/inventory?sku=&location_id=``: ``{"as_of", "count", "items": [{"sku", "location_id",
  "on_hand", "unit_cost"?, "currency"?}]}``;
- admin ``POST /__admin/inventory``: seeds rows (a list or ``{"items": [...]}``, merged; ``unit_cost`` a
  decimal string, ``currency`` ISO 4217, USD when a cost comes without one); ``GET`` shows, ``DELETE``
  forgets.

Errors: ``{"error": {"code", "message"}}``; outage 503 ``SERVICE_UNAVAILABLE``, throttled 429
``TOO_MANY_REQUESTS`` with ``Retry-After`` (the base sandbox's shape). No authentication.
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_rules_for, json_response, utc_now_iso
from local.sandboxes.seeding import InventoryAdminMixin, check_stock_row

SNAPSHOT_PATH = "/snapshot/inventory"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class WmsSandbox(InventoryAdminMixin, Sandbox):
    name: ClassVar[str] = "wms"

    def __init__(self) -> None:
        self._store_lock = threading.Lock()
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        super().__init__()

    def rules(self) -> list[Rule]:
        return [Rule(SNAPSHOT_PATH, endpoint="inventory_snapshot", methods=["GET"])]

    def admin_rules(self) -> list[Rule]:
        return admin_rules_for("inventory", "GET", "POST", "DELETE")

    def inventory_snapshot(self, request: Request) -> Response:
        return json_response(self.snapshot_body(request.args.get("sku"), request.args.get("location_id")))

    def snapshot_body(self, sku: str | None = None, location_id: str | None = None) -> dict[str, Any]:
        with self._store_lock:
            rows = [
                dict(row)
                for (s, loc), row in sorted(self._rows.items())
                if (sku is None or s == sku) and (location_id is None or loc == location_id)
            ]
        return {"as_of": utc_now_iso(), "count": len(rows), "items": rows}

    def seed_inventory(self, rows: list[Any]) -> None:
        """Sets rows per (sku, location_id); all are checked before any is stored."""
        parsed: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            sku, location_id, on_hand = check_stock_row(row)
            stored: dict[str, Any] = {"sku": sku, "location_id": location_id, "on_hand": on_hand}
            if row.get("unit_cost") is not None:
                try:
                    cost = Decimal(str(row["unit_cost"]))
                except InvalidOperation as exc:
                    raise ValueError(f"unit_cost must be a decimal (sku {sku})") from exc
                if cost < 0:
                    raise ValueError(f"unit_cost must not be negative (sku {sku})")
                currency = row.get("currency", "USD")
                if not isinstance(currency, str) or not _CURRENCY.match(currency):
                    raise ValueError(f"currency must be an ISO 4217 code (sku {sku})")
                stored.update(unit_cost=format(cost, "f"), currency=currency)
            parsed[(sku, location_id)] = stored
        with self._store_lock:
            self._rows.update(parsed)

    def clear_inventory(self) -> None:
        self.reset_state()

    def reset_state(self) -> None:
        with self._store_lock:
            self._rows.clear()
