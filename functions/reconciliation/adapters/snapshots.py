"""Inventory snapshots of the ERP and the WMS: `GET <base>/snapshot/inventory`.

Both answer `{"as_of", "count", "items": [{"sku", "location_id", "on_hand", "unit_cost"?, "currency"?}]}`
(local/sandboxes/README.md). A failure is the run's failure: nothing is corrected from half a picture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from shared.adapters.erp_gateway import ERP_THROTTLE_CODES
from shared.adapters.http import CallGate, HttpConnector
from shared.adapters.tokens import TokenAuth
from shared.models.reconciliation import SnapshotRow

if TYPE_CHECKING:
    import httpx

SNAPSHOT_PATH = "/snapshot/inventory"


class SnapshotSource(Protocol):
    name: str

    def snapshot(self) -> list[SnapshotRow]: ...


class HttpSnapshotSource(HttpConnector):
    def __init__(
        self,
        name: str,
        base_url: str,
        timeout: float = 20.0,
        client: httpx.Client | None = None,
        token_auth: TokenAuth | None = None,
        gate: CallGate | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, client=client, token_auth=token_auth, gate=gate)
        self.name = name
        self.system = name  # the errors say which system could not give its snapshot

    def snapshot(self) -> list[SnapshotRow]:
        body = self._send("GET", SNAPSHOT_PATH, headers={"Accept": "application/json"}).json()
        return [SnapshotRow.model_validate(row) for row in body.get("items", [])]


class ErpSnapshotSource(HttpSnapshotSource):
    """The ERP's snapshot, built like every ERP connector (`erp_connector`: its token and the ERP
    gateway's bulk lane), where NetSuite's throttling codes count as throttled."""

    throttle_codes = ERP_THROTTLE_CODES

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__("erp", base_url, **kwargs)
