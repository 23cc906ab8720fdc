"""Replay of orders parked while the ERP was down: each parked OrderFlow input starts a new execution.

Two callers: `POST /v1/ops/parked/orders/replay` (a person, any time: `replay_parked_orders` starts
what it takes at once) and the ParkedOrdersReplay schedule (issue 10.3: no operator needed,
`InOrderReplay`), which first asks the ERP whether it answers again and then posts every parked order
one at a time in the order accepted, while the ERP backlog keeps new orders behind them.

Order: the messages taken in one call are started in the order their commands were received
(`received_at`, then the event id): the parking queue is a standard queue and hands them over in
no particular order, and a cancel parked after its order's accept must not overtake it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pydantic import ValidationError

from shared.adapters.order_flow import OrderFlowPort
from shared.adapters.parking_queue import ParkedMessage, ParkingQueuePort
from shared.flow_start import execution_name
from shared.models import OrderStatus
from shared.models.order_flow import FlowInput
from shared.models.state import OrderRecord
from shared.observability import logger

MAX_REPLAY = 100
_BATCH = 10
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def replay_parked_orders(
    queue: ParkingQueuePort,
    flow: OrderFlowPort,
    limit: int = MAX_REPLAY,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
    backlog: BacklogPort | None = None,
) -> int:
    """How many parked orders were restarted (at most `limit` per call), oldest received first.

    A message leaves the queue only after its execution started. One that is not an OrderFlow
    input is left in place (and logged): it reappears after the visibility timeout for a person.
    The replay reruns the whole flow, which is safe: the reservation is not taken twice and the
    ERP upsert writes the same record.
    """
    seen = backlog.last_parked_at() if backlog is not None else None
    taken = take_parked(queue, limit)
    for flow_input, message in taken:
        head = flow_input.model_copy(update={"replay": True})  # ahead of the ERP backlog, like the schedule's
        flow.start(execution_name(flow_input, suffix=f"replay-{suffix()}"), head.execution_input())
        queue.delete(message)
    if backlog is not None and seen is not None and len(taken) < limit:
        backlog.close(seen)  # drained (unless an order joined since: then it stays open)
    return len(taken)


def take_parked(
    queue: ParkingQueuePort, limit: int, hold_seconds: int | None = None
) -> list[tuple[FlowInput, ParkedMessage]]:
    """Up to `limit` parked inputs, sorted by when their commands were received (then event id). One
    that is not an OrderFlow input is left in place (logged): it reappears for a person."""
    taken: list[tuple[FlowInput, ParkedMessage]] = []
    while len(taken) < limit:
        messages = queue.receive(min(_BATCH, limit - len(taken)), hold_seconds=hold_seconds)
        if not messages:
            break
        for message in messages:
            try:
                taken.append((FlowInput.model_validate_json(message.body), message))
            except ValidationError as exc:
                logger.error("parked message is not an OrderFlow input; left in the queue", error=str(exc)[:500])
    taken.sort(key=lambda pair: (pair[0].received_at or _EARLIEST, pair[0].event_id))
    return taken


class ParkedOrderReader(Protocol):
    def get_order(self, channel: str, channel_order_id: str) -> OrderRecord | None: ...


class BacklogPort(Protocol):
    def last_parked_at(self) -> str | None: ...

    def close(self, seen: str) -> bool: ...


# One scheduled run sorts at most this many parked inputs (SQS hands them over in no order, so a run
# takes all it can before replaying any); more wait for the next run, still behind the backlog.
MAX_IN_ORDER = 1000
HOLD_SECONDS = 960  # longer than the replay function's 900 s timeout: no one else sees them meanwhile
ORDER_WAIT_SECONDS = 60.0  # one replayed order's flow, at most (OrderFlow's ERP step has 30 s)
POLL_SECONDS = 0.1
SAFETY_SECONDS = 10.0


@dataclass
class InOrderReplay:
    """The ParkedOrdersReplay schedule (issue 10.3): every parked order goes to the ERP once it answers
    again, one at a time, in the order the orders were accepted, with no operator.

    - Nothing parked and the backlog closed: nothing is asked of the ERP.
    - The ERP is probed with one read; while it is down nothing is replayed (and what was taken is
      given back to the queue at once).
    - Everything parked is taken (up to `MAX_IN_ORDER`) and sorted by when it was received. Each
      accept is started as the line's head (`replay`, so it goes to the ERP though the backlog is
      open) and waited for: its order item changes when RecordOrder writes the outcome. The next one
      starts only then, so the ERP receives them in the order accepted. A cancel, or an order
      cancelled meanwhile, is started without waiting (nothing after it depends on it).
    - An order that parks again (the ERP went down again) stops the run: the rest go back to the
      queue for the next run, the backlog stays open.
    - When the queue is empty the backlog is closed, unless an order joined it since this run looked
      (then what it parked is replayed too). New orders then go straight to the ERP again.
    - The run stops in time (`remaining_seconds`): what is left goes back to the queue, in order next run.
    """

    queue: ParkingQueuePort
    flow: OrderFlowPort
    orders: ParkedOrderReader
    backlog: BacklogPort
    erp_answers: Callable[[], bool]
    remaining_seconds: Callable[[], float]
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    suffix: Callable[[], str] = field(default=lambda: uuid.uuid4().hex[:8])
    order_wait_seconds: float = ORDER_WAIT_SECONDS

    def run(self) -> dict[str, object]:
        seen = self.backlog.last_parked_at()
        taken = self._take_all()
        if not taken and seen is None:
            return {"erp": "not asked", "replayed": 0}
        if not self.erp_answers():
            self._release(taken)
            return {"erp": "down", "replayed": 0}
        replayed = 0
        while True:
            for index, (flow_input, message) in enumerate(taken):
                if self.remaining_seconds() < self.order_wait_seconds + SAFETY_SECONDS:
                    self._release(taken[index:])
                    return {"erp": "up", "replayed": replayed, "left": len(taken) - index}
                outcome = self._replay_one(flow_input)
                if outcome == "no outcome":  # kept: replayed again next run (the ERP upsert is idempotent)
                    self._release(taken[index:])
                    return {"erp": "no outcome", "replayed": replayed, "left": len(taken) - index}
                self.queue.delete(message)  # replayed; one that parked again left a new message behind
                replayed += 1
                if outcome == "parked again":
                    self._release(taken[index + 1 :])
                    return {"erp": "down again", "replayed": replayed, "left": len(taken) - index - 1}
            # Closed unless orders joined meanwhile (then `seen` moves on and they are replayed too).
            closed = seen is None or self.backlog.close(seen)
            seen = None if closed else self.backlog.last_parked_at()
            taken = self._take_all()
            if not taken and seen is None:
                return {"erp": "up", "replayed": replayed}
            if not taken:
                self.sleep(POLL_SECONDS)  # an order that joined is still on its way to the queue

    def _replay_one(self, flow_input: FlowInput) -> str:
        """Start it as the line's head; for an accept, wait for its outcome (`accepted`, `parked
        again`, `no outcome`); a cancel (or an order already cancelled) is `started`."""
        name = execution_name(flow_input, suffix=f"replay-{self.suffix()}")
        head = flow_input.model_copy(update={"replay": True})
        order = flow_input.order
        before = self.orders.get_order(order.channel, order.channel_order_id) if order is not None else None
        self.flow.start(name, head.execution_input())
        if order is None or (before is not None and before.status is OrderStatus.CANCELLED):
            return "started"
        deadline = self.clock() + self.order_wait_seconds
        while self.clock() < deadline:
            now = self.orders.get_order(order.channel, order.channel_order_id)
            if now is not None and (before is None or now.updated_at != before.updated_at):
                return "parked again" if now.status is OrderStatus.ERP_FAILED else "accepted"
            self.sleep(POLL_SECONDS)
        return "no outcome"

    def _take_all(self) -> list[tuple[FlowInput, ParkedMessage]]:
        return take_parked(self.queue, MAX_IN_ORDER, hold_seconds=HOLD_SECONDS)

    def _release(self, taken: list[tuple[FlowInput, ParkedMessage]]) -> None:
        for _, message in taken:
            self.queue.release(message)
