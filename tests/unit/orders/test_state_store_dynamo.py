"""The state table on DynamoDB (moto), created with the keys of docs/wiring.md."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.orders.logic.cancel_order import cancel_order
from functions.orders.logic.record_order import record_order
from functions.orders.logic.reserve_stock import reserve_stock
from shared.adapters.state_store import CommitResult, DynamoStateStore, position_key, to_dynamo
from shared.adapters.trace_store import MemoryTraceStore
from shared.models import OrderStatus
from shared.models.order_flow import RecordOrderInput, ReserveOutcome
from shared.models.state import Reservation, ReservationLine, ReservationStatus
from shared.reservation import PositionReserve
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import cancellation, order
from tests.fakes.ports import FakeErp
from tests.unit.orders.support import LOC, NO_WAIT, POLICY, accept_flow, cancel_flow, race_single_unit_orders

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def store(dynamodb: Any) -> DynamoStateStore:
    return DynamoStateStore(STATE_TABLE, client=dynamodb)


def _stock(store: DynamoStateStore, sku: str, on_hand: int, reserved: int = 0, version: int = 1) -> None:
    item = {
        **position_key(sku, LOC),
        "sku": sku,
        "location_id": LOC,
        "on_hand": on_hand,
        "reserved": reserved,
    }
    item |= {"last_sequence": 1, "version": version, "updated_at": "2026-11-23T09:00:00Z"}
    store.client.put_item(TableName=STATE_TABLE, Item=to_dynamo(item))


def _position(store: DynamoStateStore, sku: str) -> tuple[int, int, int]:
    p = store.get_positions(LOC, [sku])[sku]
    return p.on_hand, p.reserved, p.version


def _reservation(order_id: str = "ord_x", sku: str = "SKU-1", quantity: int = 1) -> Reservation:
    return Reservation(
        order_id=order_id,
        location_id=LOC,
        lines=[ReservationLine(sku=sku, quantity=quantity)],
        correlation_id="corr-0001",
        created_at=NOW,
        hold_expires_at=0,
    )


def test_duplicate_reservation_reserves_once(store: DynamoStateStore) -> None:
    _stock(store, "SKU-1", on_hand=10)

    first = reserve_stock(accept_flow(lines={"SKU-1": 3}), store, MemoryTraceStore(), POLICY)
    second = reserve_stock(accept_flow(lines={"SKU-1": 3}), store, MemoryTraceStore(), POLICY)

    assert (first.outcome, second.outcome) == (ReserveOutcome.RESERVED, ReserveOutcome.ALREADY_RESERVED)
    assert _position(store, "SKU-1") == (10, 3, 2)


def test_the_transaction_refuses_a_second_reservation_item_for_the_same_order(
    store: DynamoStateStore,
) -> None:
    _stock(store, "SKU-1", on_hand=10)
    write = PositionReserve("SKU-1", LOC, quantity=1, expected_version=1, reserved_read=0)
    assert store.try_reserve(_reservation(), "shopify", "x", [write]) is CommitResult.COMMITTED

    again = PositionReserve("SKU-1", LOC, quantity=1, expected_version=2, reserved_read=1)
    assert store.try_reserve(_reservation(), "shopify", "x", [again]) is CommitResult.RESERVATION_EXISTS
    assert _position(store, "SKU-1") == (10, 1, 2)


def test_a_position_changed_since_it_was_read_is_a_conflict_and_nothing_is_written(
    store: DynamoStateStore,
) -> None:
    _stock(store, "SKU-1", on_hand=10, version=5)
    stale = PositionReserve("SKU-1", LOC, quantity=1, expected_version=4, reserved_read=0)

    assert store.try_reserve(_reservation(), "shopify", "x", [stale]) is CommitResult.CONFLICT
    assert store.get_reservation("ord_x") is None
    assert _position(store, "SKU-1") == (10, 0, 5)


def test_the_on_hand_condition_refuses_a_write_that_would_oversell(store: DynamoStateStore) -> None:
    _stock(store, "SKU-1", on_hand=2, reserved=2, version=3)
    # A plan computed from a stale read (reserved 0) but the same version: the on_hand guard still holds.
    blind = PositionReserve("SKU-1", LOC, quantity=2, expected_version=3, reserved_read=2)

    assert store.try_reserve(_reservation(quantity=2), "shopify", "x", [blind]) is CommitResult.CONFLICT
    assert _position(store, "SKU-1") == (2, 2, 3)


def test_insufficient_stock_on_one_line_reserves_no_line(store: DynamoStateStore) -> None:
    _stock(store, "SKU-1", on_hand=10)
    _stock(store, "SKU-2", on_hand=1)

    result = reserve_stock(accept_flow(lines={"SKU-1": 2, "SKU-2": 2}), store, MemoryTraceStore(), POLICY)

    assert result.outcome is ReserveOutcome.ON_HOLD
    assert (_position(store, "SKU-1")[1], _position(store, "SKU-2")[1]) == (0, 0)
    assert store.get_reservation(order("1001").order_id) is None


def test_cancel_releases_the_reservation_in_dynamodb(store: DynamoStateStore) -> None:
    _stock(store, "SKU-1", on_hand=5)
    reserve_stock(accept_flow(lines={"SKU-1": 4}), store, MemoryTraceStore(), POLICY)

    cancel_order(cancel_flow(), store, FakeErp(), MemoryTraceStore(), NO_WAIT)
    cancel_order(cancel_flow(), store, FakeErp(), MemoryTraceStore(), NO_WAIT)  # a replayed cancel changes nothing

    assert _position(store, "SKU-1")[:2] == (5, 0)
    reservation = store.get_reservation(order("1001").order_id)
    assert reservation is not None and reservation.status is ReservationStatus.RELEASED
    assert store.get_order("shopify", "1001").status is OrderStatus.CANCELLED  # type: ignore[union-attr]


def test_auto_cancelled_lines_give_their_units_back_once_in_dynamodb(store: DynamoStateStore) -> None:
    from functions.orders.logic.line_cancellation import release_cancelled_lines
    from shared.models.order_changes import OrderLinesCancelled

    _stock(store, "SKU-1", on_hand=5)
    _stock(store, "SKU-2", on_hand=5)
    reserve_stock(accept_flow(lines={"SKU-1": 3, "SKU-2": 1}), store, MemoryTraceStore(), POLICY)
    change = OrderLinesCancelled.model_validate(
        {
            "channel": "shopify",
            "channel_order_id": "1001",
            "change_id": "auto-1",
            "cancelled_at": "2026-12-04T10:00:00Z",
            "lines": [{"line_id": "1", "sku": "SKU-1", "quantity": 2}],
        }
    )

    assert release_cancelled_lines(store, change, NO_WAIT) == {"SKU-1": 2}
    assert release_cancelled_lines(store, change, NO_WAIT) == {}  # delivered again: nothing twice

    assert (_position(store, "SKU-1")[:2], _position(store, "SKU-2")[:2]) == ((5, 1), (5, 1))
    reservation = store.get_reservation(order("1001").order_id)
    assert reservation is not None and reservation.status is ReservationStatus.HELD
    assert reservation.quantities() == {"SKU-1": 1, "SKU-2": 1}
    assert reservation.line_cancellations == ["auto-1"]


def test_cancel_before_create_ends_cancelled_with_nothing_reserved(store: DynamoStateStore) -> None:
    _stock(store, "SKU-1", on_hand=5)

    cancel_order(cancel_flow(), store, FakeErp(), MemoryTraceStore(), NO_WAIT)
    tombstone = store.get_order("shopify", "1001")
    reserved = reserve_stock(accept_flow(), store, MemoryTraceStore(), POLICY)
    event = record_order(
        RecordOrderInput(**accept_flow().model_dump(), status=OrderStatus.ACCEPTED), store, MemoryTraceStore()
    )

    assert tombstone is not None and tombstone.status is OrderStatus.CANCELLED and tombstone.lines == []
    assert reserved.outcome is ReserveOutcome.CANCELLED
    assert event.event_type == "OrderCancelled"
    assert _position(store, "SKU-1")[1] == 0


def test_the_reservation_transaction_checks_the_order_is_not_cancelled(store: DynamoStateStore) -> None:
    _stock(store, "SKU-1", on_hand=5)
    store.mark_cancelled(cancellation("x"), "corr-0002", NOW)
    write = PositionReserve("SKU-1", LOC, quantity=1, expected_version=1, reserved_read=0)

    assert store.try_reserve(_reservation(), "shopify", "x", [write]) is CommitResult.ORDER_CANCELLED
    assert _position(store, "SKU-1")[1] == 0


def test_order_writes_are_conditioned_on_the_status_they_read(store: DynamoStateStore) -> None:
    record_order(RecordOrderInput(**accept_flow().model_dump(), status=OrderStatus.ON_HOLD), store, MemoryTraceStore())
    current = store.get_order("shopify", "1001")
    assert current is not None and current.status is OrderStatus.ON_HOLD

    accepted = current.model_copy(update={"status": OrderStatus.ACCEPTED})
    assert store.save_order(accepted, expected_status=None) is False
    assert store.save_order(accepted, expected_status=OrderStatus.ERP_FAILED) is False
    assert store.save_order(accepted, expected_status=OrderStatus.ON_HOLD) is True
    assert store.get_order("shopify", "1001").lines == order().lines  # type: ignore[union-attr]


class _SerializedCalls:
    """DynamoDB applies each request atomically; moto does not lock its tables, so two threads can
    interleave inside one transaction (or iterate a table another thread is growing). One call at a
    time restores DynamoDB's per-request atomicity; the race between read, plan and conditional
    write, which is what this test is about, stays fully open."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def serialized(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return method(*args, **kwargs)

        return serialized


def test_concurrent_reservations_against_dynamodb_never_oversell(dynamodb: Any) -> None:
    # GIVEN 3 units and 8 single-unit orders racing on 8 threads
    store = DynamoStateStore(STATE_TABLE, client=_SerializedCalls(dynamodb))  # type: ignore[arg-type]
    _stock(store, "SKU-1", on_hand=3)

    outcomes = race_single_unit_orders(store, orders=8)

    # THEN three are reserved, five on hold, and the position holds exactly three
    assert outcomes == {ReserveOutcome.RESERVED: 3, ReserveOutcome.ON_HOLD: 5}
    on_hand, reserved, _ = _position(store, "SKU-1")
    assert reserved == 3 <= on_hand


def test_held_orders_are_kept_once_read_oldest_first_and_let_go(dynamodb: Any) -> None:
    from shared.adapters.held_orders import DynamoHeldOrders, HeldOrder

    held = DynamoHeldOrders(STATE_TABLE, client=dynamodb)
    held.hold(HeldOrder("ord_b", "2026-12-04T10:00:02Z", LOC, {"event_id": "b"}))
    held.hold(HeldOrder("ord_a", "2026-12-04T10:00:01Z", LOC, {"event_id": "a"}))
    held.hold(HeldOrder("ord_b", "2026-12-04T11:00:00Z", LOC, {"event_id": "b2"}))  # held again later

    oldest = held.oldest(10)
    assert [(h.order_id, h.received_at) for h in oldest] == [
        ("ord_a", "2026-12-04T10:00:01Z"),
        ("ord_b", "2026-12-04T10:00:02Z"),  # keeps its first place in the queue
    ]
    held.release("ord_a")
    held.release("ord_a")  # letting go twice is harmless
    assert [h.order_id for h in held.oldest(10)] == ["ord_b"]
