"""Scheduled HeldOrdersRetry: orders ON_HOLD for stock start OrderFlow again, oldest first, once
every line is available at their location (shared/held_retry.py).

Output: `{"restarted": [order ids], "still_short": n, "let_go": [order ids no longer ON_HOLD],
"unreadable": [order ids whose kept input no longer reads, left for a person]}`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.settings import HeldRetrySettings
from shared.adapters.held_orders import DynamoHeldOrders, HeldOrdersPort
from shared.adapters.order_flow import OrderFlowPort, StepFunctionsOrderFlow
from shared.adapters.state_store import DynamoStateStore, StateStore
from shared.held_retry import retry_held_orders
from shared.observability import logger, metrics
from shared.settings import cached


@lru_cache(maxsize=1)
def default_deps() -> tuple[HeldOrdersPort, StateStore, OrderFlowPort, str]:
    settings = cached(HeldRetrySettings)
    return (
        DynamoHeldOrders(settings.state_table_name),
        DynamoStateStore(settings.state_table_name),
        StepFunctionsOrderFlow(settings.order_flow_arn),
        settings.default_fulfilment_location_id,
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    deps: tuple[HeldOrdersPort, StateStore, OrderFlowPort, str] | None = None,
) -> dict[str, Any]:
    held, store, flow, location = deps or default_deps()
    run = retry_held_orders(held, store, flow, location)
    metrics.add_metric(name="HeldOrdersRestarted", unit=MetricUnit.Count, value=len(run.restarted))
    logger.info("held orders looked at again", extra=run.as_dict())
    return run.as_dict()
