"""Reconciliation runs, their variances and what was done about each (ops shows them as is)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from shared.models.base import Model
from shared.models.settlement import PayoutReconciliation

# settlement runs are written by finance (functions/finance/logic/run.py) in the same item layout.
KINDS = ("inventory", "settlement")


class RunStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class Action(StrEnum):
    CORRECTED = "corrected"  # our position was set to the WMS's count, with an audit entry
    EXCEPTION = "exception"  # above tolerance: nothing changed, an exception was raised
    REPORTED = "reported"  # within tolerance but not ours to correct (the ERP's books)
    SKIPPED_CHANGED = "skipped_changed"  # the position moved since it was read: next run decides


class SnapshotRow(Model):
    model_config = ConfigDict(extra="ignore")

    sku: str
    location_id: str
    on_hand: Annotated[int, Field(ge=0)]
    unit_cost: Decimal | None = None
    currency: str | None = None


class Variance(Model):
    sku: str
    location_id: str
    source: str  # "wms" | "erp": whose snapshot differs from our position
    ours: int
    theirs: int
    units: int  # theirs - ours
    unit_cost: Decimal | None = None
    currency: str | None = None
    value: Decimal | None = None  # units x unit cost
    action: Action
    audit_id: str | None = None
    exception_id: str | None = None


class Tolerance(Model):
    units: Annotated[int, Field(ge=0)] = 5
    value: Annotated[Decimal, Field(ge=0)] = Decimal("100")

    def allows(self, units: int, value: Decimal | None) -> bool:
        return abs(units) <= self.units and (value is None or abs(value) <= self.value)


class ReconciliationRun(Model):
    run_id: str
    kind: str
    status: RunStatus
    trigger: str  # "schedule" | "on_demand"
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    positions_compared: int = 0
    corrected: int = 0
    exceptions: int = 0
    variances: list[Variance] = Field(default_factory=list)
    variances_truncated: bool = False
    error: str | None = None
    # A settlement run: per payout, expected against reported, fees by type, and its variances (the
    # run's own `variances` are inventory's).
    payouts: list[PayoutReconciliation] = Field(default_factory=list)


class RunRequest(Model):
    """What the on-demand POST hands the reconciliation function (asynchronous invoke)."""

    run_id: str
    kind: str
    trigger: str = "on_demand"
    requested_at: datetime | None = None
