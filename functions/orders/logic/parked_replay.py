"""Replay of orders parked while the ERP was down: each parked OrderFlow input starts a new execution.

Two callers: `POST /v1/ops/parked/orders/replay` (a person, any time) and the ParkedOrdersReplay
schedule (issue 10.3: no operator needed), which first asks the ERP whether it answers again
(`replay_when_the_erp_is_back`) and replays only then, so an outage does not turn every run into
another round of retries and re-parking.

Order: the messages taken in one call are started in the order their commands were received
(`received_at`, then the event id): the parking queue is a standard queue and hands them over in
no particular order, and a cancel parked after its order's accept must not overtake it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import ValidationError

from functions.orders.adapters.order_flow import OrderFlowPort
from functions.orders.adapters.parking_queue import ParkedMessage, ParkingQueuePort
from functions.orders.logic.flow_start import execution_name
from functions.orders.models.flow import FlowInput
from shared.observability import logger

MAX_REPLAY = 100
_BATCH = 10
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def replay_parked_orders(
    queue: ParkingQueuePort,
    flow: OrderFlowPort,
    limit: int = MAX_REPLAY,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
) -> int:
    """How many parked orders were restarted (at most `limit` per call), oldest received first.

    A message leaves the queue only after its execution started. One that is not an OrderFlow
    input is left in place (and logged): it reappears after the visibility timeout for a person.
    The replay reruns the whole flow, which is safe: the reservation is not taken twice and the
    ERP upsert writes the same record.
    """
    taken: list[tuple[FlowInput, ParkedMessage]] = []
    for _ in range(limit // _BATCH + 1):
        messages = queue.receive(min(_BATCH, limit - len(taken)))
        if not messages:
            break
        for message in messages:
            try:
                taken.append((FlowInput.model_validate_json(message.body), message))
            except ValidationError as exc:
                logger.error("parked message is not an OrderFlow input; left in the queue", error=str(exc)[:500])
        if len(taken) >= limit:
            break
    taken.sort(key=lambda pair: (pair[0].received_at or _EARLIEST, pair[0].event_id))
    for flow_input, message in taken:
        flow.start(execution_name(flow_input, suffix=f"replay-{suffix()}"), flow_input.execution_input())
        queue.delete(message)
    return len(taken)


def replay_when_the_erp_is_back(
    queue: ParkingQueuePort, flow: OrderFlowPort, erp_answers: Callable[[], bool], limit: int = MAX_REPLAY
) -> dict[str, object]:
    """Replay the parked orders only if the ERP answers again (`erp_answers`: one cheap read)."""
    if not erp_answers():
        return {"erp": "down", "replayed": 0}
    return {"erp": "up", "replayed": replay_parked_orders(queue, flow, limit)}
