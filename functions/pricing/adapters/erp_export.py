"""The ERP's full item and price master (the backfill's source), read through the ERP gateway's bulk
lane: `GET /export/items` and `GET /export/prices`, pages of at most 1,000 followed through
`offset` while `hasMore` (NetSuite's REST collection paging: `count`, `offset`, `totalResults`,
`hasMore`). Each item is the body of the matching `item.updated` / `price.updated` event without its
delivery fields (events/erp/README.md)."""

from __future__ import annotations

from typing import Any

from shared.adapters.erp_gateway import ERP_THROTTLE_CODES
from shared.adapters.http import ErpConnector

PAGE = 1000
MAX_PAGES = 500


class ErpCatalogExport(ErpConnector):
    throttle_codes = ERP_THROTTLE_CODES

    def rows(self, kind: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            body = self._send(
                "GET",
                f"/export/{kind}",
                headers={"Accept": "application/json"},
                params={"limit": PAGE, "offset": len(found)},
            ).json()
            found.extend(body.get("items") or [])
            if not body.get("hasMore"):
                return found
        return found
