"""WMS sandbox: the warehouse's inventory snapshot, which reconciliation compares positions with.

The retailer's own WMS is the book of record for physical stock. Its snapshot is shaped like the
ERP sandbox's (``GET /snapshot/inventory``) plus the unit cost the WMS carries for valuation:

- ``GET /snapshot/inventory?sku=&location_id=``: ``{"as_of", "count", "items": [{"sku", "location_id",
  "on_hand", "unit_cost"?, "currency"?}]}``;
- admin ``POST /__admin/inventory``: seeds rows (a list or ``{"items": [...]}``, merged; ``unit_cost`` a
  decimal string, ``currency`` ISO 4217, USD when a cost comes without one); ``GET`` shows, ``DELETE``
  forgets.

It also takes fulfilment instructions (issue 10): the warehouse's fulfilment orders and the stores'
fulfilment tasks, each upserted by the external id retail-sync gives it (``<order_id>@<location_id>``),
so a resend answers the record already there instead of making a second one:

- ``PUT /v1/fulfilment-orders/{external_id}`` (DCs, 3PLs, dark stores) and
  ``PUT /v1/stores/{location_id}/fulfilment-tasks/{external_id}`` (ship from store, store pickup):
  body ``{"order_id", "channel", "channel_order_id", "location_id", "method", "lines": [{"sku",
  "quantity"}], "ship_to"?}``; 201 ``{"id", "external_id", "status": "RELEASED", ...}`` when new, 200
  with the record as it is when already there (a cancelled one stays cancelled);
- ``POST <same path>/cancel``: 200 ``{"status": "CANCELLED"}`` (again 200 when already cancelled); 409
  ``ALREADY_SHIPPED`` once the parcel has left; 404 ``NOT_FOUND`` for an id never sent;
- admin ``POST /__admin/fulfilment-orders/{external_id}/ship`` marks one shipped (the warehouse
  closed the parcel), ``GET /__admin/fulfilment-orders`` lists them all.

Errors: ``{"error": {"code", "message"}}``; outage 503 ``SERVICE_UNAVAILABLE``, throttled 429
``TOO_MANY_REQUESTS`` with ``Retry-After`` (the base sandbox's shape). No authentication.
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, json_response, read_json, route, utc_now_iso
from local.sandboxes.seeding import InventoryAdminMixin, check_stock_row
from local.sandboxes.stores import clear_stores

SNAPSHOT_PATH = "/snapshot/inventory"
FULFILMENT_PATH = "/v1/fulfilment-orders"
STORE_PATH = "/v1/stores"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class WmsSandbox(InventoryAdminMixin, Sandbox):
    name: ClassVar[str] = "wms"

    def __init__(self) -> None:
        self._store_lock = threading.Lock()
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._fulfilments: dict[str, dict[str, Any]] = {}
        super().__init__()

    # Fulfilment instructions ----------------------------------------------------------------------

    @route("PUT", f"{FULFILMENT_PATH}/<external_id>")
    @route("PUT", f"{STORE_PATH}/<location_id>/fulfilment-tasks/<external_id>")
    def put_fulfilment(self, request: Request, external_id: str, location_id: str | None = None) -> Response:
        try:
            body = read_json(request)
        except ValueError:
            return self.error(400, "INVALID_JSON", "the body is not JSON")
        problem = _fulfilment_problem(body, location_id)
        if problem:
            return self.error(400, "INVALID_FULFILMENT", problem)
        with self._store_lock:
            existing = self._fulfilments.get(external_id)
            if existing is not None:
                return json_response(dict(existing))
            record = {
                "id": f"FO-{len(self._fulfilments) + 1:06d}",
                "external_id": external_id,
                "status": "RELEASED",
                "kind": "store_task" if location_id else "warehouse_order",
                "created_at": utc_now_iso(),
                **{key: body[key] for key in ("order_id", "channel", "channel_order_id", "location_id", "method")},
                "lines": [{"sku": line["sku"], "quantity": line["quantity"]} for line in body["lines"]],
            }
            if body.get("ship_to") is not None:
                record["ship_to"] = body["ship_to"]
            self._fulfilments[external_id] = record
            return json_response(dict(record), 201)

    @route("GET", f"{FULFILMENT_PATH}/<external_id>")
    @route("GET", f"{STORE_PATH}/<location_id>/fulfilment-tasks/<external_id>")
    def get_fulfilment(self, request: Request, external_id: str, location_id: str | None = None) -> Response:
        with self._store_lock:
            record = self._fulfilments.get(external_id)
        if record is None:
            return self.error(404, "NOT_FOUND", f"no fulfilment {external_id}")
        return json_response(dict(record))

    @route("POST", f"{FULFILMENT_PATH}/<external_id>/cancel")
    @route("POST", f"{STORE_PATH}/<location_id>/fulfilment-tasks/<external_id>/cancel")
    def cancel_fulfilment(self, request: Request, external_id: str, location_id: str | None = None) -> Response:
        return self._move(external_id, "CANCELLED", "SHIPPED", "ALREADY_SHIPPED", "left the building: too late")

    @admin_route("GET", "fulfilment-orders")
    def admin_get_fulfilments(self, request: Request) -> Response:
        with self._store_lock:
            return json_response({"fulfilments": [dict(r) for r in self._fulfilments.values()]})

    @admin_route("POST", "fulfilment-orders/<external_id>/ship")
    def admin_ship_fulfilment(self, request: Request, external_id: str) -> Response:
        return self._move(external_id, "SHIPPED", "CANCELLED", "CANCELLED", "was cancelled")

    def _move(self, external_id: str, to: str, refused_from: str, code: str, why: str) -> Response:
        """`to`, unless the fulfilment is `refused_from` (409 `code`); 404 when it was never sent."""
        with self._store_lock:
            record = self._fulfilments.get(external_id)
            if record is None:
                return self.error(404, "NOT_FOUND", f"no fulfilment {external_id}")
            if record["status"] == refused_from:
                return self.error(409, code, f"{external_id} {why}")
            record["status"] = to
            return json_response(dict(record))

    @route("GET", SNAPSHOT_PATH)
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
        clear_stores(self._store_lock, self._rows, self._fulfilments)


def _fulfilment_problem(body: Any, path_location: str | None) -> str | None:
    if not isinstance(body, dict):
        return "the body must be an object"
    for key in ("order_id", "channel", "channel_order_id", "location_id", "method"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"{key} is required"
    if path_location is not None and body["location_id"] != path_location:
        return "location_id must be the store in the path"
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines:
        return "lines must be a non-empty list"
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("sku"), str):
            return "each line needs a sku"
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            return "each line needs a positive integer quantity"
    return None
