"""A settlement reconciliation run, stored where the ops routes list every kind's runs.

Its document has the fields of every reconciliation run (`run_id`, `kind`, `status`, `trigger`,
`requested_at`, `started_at`, `finished_at`, `exceptions`) and, per payout, what reconciling it found
(`payouts`, each with its variances).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.models.base import Model
from shared.models.settlement import PayoutReconciliation


class SettlementRun(Model):
    run_id: str
    kind: str = "settlement"
    status: str  # QUEUED, RUNNING, SUCCEEDED, FAILED (as every run)
    trigger: str  # "schedule" | "on_demand"
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exceptions: int = 0
    payouts: list[PayoutReconciliation] = Field(default_factory=list)
    error: str | None = None


class RunRequest(Model):
    """What the ops POST hands the function (asynchronous invoke); a schedule sends its own event."""

    run_id: str
    kind: str = "settlement"
    trigger: str = "on_demand"
    requested_at: datetime | None = None
