"""Ops routes over reconciliation exceptions and the audit trail (state table in moto).

Exceptions are raised by a real run (Reconciler over the DynamoDB store), so the routes read
exactly what reconciliation writes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from functions.inventory.dal.positions import DynamoPositionStore
from functions.ops.handlers.api import Deps
from functions.reconciliation.logic.reconcile import Reconciler
from shared.adapters.availability_store import DynamoAvailabilityStore
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.adapters.state_store import DynamoStateStore
from shared.models import InventoryAdjustment
from shared.models.reconciliation import ReconciliationRun, RunStatus, SnapshotRow, Tolerance
from tests.fakes.aws import STATE_TABLE
from tests.support.ops_api import call_ops, resolve_exception

T0 = datetime(2025, 1, 6, 11, 0, tzinfo=UTC)  # before any clock the resolution reads


class FakeSnapshot:
    def __init__(self, name: str, rows: list[dict[str, object]]) -> None:
        self.name = name
        self.rows = [SnapshotRow.model_validate(r) for r in rows]

    def snapshot(self) -> list[SnapshotRow]:
        return list(self.rows)


def _stock(dynamodb: Any, sku: str, location_id: str, on_hand: int, sequence: int) -> None:
    DynamoPositionStore(STATE_TABLE, dynamodb).apply_adjustment(
        InventoryAdjustment(
            event_id=f"e-{sku}-{location_id}-{sequence}",
            sku=sku,
            location_id=location_id,
            on_hand=on_hand,
            source_sequence=sequence,
            occurred_at=T0,
        ),
        T0,
    )


def _on_hand(dynamodb: Any, sku: str) -> dict[str, int]:
    return {p.location_id: p.on_hand for p in DynamoStateStore(STATE_TABLE, dynamodb).positions_for_sku(sku)}


def _reconcile(
    store: DynamoReconciliationStore,
    wms: list[dict[str, object]],
    erp: list[dict[str, object]],
    at: datetime = T0,
    run_id: str = "20250106T110000Z-abcd1234",
) -> ReconciliationRun:
    reconciler = Reconciler(
        store,
        FakeSnapshot("wms", wms),
        FakeSnapshot("erp", erp),
        Tolerance(units=5, value=Decimal("100")),
        now=lambda: at,
    )
    run = ReconciliationRun(
        run_id=run_id, kind="inventory", status=RunStatus.QUEUED, trigger="schedule", requested_at=at
    )
    return reconciler.run(run)


@pytest.fixture
def raised(dynamodb: Any, store: DynamoReconciliationStore) -> dict[tuple[str, str], str]:
    """SKU-1 at dc-east: we hold 40, the WMS counts 20 (12.50 each): -20 units, -250.00, above tolerance;
    SKU-2 at dc-west: the WMS counts 9 we never heard of, and the ERP's books say 30 at dc-east for SKU-1."""
    _stock(dynamodb, "SKU-1", "dc-east", 40, 1)
    wms = [
        {"sku": "SKU-1", "location_id": "dc-east", "on_hand": 20, "unit_cost": "12.50", "currency": "USD"},
        {"sku": "SKU-2", "location_id": "dc-west", "on_hand": 9},
    ]
    erp = [{"sku": "SKU-1", "location_id": "dc-east", "on_hand": 30}]
    run = _reconcile(store, wms, erp)
    assert run.status is RunStatus.SUCCEEDED and run.exceptions == 3
    return {(v.sku, v.source): v.exception_id for v in run.variances}  # type: ignore[misc]


def test_open_exceptions_list_newest_first_with_their_variance(
    deps: Deps, store: DynamoReconciliationStore, raised: dict[tuple[str, str], str]
) -> None:
    later = _reconcile(
        store,
        [{"sku": "SKU-3", "location_id": "dc-east", "on_hand": 50}],
        [],
        at=T0 + timedelta(minutes=5),
        run_id="20250106T110500Z-00000002",
    )

    status, body = call_ops(deps, "GET", "/v1/ops/exceptions", query={"status": "open", "kind": "reconciliation"})

    assert status == 200 and (body["status"], body["kind"]) == ("open", "reconciliation")
    listed = body["exceptions"]
    assert listed[0]["id"] == later.variances[0].exception_id  # newest first
    assert {e["id"] for e in listed[1:]} == set(raised.values())
    east = next(e for e in listed if e["id"] == raised[("SKU-1", "wms")])
    assert {k: east[k] for k in ("kind", "sku", "location_id", "source", "ours", "theirs", "units", "value")} == {
        "kind": "reconciliation",
        "sku": "SKU-1",
        "location_id": "dc-east",
        "source": "wms",
        "ours": 40,
        "theirs": 20,
        "units": -20,
        "value": "-250.00",
    }
    assert (east["run_id"], east["raised_at"], east["status"]) == (
        "20250106T110000Z-abcd1234",
        "2025-01-06T11:00:00Z",
        "open",
    )
    status, limited = call_ops(deps, "GET", "/v1/ops/exceptions", query={"limit": "1"})
    assert status == 200 and [e["id"] for e in limited["exceptions"]] == [listed[0]["id"]]


def test_listing_rejects_an_unknown_status_kind_or_limit_with_the_field(deps: Deps) -> None:
    for query, field in (
        ({"status": "closed"}, "status"),
        ({"kind": "returns"}, "kind"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
    ):
        status, body = call_ops(deps, "GET", "/v1/ops/exceptions", query=query)
        assert status == 400 and body["error"]["code"] == "VALIDATION_FAILED"
        assert body["error"]["details"][0]["field"] == field


def test_accepting_the_wms_count_corrects_the_position_audits_republishes_and_closes_the_exception(
    deps: Deps, dynamodb: Any, raised: dict[tuple[str, str], str]
) -> None:
    exception_id = raised[("SKU-1", "wms")]

    status, body = resolve_exception(
        deps, exception_id, {"action": "accept_theirs", "note": "cycle count confirmed by the DC"}
    )

    assert status == 200, body
    assert (body["id"], body["status"], body["resolution"]) == (exception_id, "resolved", "accept_theirs")
    assert _on_hand(dynamodb, "SKU-1") == {"dc-east": 20}
    assert [m.sku for m in DynamoAvailabilityStore(STATE_TABLE, dynamodb).dirty(10)] == ["SKU-1"]
    status, audit = call_ops(deps, "GET", "/v1/ops/audit", query={"sku": "SKU-1"})
    assert status == 200
    (entry,) = audit["entries"]
    assert (entry["kind"], entry["action"], entry["before"], entry["after"], entry["exception_id"], entry["note"]) == (
        "resolution",
        "accept_theirs",
        40,
        20,
        exception_id,
        "cycle count confirmed by the DC",
    )
    assert entry["audit_id"] == body["audit_id"]
    status, still_open = call_ops(deps, "GET", "/v1/ops/exceptions")
    assert exception_id not in {e["id"] for e in still_open["exceptions"]}
    status, resolved = call_ops(deps, "GET", "/v1/ops/exceptions", query={"status": "resolved"})
    assert [e["id"] for e in resolved["exceptions"]] == [exception_id]


def test_accepting_stock_we_never_had_creates_the_position(
    deps: Deps, dynamodb: Any, raised: dict[tuple[str, str], str]
) -> None:
    status, body = resolve_exception(
        deps, raised[("SKU-2", "wms")], {"action": "accept_theirs", "note": "new SKU received without an ASN"}
    )

    assert status == 200, body
    assert _on_hand(dynamodb, "SKU-2") == {"dc-west": 9}


def test_accepting_after_the_position_moved_is_a_conflict_and_writes_nothing(
    deps: Deps, dynamodb: Any, store: DynamoReconciliationStore, raised: dict[tuple[str, str], str]
) -> None:
    exception_id = raised[("SKU-1", "wms")]
    _stock(dynamodb, "SKU-1", "dc-east", 38, 2)  # a WMS movement lands after the run compared

    status, body = resolve_exception(deps, exception_id, {"action": "accept_theirs", "note": "count confirmed"})

    assert status == 409 and body["error"]["code"] == "POSITION_CHANGED"
    assert _on_hand(dynamodb, "SKU-1") == {"dc-east": 38}
    assert store.audit_entries() == [] and DynamoAvailabilityStore(STATE_TABLE, dynamodb).dirty(10) == []
    assert store.get_exception(exception_id)["status"] == "OPEN"  # type: ignore[index]


def test_keeping_ours_closes_the_exception_with_an_audit_entry_and_no_stock_change(
    deps: Deps, dynamodb: Any, store: DynamoReconciliationStore, raised: dict[tuple[str, str], str]
) -> None:
    exception_id = raised[("SKU-1", "erp")]

    status, body = resolve_exception(
        deps, exception_id, {"action": "keep_ours", "note": "ERP posting lag, books catch up tonight"}
    )

    assert status == 200 and (body["status"], body["resolution"]) == ("resolved", "keep_ours")
    assert _on_hand(dynamodb, "SKU-1") == {"dc-east": 40}
    assert [(a["action"], a["before"], a["after"]) for a in store.audit_entries()] == [("keep_ours", 40, 40)]
    assert DynamoAvailabilityStore(STATE_TABLE, dynamodb).dirty(10) == []


def test_resolving_twice_is_a_conflict(
    deps: Deps, store: DynamoReconciliationStore, raised: dict[tuple[str, str], str]
) -> None:
    path = f"/v1/ops/exceptions/{raised[('SKU-1', 'wms')]}/resolve"
    assert call_ops(deps, "POST", path, {"action": "keep_ours", "note": "recount scheduled"})[0] == 200

    for action in ("keep_ours", "accept_theirs"):
        status, body = call_ops(deps, "POST", path, {"action": action, "note": "again"})
        assert status == 409 and body["error"]["code"] == "ALREADY_RESOLVED"
    assert len(store.audit_entries()) == 1


def test_the_erp_count_cannot_be_accepted(deps: Deps, dynamodb: Any, raised: dict[tuple[str, str], str]) -> None:
    status, body = resolve_exception(
        deps, raised[("SKU-1", "erp")], {"action": "accept_theirs", "note": "take the books"}
    )

    assert status == 400 and body["error"]["code"] == "VALIDATION_FAILED"
    assert body["error"]["details"][0]["field"] == "action"
    assert _on_hand(dynamodb, "SKU-1") == {"dc-east": 40}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "delete", "note": "x"}, "action"),
        ({"action": "keep_ours"}, "note"),
        ({"action": "keep_ours", "note": ""}, "note"),
        ({"action": "keep_ours", "note": "x", "force": True}, "force"),
    ],
)
def test_an_invalid_resolution_is_refused_with_the_field(
    deps: Deps, store: DynamoReconciliationStore, raised: dict[tuple[str, str], str], body: dict[str, Any], field: str
) -> None:
    exception_id = raised[("SKU-1", "wms")]
    status, answer = resolve_exception(deps, exception_id, body)

    assert status == 400 and answer["error"]["code"] == "VALIDATION_FAILED"
    assert [d["field"] for d in answer["error"]["details"]] == [field]
    assert store.get_exception(exception_id)["status"] == "OPEN"  # type: ignore[index]


def test_a_body_that_is_not_json_is_malformed(deps: Deps, raised: dict[tuple[str, str], str]) -> None:
    status, body = resolve_exception(deps, raised[("SKU-1", "wms")], "{not json")

    assert status == 400 and body["error"]["code"] == "MALFORMED_BODY"


def test_resolving_an_unknown_exception_is_not_found(deps: Deps) -> None:
    status, body = resolve_exception(deps, "20261123T110000000000Z-deadbeef", {"action": "keep_ours", "note": "x"})

    assert status == 404 and body["error"]["code"] == "NOT_FOUND" and body["error"]["correlation_id"]


def test_audit_lists_corrections_and_resolutions_newest_first(
    deps: Deps, dynamodb: Any, store: DynamoReconciliationStore, raised: dict[tuple[str, str], str]
) -> None:
    # a later run corrects a small drift at dc-east (40 -> 42, within tolerance)
    _reconcile(
        store,
        [{"sku": "SKU-1", "location_id": "dc-east", "on_hand": 42}],
        [],
        at=T0 + timedelta(minutes=5),
        run_id="20250106T110500Z-00000002",
    )
    resolve_exception(deps, raised[("SKU-2", "wms")], {"action": "keep_ours", "note": "mis-scan"})

    status, body = call_ops(deps, "GET", "/v1/ops/audit", query={"limit": "10"})

    assert status == 200 and body["sku"] is None
    assert [(e["kind"], e["sku"]) for e in body["entries"]] == [("resolution", "SKU-2"), ("correction", "SKU-1")]
    correction = body["entries"][1]
    assert (correction["before"], correction["after"], correction["run_id"]) == (40, 42, "20250106T110500Z-00000002")
    assert [e["sku"] for e in call_ops(deps, "GET", "/v1/ops/audit", query={"sku": "SKU-1"})[1]["entries"]] == ["SKU-1"]
    assert call_ops(deps, "GET", "/v1/ops/audit", query={"sku": "SKU 1!"})[0] == 400
