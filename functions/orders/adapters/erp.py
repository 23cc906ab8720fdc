"""The ERP connector (NetSuite REST style, wiring.md "ERP connector").

Sales orders are addressed by external id (`eid:<order_id>`), so a replayed upsert writes the
same record. Calls carry `Authorization: Bearer <token>` from NetSuite's OAuth 2.0 client
credentials (machine-to-machine) flow (`shared/adapters/vendor_auth.erp_token_auth`,
`shared/adapters/oauth.py`): minted with a certificate-signed JWT, cached, refreshed before expiry,
minted once more after a 401 (NetSuite refuses before writing, so the resend cannot duplicate an
order). Statuses become domain errors in the base connector: 429 -> ErpThrottled(retry_after), 5xx
and timeouts -> ErpUnavailable, other 4xx -> ErpRejected.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

from shared.adapters.erp_gateway import ERP_THROTTLE_CODES
from shared.adapters.http import ErpConnector
from shared.errors import ErpRejected, ErpThrottled, ErpUnavailable

RECORD_PATH = "/services/rest/record/v1/salesOrder"


PROBE_ORDER_ID = "retail-sync-availability-probe"  # never an order id (ours are `ord_<hex>`)


class ErpRecordNotFound(ErpRejected):
    """The ERP has no sales order with that external id."""


class ErpPort(Protocol):
    def upsert_sales_order(self, order_id: str, sales_order: dict[str, Any]) -> str:
        """Create or replace the sales order; answers the ERP's internal id."""
        ...

    def close_sales_order_lines(self, order_id: str, items: list[dict[str, Any]]) -> None: ...

    def cancel_sales_order(self, order_id: str) -> bool:
        """Close the sales order; False when the ERP never had it."""
        ...

    def get_sales_order(self, order_id: str) -> dict[str, Any] | None: ...


def _record_path(order_id: str) -> str:
    return f"{RECORD_PATH}/eid:{quote(order_id, safe='')}"


class HttpErp(ErpConnector):
    not_found_error = ErpRecordNotFound
    throttle_codes = ERP_THROTTLE_CODES

    def upsert_sales_order(self, order_id: str, sales_order: dict[str, Any]) -> str:
        try:
            response = self._send("PUT", _record_path(order_id), json=sales_order)
        except ErpRecordNotFound as exc:
            # For a PUT a 404 is a refusal like any other 4xx (Step Functions matches ErpRejected).
            raise ErpRejected(str(exc)) from exc
        location = response.headers.get("Location", "")
        internal_id = location.rstrip("/").rsplit("/", 1)[-1] if location else ""
        if internal_id and not internal_id.startswith("eid:"):
            return internal_id
        # No usable Location header: read the record back for its internal id.
        record = self.get_sales_order(order_id)
        if record and record.get("id"):
            return str(record["id"])
        raise ErpRejected(f"PUT {_record_path(order_id)}: no internal id in the answer")

    def close_sales_order_lines(self, order_id: str, items: list[dict[str, Any]]) -> None:
        """`PATCH .../salesOrder/eid:<id>?replace=item` with the whole item sublist, the cancelled lines
        `isClosed` (NetSuite REST: `replace` names the sublists the body replaces instead of merging)."""
        self._send("PATCH", _record_path(order_id), params={"replace": "item"}, json={"item": {"items": items}})

    def cancel_sales_order(self, order_id: str) -> bool:
        try:
            self._send("PATCH", _record_path(order_id), json={"status": "cancelled"})
        except ErpRecordNotFound:
            return False
        return True

    def answers(self) -> bool:
        """Whether the ERP takes calls again: one read of a sales order that does not exist (a 404 is
        an ERP that answers). Down or throttling: False. A refusal (401, 403) raises: that is a
        configuration error for a person, not an outage to wait out."""
        try:
            self.get_sales_order(PROBE_ORDER_ID)
        except (ErpUnavailable, ErpThrottled):
            return False
        return True

    def get_sales_order(self, order_id: str) -> dict[str, Any] | None:
        try:
            response = self._send("GET", _record_path(order_id))
        except ErpRecordNotFound:
            return None
        body: dict[str, Any] = response.json()
        return body


FULFILLMENT_PATH = "/services/rest/record/v1/itemFulfillment"


class HttpErpFulfilments(ErpConnector):
    """`PUT /record/v1/itemFulfillment/eid:<external id>`: the fulfilment created (or written again)
    from the sales order its `createdFrom` names; answers the ERP's internal id (the `Location`)."""

    throttle_codes = ERP_THROTTLE_CODES

    def update_sales_order(self, order_id: str, fields: dict[str, Any]) -> None:
        """`PATCH /record/v1/salesOrder/eid:<order id>` with the fields that changed (204)."""
        self._send("PATCH", _record_path(order_id), json=fields)

    def close_sales_order_lines(self, order_id: str, items: list[dict[str, Any]]) -> None:
        """The item sublist replaced (`?replace=item`): the lines as the order now stands."""
        self._send("PATCH", _record_path(order_id), params={"replace": "item"}, json={"item": {"items": items}})

    def upsert_item_fulfillment(self, external_id: str, record: dict[str, Any]) -> str:
        response = self._send("PUT", f"{FULFILLMENT_PATH}/eid:{quote(external_id, safe='')}", json=record)
        location = response.headers.get("Location", "")
        return location.rstrip("/").rsplit("/", 1)[-1] if location else ""
