"""Scheduled ParkedOrdersReplay: once the ERP answers again, the orders parked during its outage are
posted one at a time in the order accepted, with no operator (shared/parked_replay.py
`InOrderReplay`).

Output: `{"erp": "not asked" | "down" | "up" | "down again" | "no outcome", "replayed": n}`, plus
`"left": k` when the run stopped before the end (the rest go to the next run, in order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.settings import ParkedReplaySettings
from shared.adapters.order_flow import OrderFlowPort, StepFunctionsOrderFlow
from shared.adapters.parking_queue import ParkingQueuePort, SqsParkingQueue
from shared.observability import entry_point, logger, metrics
from shared.parked_replay import BacklogPort, InOrderReplay, ParkedOrderReader
from shared.settings import cached


@dataclass(frozen=True)
class ReplayDeps:
    queue: ParkingQueuePort
    flow: OrderFlowPort
    orders: ParkedOrderReader
    backlog: BacklogPort
    erp_answers: Callable[[], bool]


@lru_cache(maxsize=1)
def default_deps() -> ReplayDeps:
    from functions.orders.adapters.erp import HttpErp
    from shared.adapters.erp_gateway import ErpBacklog, erp_connector
    from shared.adapters.state_store import DynamoStateStore

    settings = cached(ParkedReplaySettings)
    erp = erp_connector(HttpErp, settings.erp_base_url, settings.erp_timeout_seconds, lane="priority")
    return ReplayDeps(
        queue=SqsParkingQueue(settings.orders_parking_queue_url),
        flow=StepFunctionsOrderFlow(settings.order_flow_arn),
        orders=DynamoStateStore(settings.state_table_name),
        backlog=ErpBacklog(settings.state_table_name),
        erp_answers=erp.answers,
    )


@entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: ReplayDeps | None = None) -> dict[str, Any]:
    d = deps or default_deps()
    replay = InOrderReplay(
        d.queue,
        d.flow,
        d.orders,
        d.backlog,
        d.erp_answers,
        remaining_seconds=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    result = replay.run()
    metrics.add_metric(name="ParkedOrdersReplayed", unit=MetricUnit.Count, value=int(str(result["replayed"])))
    logger.info("parked orders replay", extra=result)
    return result
