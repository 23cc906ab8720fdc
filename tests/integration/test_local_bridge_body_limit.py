"""The local bridge answers an oversize body as the deployed web ACL does: the contract's 413, no invocation.

Deployed, API Gateway REST accepts 10 MB but a synchronous Lambda invoke takes 6 MB, so a body of
6-10 MB would be a 5xx; the web ACL's BodyOverContractLimit rule answers 413 first.
"""

from __future__ import annotations

import httpx
import pytest

from local.bridge import ApiBridge
from shared.limits import WEBHOOK_MAX_BODY_BYTES
from tests.integration.test_local_bridge_stage_paths import Ingest, bridge, ingest

__all__ = ["bridge", "ingest"]


@pytest.mark.parametrize(
    "size", [WEBHOOK_MAX_BODY_BYTES + 1, 6 * 1024 * 1024 + 1, 8 * 1024 * 1024], ids=["over-256k", "6mb", "8mb"]
)
def test_a_body_over_the_contract_limit_gets_the_contracts_413_without_invoking_ingest(
    bridge: ApiBridge, ingest: Ingest, size: int
) -> None:
    answer = httpx.post(
        f"{bridge.url}/v1/webhooks/shopify",
        content=b"{" + b" " * (size - 2) + b"}",
        headers={"Content-Type": "application/json", "X-Shopify-Topic": "orders/create"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert ingest.events == []
