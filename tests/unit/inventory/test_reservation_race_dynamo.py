"""Many orders racing for the last units on DynamoDB (moto) never oversell available-to-promise."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from functions.inventory.dal.movements import DynamoMovementStore
from functions.inventory.logic.movements import group_effects
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.state_store import DynamoStateStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.models import InventoryMovement
from shared.models.order_flow import FlowInput, ReserveOutcome
from shared.retry import RetryPolicy
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import order

LOC = "dc-east"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
NO_WAIT = RetryPolicy(max_attempts=200, sleep=lambda _: None)
POLICY = ReservePolicy(default_location_id=LOC, retry=NO_WAIT)
ORDERS = 24


def move(kind: str, quantity: int, sequence: int) -> InventoryMovement:
    return InventoryMovement(
        event_id=f"{kind}-{sequence}",
        kind=kind,  # type: ignore[arg-type]
        sku="SKU-1",
        location_id=LOC,
        quantity=quantity,
        source_sequence=sequence,
        occurred_at=NOW,
    )


def apply(movements: DynamoMovementStore, *batch: InventoryMovement) -> None:
    for (sku, location_id), effects in group_effects(batch).items():
        movements.apply_group(sku, location_id, effects, NOW)


def race(dynamodb: Any, *, receipts: int) -> tuple[Counter[ReserveOutcome], Any]:
    from local.moto_patches import install

    install()  # DynamoDB applies each request atomically; moto's backend needs the local stack's lock for that
    state = DynamoStateStore(STATE_TABLE, client=dynamodb)
    movements = DynamoMovementStore(STATE_TABLE, client=dynamodb, retry=NO_WAIT)
    # GIVEN 12 counted, 2 damaged and a safety stock of 3: 7 units available to promise
    apply(movements, move("cycle_count", 12, 1), move("damage", 2, 2), move("safety_stock", 3, 3))
    barrier = threading.Barrier(ORDERS + 1)
    outcomes: list[ReserveOutcome] = []

    def place(i: int) -> None:
        barrier.wait()
        flow = FlowInput(action="accept", correlation_id=f"c{i}", event_id=f"e{i}", order=order(f"o{i}", {"SKU-1": 1}))
        outcomes.append(reserve_stock(flow, state, MemoryTraceStore(), POLICY).outcome)

    def receive() -> None:
        barrier.wait()
        for n in range(receipts):
            apply(movements, move("receipt", 1, 10 + n))

    threads = [threading.Thread(target=place, args=(i,)) for i in range(ORDERS)]
    threads.append(threading.Thread(target=receive))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(outcomes), state.get_positions(LOC, ["SKU-1"])["SKU-1"]


def test_orders_racing_for_the_last_units_reserve_exactly_what_is_available(dynamodb: Any) -> None:
    outcomes, position = race(dynamodb, receipts=0)

    # THEN exactly 7 are reserved, damaged and safety stock untouched, the rest on hold
    assert outcomes == {ReserveOutcome.RESERVED: 7, ReserveOutcome.ON_HOLD: ORDERS - 7}
    assert (position.on_hand, position.reserved, position.damaged, position.safety_stock) == (12, 7, 2, 3)
    assert position.available == 0


def test_reservations_racing_with_receipts_never_promise_more_than_arrived(dynamodb: Any) -> None:
    outcomes, position = race(dynamodb, receipts=3)

    assert position.on_hand == 15
    assert outcomes[ReserveOutcome.RESERVED] == position.reserved
    assert 7 <= position.reserved <= position.on_hand - position.damaged - position.safety_stock
