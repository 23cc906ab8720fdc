"""Inventory reconciliation: our positions against the WMS's and the ERP's snapshots.

Per SKU and location, each snapshot's on-hand is compared with ours. A SKU the snapshot lists
counts as 0 at a location it covers but has no row for; SKUs it does not list and locations it
does not cover are not its business (a WMS does not manage store stock, nor an ERP a SKU it
does not carry). The variance is in units (theirs - ours) and in value (units x unit cost, the ERP's
cost where it gives one, else the WMS's).

The WMS is the book of record for physical stock: a WMS variance within tolerance is corrected
(our on-hand set to its count, only if the position is still as read, with an audit entry, and
the SKU's channels republished); above tolerance it raises an exception and changes nothing.
The ERP's books are not ours to correct: an ERP variance is reported, and above tolerance it
raises an exception too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from functions.reconciliation.adapters.snapshots import SnapshotSource
from shared.models import InventoryPosition, utc_now
from shared.models.reconciliation import (
    Action,
    ReconciliationRun,
    RunStatus,
    SnapshotRow,
    Tolerance,
    Variance,
)
from shared.observability import logger

HOP = "reconciliation"
RUN_ACTOR = "retail-sync:reconciliation"  # who an automatic correction's audit entry names
MAX_VARIANCES_STORED = 1_000  # a run item stays far below DynamoDB's 400 KB

Key = tuple[str, str]


class ReconciliationStore(Protocol):
    def all_positions(self) -> list[InventoryPosition]: ...

    def save_run(self, run: ReconciliationRun) -> None: ...

    def correct(self, position: InventoryPosition, on_hand: int, audit: dict[str, Any], at: datetime) -> bool:
        """Set on_hand if the position is still at its version; audit entry + dirty marker, together."""
        ...

    def raise_exception(self, record: dict[str, Any], at: datetime) -> str: ...


@dataclass(frozen=True)
class Drift:
    sku: str
    location_id: str
    source: str
    ours: int
    theirs: int
    unit_cost: Decimal | None
    currency: str | None

    @property
    def units(self) -> int:
        return self.theirs - self.ours

    @property
    def value(self) -> Decimal | None:
        return None if self.unit_cost is None else self.unit_cost * self.units


def drifts(
    positions: Mapping[Key, InventoryPosition],
    snapshot: Iterable[SnapshotRow],
    source: str,
    costs: Mapping[Key, tuple[Decimal, str | None]],
) -> list[Drift]:
    """Every (SKU, location) where the snapshot's on-hand differs from ours (pure)."""
    theirs = {(row.sku, row.location_id): row.on_hand for row in snapshot}
    covered = {location_id for _, location_id in theirs}
    listed = {sku for sku, _ in theirs}
    keys = set(theirs) | {key for key in positions if key[0] in listed and key[1] in covered}
    found = []
    for key in sorted(keys):
        ours = positions[key].on_hand if key in positions else 0
        count = theirs.get(key, 0)
        if count != ours:
            cost, currency = costs.get(key, (None, None))
            found.append(Drift(key[0], key[1], source, ours, count, cost, currency))
    return found


def unit_costs(*snapshots: Iterable[SnapshotRow]) -> dict[Key, tuple[Decimal, str | None]]:
    """Cost per SKU and location; earlier snapshots win (the ERP's books first)."""
    costs: dict[Key, tuple[Decimal, str | None]] = {}
    for snapshot in reversed(snapshots):
        for row in snapshot:
            if row.unit_cost is not None:
                costs[(row.sku, row.location_id)] = (row.unit_cost, row.currency)
    return costs


@dataclass(eq=False)
class Reconciler:
    store: ReconciliationStore
    wms: SnapshotSource
    erp: SnapshotSource
    tolerance: Tolerance
    now: Callable[[], datetime] = utc_now
    _compared: int = field(default=0, init=False)

    def run(self, run: ReconciliationRun) -> ReconciliationRun:
        run = run.model_copy(update={"status": RunStatus.RUNNING, "started_at": self.now()})
        self.store.save_run(run)
        try:
            variances = self._reconcile(run.run_id)
        except Exception as exc:  # the run record says what went wrong; nothing half corrected
            logger.exception("reconciliation failed", run_id=run.run_id)
            failed = run.model_copy(
                update={"status": RunStatus.FAILED, "finished_at": self.now(), "error": f"{type(exc).__name__}: {exc}"}
            )
            self.store.save_run(failed)
            return failed
        finished = run.model_copy(
            update={
                "status": RunStatus.SUCCEEDED,
                "finished_at": self.now(),
                "positions_compared": self._compared,
                "corrected": sum(1 for v in variances if v.action is Action.CORRECTED),
                "exceptions": sum(1 for v in variances if v.action is Action.EXCEPTION),
                "variances": variances[:MAX_VARIANCES_STORED],
                "variances_truncated": len(variances) > MAX_VARIANCES_STORED,
            }
        )
        self.store.save_run(finished)
        return finished

    def _reconcile(self, run_id: str) -> list[Variance]:
        wms_rows = self.wms.snapshot()
        erp_rows = self.erp.snapshot()
        positions = {(p.sku, p.location_id): p for p in self.store.all_positions()}
        self._compared = len(positions)
        costs = unit_costs(erp_rows, wms_rows)
        variances = []
        for drift in drifts(positions, wms_rows, "wms", costs) + drifts(positions, erp_rows, "erp", costs):
            variances.append(self._decide(run_id, drift, positions.get((drift.sku, drift.location_id))))
        return variances

    def _decide(self, run_id: str, drift: Drift, position: InventoryPosition | None) -> Variance:
        fields = {
            "sku": drift.sku,
            "location_id": drift.location_id,
            "source": drift.source,
            "ours": drift.ours,
            "theirs": drift.theirs,
            "units": drift.units,
            "unit_cost": drift.unit_cost,
            "currency": drift.currency,
            "value": drift.value,
        }
        at = self.now()
        if not self.tolerance.allows(drift.units, drift.value):
            record = {
                **fields,
                "run_id": run_id,
                "kind": "inventory",
                "reason": "variance above tolerance",
                # what ops' accept_theirs holds the position to: unchanged since this run read it
                "position_version": position.version if position else 0,
            }
            exception_id = self.store.raise_exception(_plain(record), at)
            logger.warning("reconciliation variance above tolerance", **_plain(record))
            return Variance(**fields, action=Action.EXCEPTION, exception_id=exception_id)
        if drift.source != "wms":
            return Variance(**fields, action=Action.REPORTED)
        base = position or InventoryPosition(sku=drift.sku, location_id=drift.location_id, version=0)
        audit_id = f"{at.isoformat()}#{run_id}#{drift.sku}#{drift.location_id}"
        audit = {
            **_plain(fields),
            "audit_id": audit_id,
            "run_id": run_id,
            "reason": "reconciliation within tolerance",
            "actor": RUN_ACTOR,
            "before": drift.ours,
            "after": drift.theirs,
        }
        if self.store.correct(base, drift.theirs, audit, at):
            return Variance(**fields, action=Action.CORRECTED, audit_id=audit_id)
        return Variance(**fields, action=Action.SKIPPED_CHANGED)


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items() if v is not None}
