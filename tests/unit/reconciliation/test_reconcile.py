"""Reconciliation: variances per SKU and location in units and value; corrections within tolerance."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from functions.reconciliation.logic.reconcile import Reconciler
from shared.errors import Unavailable
from shared.models.reconciliation import Action, ReconciliationRun, RunStatus, SnapshotRow, Tolerance
from tests.fakes.availability import MemoryAvailabilityStore
from tests.fakes.reconciliation import MemoryReconciliationStore

T0 = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


class FakeSnapshot:
    def __init__(self, name: str, rows: list[dict[str, object]] | None = None, fail: bool = False) -> None:
        self.name = name
        self.rows = [SnapshotRow.model_validate(r) for r in rows or []]
        self.fail = fail

    def snapshot(self) -> list[SnapshotRow]:
        if self.fail:
            raise Unavailable(f"{self.name}: 503")
        return list(self.rows)


def _run() -> ReconciliationRun:
    return ReconciliationRun(
        run_id="20261123T110000Z-abcd1234",
        kind="inventory",
        status=RunStatus.QUEUED,
        trigger="schedule",
        requested_at=T0,
    )


@pytest.fixture
def stock() -> MemoryAvailabilityStore:
    store = MemoryAvailabilityStore()
    store.set_position("SKU-1", "dc-east", on_hand=40)
    store.set_position("SKU-1", "store-7", on_hand=6)
    store.set_position("SKU-2", "dc-east", on_hand=10, reserved=2)
    return store


def _reconciler(
    store: MemoryReconciliationStore, wms: list[dict[str, object]], erp: list[dict[str, object]]
) -> Reconciler:
    return Reconciler(
        store,
        FakeSnapshot("wms", wms),
        FakeSnapshot("erp", erp),
        Tolerance(units=5, value=Decimal("100")),
        now=lambda: T0,
    )


def _agreeing(**changes: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"sku": "SKU-1", "location_id": "dc-east", "on_hand": 40, "unit_cost": "12.50", "currency": "USD"},
        {"sku": "SKU-1", "location_id": "store-7", "on_hand": 6, "unit_cost": "12.50", "currency": "USD"},
        {"sku": "SKU-2", "location_id": "dc-east", "on_hand": 10, "unit_cost": "80.00", "currency": "USD"},
    ]
    for row in rows:
        key = f"{row['sku']}@{row['location_id']}".replace("-", "_").replace("@", "__")
        if key in changes:
            row["on_hand"] = changes[key]
    return rows


def test_drift_within_tolerance_is_corrected_with_an_audit_entry_and_republished(
    stock: MemoryAvailabilityStore,
) -> None:
    # GIVEN our dc-east count of SKU-1 drifted 3 units below what the WMS (and the ERP) count
    store = MemoryReconciliationStore(stock)
    wms = _agreeing(SKU_1__dc_east=43)

    run = _reconciler(store, wms, wms).run(_run())

    assert run.status is RunStatus.SUCCEEDED and run.corrected == 1 and run.exceptions == 0
    corrected = [v for v in run.variances if v.action is Action.CORRECTED]
    assert [(v.sku, v.location_id, v.units, v.value) for v in corrected] == [("SKU-1", "dc-east", 3, Decimal("37.50"))]
    assert stock.positions_by_sku["SKU-1"]["dc-east"].on_hand == 43
    assert [(a["audit_id"], a["before"], a["after"]) for a in store.audit] == [(corrected[0].audit_id, 40, 43)]
    assert [m.sku for m in stock.dirty(10)] == ["SKU-1"]
    # the ERP agreed with the WMS: its variance against our (old) count is reported, not corrected
    assert [v.action for v in run.variances if v.source == "erp"] == [Action.REPORTED]


def test_drift_above_tolerance_raises_an_exception_and_changes_nothing(stock: MemoryAvailabilityStore) -> None:
    store = MemoryReconciliationStore(stock)
    wms = _agreeing(SKU_1__dc_east=20)

    run = _reconciler(store, wms, _agreeing()).run(_run())

    assert run.corrected == 0 and run.exceptions == 1
    (variance,) = run.variances
    assert (variance.source, variance.units, variance.value, variance.action) == (
        "wms",
        -20,
        Decimal("-250.00"),
        Action.EXCEPTION,
    )
    assert variance.exception_id and store.exceptions[0]["exception_id"] == variance.exception_id
    assert stock.positions_by_sku["SKU-1"]["dc-east"].on_hand == 40
    assert store.audit == [] and stock.dirty(10) == []


def test_a_few_expensive_units_are_above_the_value_tolerance(stock: MemoryAvailabilityStore) -> None:
    store = MemoryReconciliationStore(stock)
    wms = _agreeing(SKU_2__dc_east=8)  # 2 units x 80.00 = 160.00 > 100

    run = _reconciler(store, wms, _agreeing()).run(_run())

    assert [(v.units, v.value, v.action) for v in run.variances] == [(-2, Decimal("-160.00"), Action.EXCEPTION)]
    assert stock.positions_by_sku["SKU-2"]["dc-east"].on_hand == 10


def test_an_erp_variance_is_never_corrected_from_the_erps_books(stock: MemoryAvailabilityStore) -> None:
    store = MemoryReconciliationStore(stock)

    run = _reconciler(store, _agreeing(), _agreeing(SKU_1__store_7=4, SKU_2__dc_east=30)).run(_run())

    actions = {(v.sku, v.location_id, v.source): v.action for v in run.variances}
    assert actions == {
        ("SKU-1", "store-7", "erp"): Action.REPORTED,
        ("SKU-2", "dc-east", "erp"): Action.EXCEPTION,
    }
    assert stock.positions_by_sku["SKU-1"]["store-7"].on_hand == 6 and store.audit == []


def test_stock_the_wms_counts_at_a_location_we_hold_nothing_for_starts_a_position(
    stock: MemoryAvailabilityStore,
) -> None:
    store = MemoryReconciliationStore(stock)
    wms = [*_agreeing(), {"sku": "SKU-3", "location_id": "dc-east", "on_hand": 2}]

    run = _reconciler(store, wms, _agreeing()).run(_run())

    assert [(v.sku, v.ours, v.theirs, v.value, v.action) for v in run.variances] == [
        ("SKU-3", 0, 2, None, Action.CORRECTED)
    ]
    assert stock.positions_by_sku["SKU-3"]["dc-east"].on_hand == 2


def test_a_position_that_moved_since_it_was_read_is_left_for_the_next_run(stock: MemoryAvailabilityStore) -> None:
    class Moving(MemoryReconciliationStore):
        def all_positions(self):  # type: ignore[no-untyped-def]
            found = super().all_positions()
            stock.set_position("SKU-1", "dc-east", on_hand=41)  # a WMS event lands after the read
            return found

    store = Moving(stock)
    run = _reconciler(store, _agreeing(SKU_1__dc_east=43), _agreeing(SKU_1__dc_east=43)).run(_run())

    assert [v.action for v in run.variances if v.source == "wms"] == [Action.SKIPPED_CHANGED]
    assert stock.positions_by_sku["SKU-1"]["dc-east"].on_hand == 41 and store.audit == []


def test_a_snapshot_that_cannot_be_read_fails_the_run_and_changes_nothing(stock: MemoryAvailabilityStore) -> None:
    store = MemoryReconciliationStore(stock)
    reconciler = Reconciler(
        store,
        FakeSnapshot("wms", _agreeing(SKU_1__dc_east=43)),
        FakeSnapshot("erp", fail=True),
        Tolerance(),
        now=lambda: T0,
    )

    run = reconciler.run(_run())

    assert run.status is RunStatus.FAILED and "Unavailable" in (run.error or "")
    assert store.get_run("inventory", run.run_id) == run
    assert stock.positions_by_sku["SKU-1"]["dc-east"].on_hand == 40 and store.audit == []


def test_matching_books_give_a_clean_run(stock: MemoryAvailabilityStore) -> None:
    store = MemoryReconciliationStore(stock)

    run = _reconciler(store, _agreeing(), _agreeing()).run(_run())

    assert run.status is RunStatus.SUCCEEDED and run.variances == [] and run.positions_compared == 3
    assert run.started_at == T0 and run.finished_at == T0


def test_a_sku_the_snapshot_lists_counts_as_zero_where_it_has_no_row_and_unlisted_skus_are_left_alone(
    stock: MemoryAvailabilityStore,
) -> None:
    store = MemoryReconciliationStore(stock)
    stock.set_position("SKU-9", "dc-east", on_hand=3)  # neither snapshot carries SKU-9
    wms = [r for r in _agreeing() if r["location_id"] != "store-7"] + [
        {"sku": "SKU-2", "location_id": "store-7", "on_hand": 0}
    ]

    run = _reconciler(store, wms, _agreeing()).run(_run())

    assert [(v.sku, v.location_id, v.ours, v.theirs, v.action) for v in run.variances if v.source == "wms"] == [
        ("SKU-1", "store-7", 6, 0, Action.EXCEPTION)  # 6 units above the 5-unit tolerance
    ]
    assert stock.positions_by_sku["SKU-9"]["dc-east"].on_hand == 3


def test_a_scheduled_event_starts_a_new_run_and_an_on_demand_request_runs_the_queued_one(
    stock: MemoryAvailabilityStore,
) -> None:
    from functions.reconciliation.handlers.reconcile import lambda_handler
    from tests.fakes.builders import LambdaContext

    store = MemoryReconciliationStore(stock)
    reconciler = _reconciler(store, _agreeing(), _agreeing())
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}, "time": "2026-11-23T11:00:00Z"}

    first = lambda_handler(scheduled, LambdaContext(), reconciler=reconciler)
    second = lambda_handler(
        {"run_id": "20261123T110500Z-feedbeef", "kind": "inventory", "trigger": "on_demand"},
        LambdaContext(),
        reconciler=reconciler,
    )

    assert first["status"] == second["status"] == "SUCCEEDED"
    assert store.get_run("inventory", first["run_id"]).trigger == "schedule"  # type: ignore[union-attr]
    assert store.get_run("inventory", "20261123T110500Z-feedbeef").trigger == "on_demand"  # type: ignore[union-attr]
