"""The ERP's journal entries (NetSuite REST record `journalEntry`), upserted by external id.

`PUT /services/rest/record/v1/journalEntry/eid:<externalId>` creates the journal when the external id
is new and updates it otherwise (Oracle, "Using the Upsert Operation",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156335203191.html), so a replay
writes the same record. The answer's `Location` names the internal id. Statuses become domain errors
in the base connector (429 throttled with Retry-After, 5xx unavailable, other 4xx rejected); the token is
NetSuite's OAuth 2.0 client credentials, as for sales orders.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from shared.adapters.erp_gateway import ERP_THROTTLE_CODES
from shared.adapters.http import ErpConnector
from shared.errors import ErpRejected

JOURNAL_PATH = "/services/rest/record/v1/journalEntry"


class HttpErpJournal(ErpConnector):
    throttle_codes = ERP_THROTTLE_CODES

    def upsert_journal(self, external_id: str, body: dict[str, Any]) -> str:
        path = f"{JOURNAL_PATH}/eid:{quote(external_id, safe='')}"
        response = self._send("PUT", path, json=body)
        location = response.headers.get("Location", "")
        internal_id = location.rstrip("/").rsplit("/", 1)[-1] if location else ""
        if internal_id and not internal_id.startswith("eid:"):
            return internal_id
        record = self._send("GET", path).json()
        if isinstance(record, dict) and record.get("id"):
            return str(record["id"])
        raise ErpRejected(f"PUT {path}: no internal id in the answer")
