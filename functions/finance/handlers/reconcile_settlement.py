"""Settlement reconciliation: daily on its schedule, or on demand (the ops POST invokes it async)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.finance.handlers._deps import default_settler, default_store
from functions.finance.settings import FinanceSettings
from shared.observability import entry_point, logger, metrics
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.finance.logic.run import RunStore
    from functions.finance.logic.settle import Settler
    from functions.finance.models.runs import SettlementRun

# The run's logic and models load with the first invocation, not at import (issue 7's import budget).


def run_for(event: dict[str, Any]) -> SettlementRun:
    """An on-demand request names its run (already QUEUED by ops); a scheduled event gets a new one."""
    from functions.finance.models.runs import RunRequest, SettlementRun
    from shared.models.common import utc_now
    from shared.run_ids import new_run_id

    now = utc_now()
    if event.get("source") == "aws.events" or "run_id" not in event:
        return SettlementRun(run_id=new_run_id(now), status="QUEUED", trigger="schedule", requested_at=now)
    request = RunRequest.model_validate(event)
    return SettlementRun(
        run_id=request.run_id, status="QUEUED", trigger=request.trigger, requested_at=request.requested_at or now
    )


@entry_point
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, settler: Settler | None = None, store: RunStore | None = None
) -> dict[str, Any]:
    from aws_lambda_powertools.metrics import MetricUnit

    from functions.finance.logic.run import run_settlement

    settings = cached(FinanceSettings)
    settle = settler or default_settler()
    channels = [c.strip() for c in settings.settlement_channels.split(",") if c.strip()]
    runs = store or default_store()
    run = run_settlement(run_for(event), runs, settle, channels, settings.settlement_run_payouts)
    metrics.add_metric(
        name="SettlementVariances", unit=MetricUnit.Count, value=sum(len(p.variances) for p in run.payouts)
    )
    logger.info("settlement run finished", run_id=run.run_id, payouts=len(run.payouts), exceptions=run.exceptions)
    return {"run_id": run.run_id, "status": run.status, "payouts": len(run.payouts), "exceptions": run.exceptions}
