"""OrderFlow tasks RecordAccepted / RecordOnHold / RecordErpFailed.

Input: the flow state plus `"status": "ACCEPTED" | "ON_HOLD" | "ERP_FAILED"` (and `reservation`,
`erp`, `error` when the flow has them; `received_at`, when the command was received).
An order going ON_HOLD is kept in `HELD_ORDERS` for HeldOrdersRetry (shared/adapters/held_orders.py).
Emits `OrderIngestionLatency` (ms, received to accepted) when the order is accepted.
Output: `{"event_type": "OrderAccepted" | "OrderOnHold" | "OrderErpFailed" | "OrderCancelled",
"detail": {Order JSON, "schema_version", "correlation_id", ...}}`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.handlers._deps import StoreDeps, store_deps
from functions.orders.logic.record_order import record_order
from functions.orders.settings import RecordOrderSettings
from shared.adapters.held_orders import DynamoHeldOrders, HeldOrdersPort
from shared.models import utc_now
from shared.models.order_flow import RecordOrderInput
from shared.observability import entry_point, metrics
from shared.settings import cached

Deps = StoreDeps


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    return store_deps(cached(RecordOrderSettings))


@lru_cache(maxsize=1)
def default_held() -> HeldOrdersPort:
    return DynamoHeldOrders(cached(RecordOrderSettings).state_table_name)


class BacklogOpener(Protocol):
    def open(self, at: str) -> None: ...


@lru_cache(maxsize=1)
def default_backlog() -> BacklogOpener:
    from shared.adapters.erp_gateway import ErpBacklog

    return ErpBacklog(cached(RecordOrderSettings).state_table_name)


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    deps: Deps | None = None,
    held: HeldOrdersPort | None = None,
    backlog: BacklogOpener | None = None,
) -> dict[str, Any]:
    if deps is None:
        deps, held, backlog = default_deps(), default_held(), default_backlog()
    task = RecordOrderInput.model_validate(event)
    result = record_order(task, deps.store, deps.trace, held=held)
    if result.event_type == "OrderErpFailed" and backlog is not None:
        # The order is about to be parked: it opens (or joins) the ERP backlog, so orders after it
        # wait behind it and the replay posts them all in the order accepted.
        backlog.open(utc_now().isoformat())
    if result.event_type == "OrderAccepted" and task.received_at is not None:
        # The design's order ingestion latency KPI: webhook received to order accepted.
        latency_ms = max((utc_now() - task.received_at).total_seconds() * 1000, 0.0)
        metrics.add_metric(name="OrderIngestionLatency", unit=MetricUnit.Milliseconds, value=latency_ms)
    return result.model_dump(mode="json")
