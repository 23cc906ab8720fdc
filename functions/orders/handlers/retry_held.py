"""Scheduled HeldOrdersRetry: orders ON_HOLD for stock start OrderFlow again, oldest first, once
the sourcing rules find every line available (shared/held_retry.py); orders IN_REVIEW for their
payment go on once the channel's newest applied update says it cleared (Shopify `orders/updated`
with `financial_status` paid or authorized).

Output: `{"restarted": [order ids], "still_short": n, "let_go": [order ids no longer waiting],
"unreadable": [order ids whose kept input no longer reads, left for a person], "in_review": n}`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.settings import HeldRetrySettings
from shared.adapters.held_orders import DynamoHeldOrders, HeldOrdersPort
from shared.adapters.order_flow import OrderFlowPort, StepFunctionsOrderFlow
from shared.adapters.state_store import DynamoStateStore, StateStore
from shared.held_retry import retry_held_orders
from shared.models import Order
from shared.observability import entry_point, logger, metrics
from shared.review import payment_cleared
from shared.settings import cached
from shared.sourcing import load_rules


@lru_cache(maxsize=1)
def default_deps() -> tuple[HeldOrdersPort, StateStore, OrderFlowPort, str]:
    settings = cached(HeldRetrySettings)
    return (
        DynamoHeldOrders(settings.state_table_name),
        DynamoStateStore(settings.state_table_name),
        StepFunctionsOrderFlow(settings.order_flow_arn),
        settings.default_fulfilment_location_id,
    )


@lru_cache(maxsize=1)
def _payment_check() -> Callable[[Order], bool]:
    """Whether the newest update the channel sent for the order (recorded APPLIED) says it is paid."""
    from functions.orders.dal.order_changes import DynamoChangeStore

    changes = DynamoChangeStore(cached(HeldRetrySettings).state_table_name)

    def cleared(order: Order) -> bool:
        updates = changes.applied_updates(order.channel, order.channel_order_id)
        newest = max(updates, key=lambda update: update.updated_at, default=None)
        return newest is not None and payment_cleared(newest.financial_status)

    return cleared


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    deps: tuple[HeldOrdersPort, StateStore, OrderFlowPort, str] | None = None,
) -> dict[str, Any]:
    held, store, flow, location = deps or default_deps()
    cleared = _payment_check() if deps is None else (lambda _: False)
    run = retry_held_orders(held, store, flow, location, payment_cleared=cleared, rules=load_rules())
    metrics.add_metric(name="HeldOrdersRestarted", unit=MetricUnit.Count, value=len(run.restarted))
    logger.info("held orders looked at again", extra=run.as_dict())
    return run.as_dict()
