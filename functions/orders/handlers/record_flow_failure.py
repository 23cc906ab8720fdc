"""OrderFlow task RecordFlowFailure: the Catch of every OrderFlow step (functions/orders/logic/flow_failure.py).

Input: `{"input": <the execution input>, "state": <the failed step>, "error": {"Error", "Cause"},
"execution_name", "started_at"}`. Output: `{"exception_id", "raised", "category"}`; the flow then
ends FAILED (the OrderFlowFailed alarm), the order visible in `GET /v1/ops/exceptions?kind=order`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.logic.flow_failure import ExceptionWriter, record_flow_failure
from functions.orders.settings import RecordOrderSettings
from shared.adapters.trace_store import DynamoTraceStore, TraceSink
from shared.observability import logger, metrics
from shared.settings import cached


@lru_cache(maxsize=1)
def default_deps() -> tuple[ExceptionWriter, TraceSink]:
    from shared.adapters.exception_store import DynamoExceptionStore

    settings = cached(RecordOrderSettings)
    return DynamoExceptionStore(settings.state_table_name), DynamoTraceStore(settings.trace_table_name)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, deps: tuple[ExceptionWriter, TraceSink] | None = None
) -> dict[str, Any]:
    exceptions, trace = deps or default_deps()
    result = record_flow_failure(event, exceptions, trace)
    logger.error("OrderFlow step failed", extra={"state": event.get("state"), **result})
    metrics.add_metric(name="OrderFlowExceptions", unit=MetricUnit.Count, value=1)
    return result
