"""Reconciliation exceptions through the local stack: listed, resolved by ops, audited.

GIVEN a position and a WMS count far from it (injected through the WMS sandbox's admin API), WHEN
an on-demand run raises the exception and ops accepts the WMS's count, THEN our position is the
WMS's count, the audit trail says who changed it from what to what, and the exception cannot be
resolved a second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local.stack import LocalStack
from tests.integration.flows import Flows, unique, wait_until, with_empty_snapshots

LOCATION = "dc-west"


@pytest.fixture
def flows(local_stack: LocalStack) -> Iterator[Flows]:
    yield from with_empty_snapshots(local_stack)


def _mine(flows: Flows, sku: str, status: str) -> list[dict[str, Any]]:
    answer = flows.http.get(
        f"{flows.stack.api_url}/v1/ops/exceptions",
        params={"status": status, "kind": "reconciliation", "limit": "100"},
    )
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["exceptions"] if e["sku"] == sku]


def test_an_exception_resolved_by_accepting_the_wms_count_corrects_the_position_once(flows: Flows) -> None:
    sku = unique("SKU-EXC")
    flows.stock(sku, 30, sequence=1, location_id=LOCATION)
    # the WMS counts 18 fewer (above the 5-unit tolerance); the ERP does not carry the SKU
    rows = [{"sku": sku, "location_id": LOCATION, "on_hand": 12, "unit_cost": "4.00", "currency": "USD"}]
    assert flows.http.post(f"{flows.sandbox_url('wms')}/__admin/inventory", json=rows).status_code == 200

    # WHEN a run is started on demand
    started = flows.http.post(f"{flows.stack.api_url}/v1/ops/reconciliations/inventory")
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    wait_until(lambda: flows.ops(f"reconciliations/inventory/{run_id}").json()["status"] in {"SUCCEEDED", "FAILED"})
    assert flows.ops(f"reconciliations/inventory/{run_id}").json()["status"] == "SUCCEEDED"

    # THEN the exception is listed open, with its variance, and our count is untouched
    (exception,) = _mine(flows, sku, "open")
    assert {k: exception[k] for k in ("kind", "location_id", "source", "ours", "theirs", "units", "value")} == {
        "kind": "reconciliation",
        "location_id": LOCATION,
        "source": "wms",
        "ours": 30,
        "theirs": 12,
        "units": -18,
        "value": "-72.00",
    }
    assert (exception["run_id"], exception["status"]) == (run_id, "open") and exception["raised_at"]
    assert flows.ops(f"inventory/{sku}").json()["locations"][0]["on_hand"] == 30

    # WHEN ops accepts the WMS's count
    resolve_url = f"{flows.stack.api_url}/v1/ops/exceptions/{exception['id']}/resolve"
    resolved = flows.http.post(resolve_url, json={"action": "accept_theirs", "note": "recount confirmed the WMS"})
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", "accept_theirs")

    # THEN the position is the WMS's count, the audit entry records it, and the exception is closed
    assert [loc["on_hand"] for loc in flows.ops(f"inventory/{sku}").json()["locations"]] == [12]
    audit = flows.http.get(f"{flows.stack.api_url}/v1/ops/audit", params={"sku": sku})
    assert audit.status_code == 200, audit.text
    (entry,) = audit.json()["entries"]
    assert (entry["kind"], entry["action"], entry["before"], entry["after"], entry["exception_id"]) == (
        "resolution",
        "accept_theirs",
        30,
        12,
        exception["id"],
    )
    assert _mine(flows, sku, "open") == []
    assert [e["id"] for e in _mine(flows, sku, "resolved")] == [exception["id"]]

    # AND resolving it again is a conflict that changes nothing
    again = flows.http.post(resolve_url, json={"action": "accept_theirs", "note": "double click"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_RESOLVED"
    assert len(flows.http.get(f"{flows.stack.api_url}/v1/ops/audit", params={"sku": sku}).json()["entries"]) == 1
