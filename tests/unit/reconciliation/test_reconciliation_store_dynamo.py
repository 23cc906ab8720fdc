"""Reconciliation items in DynamoDB (moto): a correction is position + audit + dirty marker, or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.inventory.dal.positions import DynamoPositionStore
from shared.adapters.availability_store import DynamoAvailabilityStore
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.models import InventoryAdjustment
from shared.models.reconciliation import ReconciliationRun, RunStatus
from tests.fakes.aws import STATE_TABLE

T0 = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


@pytest.fixture
def store(dynamodb: Any) -> DynamoReconciliationStore:
    positions = DynamoPositionStore(STATE_TABLE, dynamodb)
    positions.apply_adjustment(
        InventoryAdjustment(
            event_id="e1", sku="SKU-1", location_id="dc-east", on_hand=40, source_sequence=7, occurred_at=T0
        ),
        T0,
    )
    return DynamoReconciliationStore(STATE_TABLE, dynamodb)


def _audit(run_id: str = "r1") -> dict[str, Any]:
    return {
        "audit_id": f"{T0.isoformat()}#{run_id}#SKU-1#dc-east",
        "run_id": run_id,
        "sku": "SKU-1",
        "location_id": "dc-east",
        "before": 40,
        "after": 43,
    }


def test_a_correction_writes_the_count_its_audit_entry_and_the_dirty_marker_together(
    store: DynamoReconciliationStore, dynamodb: Any
) -> None:
    (position,) = store.all_positions()

    assert store.correct(position, 43, _audit(), T0) is True

    (after,) = store.all_positions()
    assert (after.on_hand, after.version, after.last_sequence) == (43, position.version + 1, 7)  # WMS guard untouched
    assert [(a["before"], a["after"]) for a in store.audit_entries()] == [(40, 43)]
    assert [m.sku for m in DynamoAvailabilityStore(STATE_TABLE, dynamodb).dirty(10)] == ["SKU-1"]


def test_a_correction_of_a_position_that_moved_writes_nothing(store: DynamoReconciliationStore, dynamodb: Any) -> None:
    (position,) = store.all_positions()
    DynamoPositionStore(STATE_TABLE, dynamodb).apply_adjustment(
        InventoryAdjustment(
            event_id="e2", sku="SKU-1", location_id="dc-east", on_hand=41, source_sequence=8, occurred_at=T0
        ),
        T0,
    )

    assert store.correct(position, 43, _audit(), T0) is False

    assert store.all_positions()[0].on_hand == 41
    assert store.audit_entries() == [] and DynamoAvailabilityStore(STATE_TABLE, dynamodb).dirty(10) == []


def test_runs_list_newest_first_and_exceptions_are_kept(store: DynamoReconciliationStore) -> None:
    for minute in (0, 2, 1):
        at = T0 + timedelta(minutes=minute)
        store.save_run(
            ReconciliationRun(
                run_id=f"{at:%Y%m%dT%H%M%SZ}-0000000{minute}",
                kind="inventory",
                status=RunStatus.SUCCEEDED,
                trigger="schedule",
                requested_at=at,
            )
        )
    exception_id = store.raise_exception(
        {"run_id": "r1", "sku": "SKU-1", "location_id": "dc-east", "source": "wms", "units": -20}, T0
    )

    assert [r.run_id[-1] for r in store.list_runs("inventory")] == ["2", "1", "0"]
    assert [e["exception_id"] for e in store.exceptions()] == [exception_id]
