"""OrderFlow task CreateErpSalesOrder.

Input: the flow state with `reservation` (ReserveStock's output).
Output: `{"erp_sales_order_id": "<ERP internal id>"}` (null only if the order was cancelled first).
Raises ErpThrottled / ErpUnavailable (retried by the state machine) and ErpRejected (caught).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.adapters.erp import ErpPort, HttpErp
from functions.orders.dal.state_store import DynamoStateStore, StateStore
from functions.orders.logic.create_erp_sales_order import CreateErpInput, create_erp_sales_order
from functions.orders.settings import CreateErpSalesOrderSettings
from shared.adapters.trace_store import DynamoTraceStore, TraceSink
from shared.observability import logger, metrics, tracer
from shared.settings import cached


@dataclass(frozen=True)
class Deps:
    store: StateStore
    erp: ErpPort
    trace: TraceSink


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    settings = cached(CreateErpSalesOrderSettings)
    return Deps(
        store=DynamoStateStore(settings.state_table_name),
        erp=HttpErp(settings.erp_base_url, timeout=settings.erp_timeout_seconds),
        trace=DynamoTraceStore(settings.trace_table_name),
    )


@logger.inject_lambda_context(correlation_id_path="correlation_id")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    deps = deps or default_deps()
    result = create_erp_sales_order(CreateErpInput.model_validate(event), deps.store, deps.erp, deps.trace)
    return result.model_dump(mode="json")
