"""Replay of orders parked while the ERP was down: each parked OrderFlow input starts a new execution."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pydantic import ValidationError

from functions.orders.adapters.order_flow import OrderFlowPort
from functions.orders.adapters.parking_queue import ParkingQueuePort
from functions.orders.logic.flow_start import execution_name
from functions.orders.models.flow import FlowInput
from shared.observability import logger

MAX_REPLAY = 100
_BATCH = 10


def replay_parked_orders(
    queue: ParkingQueuePort,
    flow: OrderFlowPort,
    limit: int = MAX_REPLAY,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
) -> int:
    """How many parked orders were restarted (at most `limit` per call).

    A message leaves the queue only after its execution started. One that is not an OrderFlow
    input is left in place (and logged): it reappears after the visibility timeout for a person.
    The replay reruns the whole flow, which is safe: the reservation is not taken twice and the
    ERP upsert writes the same record.
    """
    replayed = 0
    for _ in range(limit // _BATCH + 1):
        messages = queue.receive(min(_BATCH, limit - replayed))
        if not messages:
            break
        for message in messages:
            try:
                flow_input = FlowInput.model_validate_json(message.body)
            except ValidationError as exc:
                logger.error(
                    "parked message is not an OrderFlow input; left in the queue", error=str(exc)[:500]
                )
                continue
            flow.start(execution_name(flow_input, suffix=f"replay-{suffix()}"), flow_input.execution_input())
            queue.delete(message)
            replayed += 1
        if replayed >= limit:
            break
    return replayed
