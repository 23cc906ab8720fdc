"""OrderFlow task RecordFlowFailure: the Catch of every OrderFlow step (functions/orders/logic/flow_failure.py).

Input: `{"input": <the execution input>, "state": <the failed step>, "error": {"Error", "Cause"},
"execution_name", "started_at"}`. Output: `{"exception_id", "raised", "category"}`; a sales order
the ERP refused for good first has its reservation discarded (the compensation,
functions/orders/logic/flow_failure.py). The flow then ends FAILED (the OrderFlowFailed alarm), the
order visible in `GET /v1/ops/exceptions?kind=order`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.logic.flow_failure import ExceptionWriter, record_flow_failure
from functions.orders.settings import RecordOrderSettings
from shared.adapters.trace_store import DynamoTraceStore, TraceSink
from shared.observability import entry_point, logger, metrics
from shared.settings import cached


@lru_cache(maxsize=1)
def default_deps() -> tuple[ExceptionWriter, TraceSink]:
    from shared.adapters.exception_store import DynamoExceptionStore

    settings = cached(RecordOrderSettings)
    return DynamoExceptionStore(settings.state_table_name), DynamoTraceStore(settings.trace_table_name)


@lru_cache(maxsize=1)
def _give_back() -> Callable[[str], dict[str, int]]:
    """The compensation: the order's reservation discarded, its units given back."""
    from functions.orders.logic.cancel_order import discard_reservation
    from shared.adapters.state_store import DynamoStateStore
    from shared.retry import RetryPolicy

    store = DynamoStateStore(cached(RecordOrderSettings).state_table_name)
    return partial(discard_reservation, store, retry=RetryPolicy())


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    deps: tuple[ExceptionWriter, TraceSink] | None = None,
    give_back: Callable[[str], dict[str, int]] | None = None,
) -> dict[str, Any]:
    exceptions, trace = deps or default_deps()
    result = record_flow_failure(event, exceptions, trace, give_back if deps is not None else _give_back())
    logger.error("OrderFlow step failed", extra={"state": event.get("state"), **result})
    metrics.add_metric(name="OrderFlowExceptions", unit=MetricUnit.Count, value=1)
    return result
