"""Parked orders go back through OrderFlow oldest received first, and the schedule replays them only
once the ERP answers again."""

from __future__ import annotations

import json
from typing import Any

from functions.orders.adapters.parking_queue import ParkedMessage
from functions.orders.handlers import replay_parked
from functions.orders.logic.parked_replay import replay_parked_orders
from tests.fakes.builders import LambdaContext, order


class Queue:
    def __init__(self, bodies: list[str]) -> None:
        self.waiting = [ParkedMessage(receipt_handle=f"r{i}", body=b) for i, b in enumerate(bodies)]
        self.deleted: list[str] = []

    def receive(self, max_messages: int) -> list[ParkedMessage]:
        taken, self.waiting = self.waiting[:max_messages], self.waiting[max_messages:]
        return taken

    def delete(self, message: ParkedMessage) -> None:
        self.deleted.append(message.receipt_handle)


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


def test_the_schedule_replays_nothing_while_the_erp_is_down_and_everything_once_it_answers() -> None:
    queue, flow = Queue([_parked("evt-1", "2026-12-04T10:00:01Z")]), Flow()

    down = replay_parked.lambda_handler({}, LambdaContext(), deps=(queue, flow, lambda: False))
    assert down == {"erp": "down", "replayed": 0}
    assert flow.started == [] and queue.deleted == []

    up = replay_parked.lambda_handler({}, LambdaContext(), deps=(queue, flow, lambda: True))
    assert up == {"erp": "up", "replayed": 1}
    assert queue.deleted == ["r0"]
