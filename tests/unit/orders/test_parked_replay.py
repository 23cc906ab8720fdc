"""Parked orders go back through OrderFlow oldest received first, and the schedule replays them only
once the ERP answers again."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.orders.handlers import replay_parked
from shared.adapters.parking_queue import ParkedMessage
from shared.models import OrderStatus
from shared.models.order_flow import FlowInput
from shared.models.state import OrderRecord
from shared.parked_replay import InOrderReplay, replay_parked_orders
from tests.fakes.builders import LambdaContext, order


class Queue:
    def __init__(self, bodies: list[str]) -> None:
        self.waiting = [ParkedMessage(receipt_handle=f"r{i}", body=b) for i, b in enumerate(bodies)]
        self.deleted: list[str] = []
        self.released: list[str] = []

    def receive(self, max_messages: int, hold_seconds: int | None = None) -> list[ParkedMessage]:
        taken, self.waiting = self.waiting[:max_messages], self.waiting[max_messages:]
        return taken

    def delete(self, message: ParkedMessage) -> None:
        self.deleted.append(message.receipt_handle)

    def release(self, message: ParkedMessage) -> None:
        """Given back (ChangeMessageVisibility 0): it can be received again."""
        self.released.append(message.receipt_handle)
        self.waiting.append(message)

    def park(self, body: str) -> None:
        self.waiting.append(ParkedMessage(receipt_handle=f"r{len(self.waiting) + len(self.deleted) + 10}", body=body))


class Flow:
    def __init__(self) -> None:
        self.started: list[tuple[str, dict[str, Any]]] = []

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        self.started.append((name, execution_input))
        return True


def _parked(event_id: str, received_at: str, action: str = "accept") -> str:
    body: dict[str, Any] = {"action": action, "correlation_id": f"corr-{event_id}", "event_id": event_id}
    if action == "accept":
        body["order"] = order(event_id[-1]).to_item()
    else:
        body["cancellation"] = {"channel": "shopify", "channel_order_id": "1001", "cancelled_at": received_at}
    return json.dumps({**body, "received_at": received_at})


def test_parked_orders_are_replayed_oldest_received_first_whatever_order_the_queue_hands_them_over() -> None:
    # the standard queue hands the cancel over before the accept it follows
    queue = Queue(
        [
            _parked("evt-3", "2026-12-04T10:00:03Z", action="cancel"),
            "not an OrderFlow input",
            _parked("evt-1", "2026-12-04T10:00:01Z"),
            _parked("evt-2", "2026-12-04T10:00:02Z"),
        ]
    )
    flow = Flow()

    replayed = replay_parked_orders(queue, flow, suffix=lambda: "x")

    assert replayed == 3
    assert [i["event_id"] for _, i in flow.started] == ["evt-1", "evt-2", "evt-3"]
    assert all(name.endswith("-replay-x") for name, _ in flow.started)
    assert sorted(queue.deleted) == ["r0", "r2", "r3"]  # the unreadable one stays for a person


# ----- the schedule: every parked order to the ERP, one at a time, in the order accepted ----------


HeldQueue = Queue


class Backlog:
    def __init__(self, last_parked_at: str | None) -> None:
        self.value = last_parked_at

    def last_parked_at(self) -> str | None:
        return self.value

    def close(self, seen: str) -> bool:
        if self.value != seen:
            return False
        self.value = None
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class OrderFlowThatRuns:
    """Starts an execution and, as OrderFlow would, writes the order's outcome (or does nothing)."""

    def __init__(self, orders: dict[tuple[str, str], OrderRecord], outcomes: dict[str, str] | None = None) -> None:
        self.orders = orders
        self.outcomes = outcomes or {}
        self.started: list[dict[str, Any]] = []
        self.outcome_before_next: list[bool] = []
        self.then: dict[str, Callable[[], None]] = {}

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        if self.started and self.started[-1]["action"] == "accept":
            last = self.started[-1]["order"]
            self.outcome_before_next.append(
                self.orders[("shopify", last["channel_order_id"])].status is not OrderStatus.ERP_FAILED
                or self.outcomes.get(self.started[-1]["event_id"]) == "parked again"
            )
        self.started.append(execution_input)
        outcome = self.outcomes.get(execution_input["event_id"], "accepted")
        if execution_input["action"] == "accept" and outcome != "nothing":
            key = ("shopify", execution_input["order"]["channel_order_id"])
            status = OrderStatus.ERP_FAILED if outcome == "parked again" else OrderStatus.ACCEPTED
            self.orders[key] = self.orders[key].model_copy(
                update={"status": status, "updated_at": self.orders[key].updated_at + timedelta(seconds=5)}
            )
        if execution_input["event_id"] in self.then:
            self.then.pop(execution_input["event_id"])()
        return True


class Orders:
    def __init__(self, orders: dict[tuple[str, str], OrderRecord]) -> None:
        self.orders = orders

    def get_order(self, channel: str, channel_order_id: str) -> OrderRecord | None:
        return self.orders.get((channel, channel_order_id))


def _erp_failed(*event_ids: str) -> dict[tuple[str, str], OrderRecord]:
    records = {}
    for event_id in event_ids:
        canonical = order(event_id[-1])
        records[("shopify", canonical.channel_order_id)] = OrderRecord(
            order_id=canonical.order_id,
            channel="shopify",
            channel_order_id=canonical.channel_order_id,
            status=OrderStatus.ERP_FAILED,
            correlation_id=f"corr-{event_id}",
            updated_at=datetime(2026, 12, 4, 10, tzinfo=UTC),
        )
    return records


def _replay(queue: HeldQueue, flow: OrderFlowThatRuns, backlog: Backlog, **kwargs: Any) -> InOrderReplay:
    clock = Clock()
    defaults: dict[str, Any] = {"erp_answers": lambda: True, "remaining_seconds": lambda: 900.0}
    return InOrderReplay(
        queue, flow, Orders(flow.orders), backlog, sleep=clock.sleep, clock=clock, suffix=lambda: "x",
        **(defaults | kwargs),
    )  # fmt: skip


def test_with_nothing_parked_the_schedule_asks_nothing_of_the_erp() -> None:
    asked: list[bool] = []

    def erp_answers() -> bool:
        asked.append(True)
        return True

    run = _replay(HeldQueue([]), OrderFlowThatRuns({}), Backlog(None), erp_answers=erp_answers)

    assert run.run() == {"erp": "not asked", "replayed": 0}
    assert asked == []


def test_while_the_erp_is_down_nothing_is_replayed_and_every_parked_order_goes_back_to_the_queue() -> None:
    queue = HeldQueue([_parked("evt-1", "2026-12-04T10:00:01Z")])
    flow = OrderFlowThatRuns(_erp_failed("evt-1"))

    assert _replay(queue, flow, Backlog("t1"), erp_answers=lambda: False).run() == {"erp": "down", "replayed": 0}
    assert flow.started == [] and queue.deleted == [] and queue.released == ["r0"]


def test_parked_orders_reach_the_erp_one_at_a_time_in_the_order_accepted_and_the_backlog_closes() -> None:
    queue = HeldQueue(
        [
            _parked("evt-3", "2026-12-04T10:00:03Z"),
            _parked("evt-4", "2026-12-04T10:00:04Z", action="cancel"),
            _parked("evt-1", "2026-12-04T10:00:01Z"),
            _parked("evt-2", "2026-12-04T10:00:02Z"),
        ]
    )
    flow, backlog = OrderFlowThatRuns(_erp_failed("evt-1", "evt-2", "evt-3")), Backlog("t1")

    assert _replay(queue, flow, backlog).run() == {"erp": "up", "replayed": 4}

    assert [i["event_id"] for i in flow.started] == ["evt-1", "evt-2", "evt-3", "evt-4"]
    assert all(i["replay"] is True for i in flow.started)  # the line's head: past the open backlog
    assert flow.outcome_before_next == [True, True, True]  # each accept recorded before the next started
    assert sorted(queue.deleted) == ["r0", "r1", "r2", "r3"] and queue.waiting == []
    assert backlog.value is None  # closed: new orders go straight to the ERP again


def test_an_order_that_parks_again_stops_the_run_and_the_rest_wait_in_order_behind_the_open_backlog() -> None:
    queue = HeldQueue([_parked(f"evt-{i}", f"2026-12-04T10:00:0{i}Z") for i in (1, 2, 3)])
    flow = OrderFlowThatRuns(_erp_failed("evt-1", "evt-2", "evt-3"), outcomes={"evt-2": "parked again"})
    flow.then["evt-2"] = lambda: queue.park(_parked("evt-2", "2026-12-04T10:00:02Z"))  # its new parked copy
    backlog = Backlog("t1")

    assert _replay(queue, flow, backlog).run() == {"erp": "down again", "replayed": 2, "left": 1}

    assert [i["event_id"] for i in flow.started] == ["evt-1", "evt-2"]
    assert backlog.value == "t1"  # still open: orders keep joining the back
    assert sorted(FlowInput.model_validate_json(m.body).event_id for m in queue.waiting) == ["evt-2", "evt-3"]


def test_an_order_whose_outcome_never_shows_is_kept_for_the_next_run() -> None:
    queue = HeldQueue([_parked(f"evt-{i}", f"2026-12-04T10:00:0{i}Z") for i in (1, 2)])
    flow = OrderFlowThatRuns(_erp_failed("evt-1", "evt-2"), outcomes={"evt-1": "nothing"})

    assert _replay(queue, flow, Backlog("t1")).run() == {"erp": "no outcome", "replayed": 0, "left": 2}
    assert queue.deleted == [] and sorted(queue.released) == ["r0", "r1"]


def test_a_run_near_its_timeout_leaves_the_rest_for_the_next_run() -> None:
    queue = HeldQueue([_parked(f"evt-{i}", f"2026-12-04T10:00:0{i}Z") for i in (1, 2, 3)])
    flow = OrderFlowThatRuns(_erp_failed("evt-1", "evt-2", "evt-3"))
    budget = iter([900.0, 65.0])

    result = _replay(queue, flow, Backlog("t1"), remaining_seconds=lambda: next(budget)).run()

    assert result == {"erp": "up", "replayed": 1, "left": 2}
    assert [i["event_id"] for i in flow.started] == ["evt-1"]


def test_an_order_that_joins_the_backlog_during_the_run_is_replayed_before_it_closes() -> None:
    queue = HeldQueue([_parked("evt-1", "2026-12-04T10:00:01Z")])
    flow, backlog = OrderFlowThatRuns(_erp_failed("evt-1", "evt-2")), Backlog("t1")

    def a_new_order_parks() -> None:  # it met the open backlog while evt-1 was being replayed
        backlog.value = "t2"
        queue.park(_parked("evt-2", "2026-12-04T10:00:09Z"))

    flow.then["evt-1"] = a_new_order_parks

    assert _replay(queue, flow, backlog).run() == {"erp": "up", "replayed": 2}
    assert [i["event_id"] for i in flow.started] == ["evt-1", "evt-2"] and backlog.value is None


def test_the_handler_runs_the_in_order_replay_within_the_functions_remaining_time() -> None:
    queue = HeldQueue([_parked("evt-1", "2026-12-04T10:00:01Z")])
    flow = OrderFlowThatRuns(_erp_failed("evt-1"))
    deps = replay_parked.ReplayDeps(queue, flow, Orders(flow.orders), Backlog("t1"), lambda: True)

    assert replay_parked.lambda_handler({}, _Invocation(), deps=deps) == {"erp": "up", "replayed": 1}
    assert queue.deleted == ["r0"]
    # 30 s left is too little to wait for one more order's outcome: it stays for the next run
    queue.park(_parked("evt-1", "2026-12-04T10:00:01Z"))
    assert replay_parked.lambda_handler({}, LambdaContext(), deps=deps) == {"erp": "up", "replayed": 0, "left": 1}


class _Invocation(LambdaContext):
    def get_remaining_time_in_millis(self) -> int:
        return 900_000
