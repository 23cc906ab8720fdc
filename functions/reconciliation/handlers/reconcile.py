"""Inventory reconciliation: hourly on its schedule, or on demand (the ops POST invokes it async)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.reconciliation.adapters.snapshots import ErpSnapshotSource, HttpSnapshotSource
from functions.reconciliation.logic.reconcile import Reconciler
from functions.reconciliation.settings import ReconciliationSettings
from shared.adapters.erp_gateway import erp_connector
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.models import utc_now
from shared.models.reconciliation import ReconciliationRun, RunRequest, RunStatus, Tolerance
from shared.observability import entry_point, logger, metrics
from shared.run_ids import new_run_id
from shared.settings import cached


@lru_cache(maxsize=1)
def default_reconciler() -> Reconciler:
    s = cached(ReconciliationSettings)
    return Reconciler(
        DynamoReconciliationStore(s.state_table_name),
        wms=HttpSnapshotSource("wms", s.wms_base_url, timeout=s.snapshot_timeout_seconds),
        # The ERP authenticates like its record API (OAuth 2.0 M2M token); the WMS snapshot is open.
        erp=erp_connector(ErpSnapshotSource, s.erp_base_url, s.snapshot_timeout_seconds, lane="bulk"),
        tolerance=Tolerance(units=s.reconciliation_tolerance_units, value=s.reconciliation_tolerance_value),
    )


def run_for(event: dict[str, Any]) -> ReconciliationRun:
    """An on-demand request names its run; a scheduled event (source aws.events) gets a new one."""
    now = utc_now()
    if event.get("source") == "aws.events" or "run_id" not in event:
        return ReconciliationRun(
            run_id=new_run_id(now), kind="inventory", status=RunStatus.QUEUED, trigger="schedule", requested_at=now
        )
    request = RunRequest.model_validate(event)
    return ReconciliationRun(
        run_id=request.run_id,
        kind=request.kind,
        status=RunStatus.QUEUED,
        trigger=request.trigger,
        requested_at=request.requested_at or now,
    )


@entry_point
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, reconciler: Reconciler | None = None
) -> dict[str, Any]:
    run = (reconciler or default_reconciler()).run(run_for(event))
    metrics.add_metric(name="ReconciliationCorrections", unit=MetricUnit.Count, value=run.corrected)
    metrics.add_metric(name="ReconciliationExceptions", unit=MetricUnit.Count, value=run.exceptions)
    logger.info("reconciliation finished", run_id=run.run_id, status=run.status.value, corrected=run.corrected)
    return {"run_id": run.run_id, "status": run.status.value, "corrected": run.corrected, "exceptions": run.exceptions}
