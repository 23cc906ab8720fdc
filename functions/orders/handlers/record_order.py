"""OrderFlow tasks RecordAccepted / RecordOnHold / RecordErpFailed.

Input: the flow state plus `"status": "ACCEPTED" | "ON_HOLD" | "ERP_FAILED"` (and `reservation`,
`erp`, `error` when the flow has them).
Output: `{"event_type": "OrderAccepted" | "OrderOnHold" | "OrderErpFailed" | "OrderCancelled",
"detail": {Order JSON, "schema_version", "correlation_id", ...}}`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.handlers._deps import StoreDeps, store_deps
from functions.orders.logic.record_order import record_order
from functions.orders.models.flow import RecordOrderInput
from functions.orders.settings import RecordOrderSettings
from shared.observability import logger, metrics
from shared.settings import cached

Deps = StoreDeps


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    return store_deps(cached(RecordOrderSettings))


@logger.inject_lambda_context(correlation_id_path="correlation_id")
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    deps = deps or default_deps()
    result = record_order(RecordOrderInput.model_validate(event), deps.store, deps.trace)
    return result.model_dump(mode="json")
