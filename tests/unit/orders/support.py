"""What the tests of the order flow's steps over a state store share: one location, a retry that never
sleeps, the accept and cancel inputs, and orders racing for the same units."""

from __future__ import annotations

import threading
from collections import Counter

from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.state_store import StateStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.models.order_flow import FlowInput, ReserveOutcome
from shared.retry import RetryPolicy
from tests.fakes.builders import cancellation, order

LOC = "dc-east"
NO_WAIT = RetryPolicy(max_attempts=50, sleep=lambda _: None)
POLICY = ReservePolicy(default_location_id=LOC, retry=NO_WAIT)


def accept_flow(channel_order_id: str = "1001", lines: dict[str, int] | None = None) -> FlowInput:
    return FlowInput(action="accept", correlation_id="corr-0001", event_id="e1", order=order(channel_order_id, lines))


def cancel_flow(channel_order_id: str = "1001") -> FlowInput:
    return FlowInput(
        action="cancel",
        correlation_id="corr-0002",
        event_id="e2",
        cancellation=cancellation(channel_order_id),
    )


def race_single_unit_orders(store: StateStore, orders: int, sku: str = "SKU-1") -> Counter[ReserveOutcome]:
    """`orders` orders of one unit of `sku` reserved at the same moment, one thread each: their outcomes."""
    barrier = threading.Barrier(orders)
    outcomes: list[ReserveOutcome] = []

    def place(i: int) -> None:
        barrier.wait()
        outcomes.append(reserve_stock(accept_flow(f"o{i}", {sku: 1}), store, MemoryTraceStore(), POLICY).outcome)

    threads = [threading.Thread(target=place, args=(i,)) for i in range(orders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(outcomes)
