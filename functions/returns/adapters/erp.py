"""The ERP's return records (NetSuite REST style, like the orders' sales orders).

Both are upserts by external id (`PUT /services/rest/record/v1/<type>/eid:<our id>`), so a retried
or replayed call writes the same record, never a second one:
- `returnAuthorization`, external id = the return's business key;
- `creditMemo`, external id = our refund id (`refund-<business key>`), created from the return
  authorization, with one line per refunded SKU and its tax reversed.
Statuses become the shared ERP errors (429 -> ErpThrottled, 5xx -> ErpUnavailable, 4xx -> ErpRejected).
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

from shared.adapters.erp_gateway import ERP_THROTTLE_CODES
from shared.adapters.http import ErpConnector
from shared.errors import ErpRejected

RECORD_PATH = "/services/rest/record/v1"
RETURN_AUTHORIZATION = "returnAuthorization"
CREDIT_MEMO = "creditMemo"


class ReturnsErpPort(Protocol):
    def upsert(self, record_type: str, external_id: str, body: dict[str, Any]) -> str:
        """Create or replace the record; answers the ERP's internal id."""
        ...


def record_path(record_type: str, external_id: str) -> str:
    return f"{RECORD_PATH}/{record_type}/eid:{quote(external_id, safe='')}"


class HttpReturnsErp(ErpConnector):
    throttle_codes = ERP_THROTTLE_CODES

    def upsert(self, record_type: str, external_id: str, body: dict[str, Any]) -> str:
        path = record_path(record_type, external_id)
        response = self._send("PUT", path, json={**body, "externalId": external_id})
        location = response.headers.get("Location", "")
        internal_id = location.rstrip("/").rsplit("/", 1)[-1] if location else ""
        if internal_id and not internal_id.startswith("eid:"):
            return internal_id
        record: dict[str, Any] = self._send("GET", path).json()
        if record.get("id"):
            return str(record["id"])
        raise ErpRejected(f"PUT {path}: no internal id in the answer")
