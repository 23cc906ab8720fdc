"""OrderFlow task CancelOrder.

Input: `{"action": "cancel", "correlation_id", "event_id", "cancellation": {...}}`.
Output: `{"event_type": "OrderCancelled", "detail": {OrderCancellation JSON, "order_id", "status",
"schema_version", "correlation_id", "released": [...]}}`. Raises ErpThrottled / ErpUnavailable /
ErpRejected when the ERP cannot close its sales order (after the stock is released).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.handlers._deps import ErpDeps, erp_deps
from functions.orders.logic.cancel_order import cancel_order
from functions.orders.settings import CancelOrderSettings
from shared.models.order_flow import FlowInput
from shared.observability import logger, metrics
from shared.settings import cached

Deps = ErpDeps


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    return erp_deps(cached(CancelOrderSettings))


@logger.inject_lambda_context(correlation_id_path="correlation_id")
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    deps = deps or default_deps()
    result = cancel_order(FlowInput.model_validate(event), deps.store, deps.erp, deps.trace)
    return result.model_dump(mode="json")
