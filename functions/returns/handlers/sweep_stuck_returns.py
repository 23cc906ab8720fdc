"""StuckReturnsSchedule (hourly) -> the returns stuck in a state longer than policy allows become
exceptions (functions/returns/logic/stuck_returns.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.dal.return_store import DynamoReturnStore
from functions.returns.logic.stuck_returns import allowances, sweep_stuck_returns
from functions.returns.settings import StuckReturnsSettings
from shared.adapters.exception_store import DynamoExceptionStore
from shared.observability import entry_point, logger, metrics
from shared.settings import cached


@entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = cached(StuckReturnsSettings)
    run = sweep_stuck_returns(
        DynamoReturnStore(settings.state_table_name),
        DynamoExceptionStore(settings.state_table_name),
        datetime.now(UTC),
        allowances(settings.inspection_timeout_seconds),
    )
    metrics.add_metric(name="StuckReturnsRaised", unit="Count", value=len(run.raised))
    logger.info("stuck returns swept", extra=run.as_dict())
    return run.as_dict()
