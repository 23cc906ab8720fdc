"""Scheduled ParkedOrdersReplay: once the ERP answers again, the orders parked during its outage are
replayed, oldest received first, with no operator (functions/orders/logic/parked_replay.py).

Output: `{"erp": "up" | "down", "replayed": n}`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.adapters.order_flow import OrderFlowPort, StepFunctionsOrderFlow
from functions.orders.adapters.parking_queue import ParkingQueuePort, SqsParkingQueue
from functions.orders.logic.parked_replay import replay_when_the_erp_is_back
from functions.orders.settings import ParkedReplaySettings
from shared.observability import logger, metrics
from shared.settings import cached


@lru_cache(maxsize=1)
def default_deps() -> tuple[ParkingQueuePort, OrderFlowPort, Any]:
    from functions.orders.adapters.erp import HttpErp
    from shared.adapters.erp_gateway import erp_connector

    settings = cached(ParkedReplaySettings)
    erp = erp_connector(HttpErp, settings.erp_base_url, settings.erp_timeout_seconds, lane="priority")
    return (
        SqsParkingQueue(settings.orders_parking_queue_url),
        StepFunctionsOrderFlow(settings.order_flow_arn),
        erp.answers,
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, deps: tuple[ParkingQueuePort, OrderFlowPort, Any] | None = None
) -> dict[str, Any]:
    queue, flow, erp_answers = deps or default_deps()
    result = replay_when_the_erp_is_back(queue, flow, erp_answers)
    metrics.add_metric(name="ParkedOrdersReplayed", unit=MetricUnit.Count, value=int(str(result["replayed"])))
    logger.info("parked orders replay", extra=result)
    return result
