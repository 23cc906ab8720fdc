"""ReserveStock, RecordOrder and CancelOrder against the in-memory state table (atomic, with a lock)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.orders.logic.cancel_order import cancel_order
from functions.orders.logic.record_order import record_order
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.trace_store import MemoryTraceStore
from shared.errors import ConcurrentModification
from shared.models import OrderStatus
from shared.models.order_flow import RecordOrderInput, ReserveOutcome
from shared.models.state import ReservationStatus
from shared.retry import RetryPolicy
from tests.fakes.ports import FakeErp
from tests.fakes.state_table import InMemoryStateTable
from tests.unit.orders.support import LOC, NO_WAIT, POLICY, accept_flow, cancel_flow, race_single_unit_orders


def test_a_replayed_reservation_reserves_once() -> None:
    store = InMemoryStateTable()
    store.put_position("SKU-1", LOC, on_hand=10)
    trace = MemoryTraceStore()

    first = reserve_stock(accept_flow(lines={"SKU-1": 3}), store, trace, POLICY)
    second = reserve_stock(accept_flow(lines={"SKU-1": 3}), store, trace, POLICY)

    assert (first.outcome, second.outcome) == (ReserveOutcome.RESERVED, ReserveOutcome.ALREADY_RESERVED)
    assert store.position("SKU-1", LOC).reserved == 3
    assert [e["status"] for e in trace.entries] == ["reserved", "already_reserved"]


def test_insufficient_stock_puts_the_order_on_hold_and_reserves_no_line() -> None:
    store = InMemoryStateTable()
    store.put_position("SKU-1", LOC, on_hand=10)
    store.put_position("SKU-2", LOC, on_hand=1)

    result = reserve_stock(accept_flow(lines={"SKU-1": 2, "SKU-2": 2}), store, MemoryTraceStore(), POLICY)

    assert result.outcome is ReserveOutcome.ON_HOLD
    assert [(s.sku, s.requested, s.available) for s in result.shortages] == [("SKU-2", 2, 1)]
    assert store.position("SKU-1", LOC).reserved == 0
    assert store.position("SKU-2", LOC).reserved == 0
    assert store.reservations == {}


def test_cancel_releases_the_reservation() -> None:
    store = InMemoryStateTable()
    store.put_position("SKU-1", LOC, on_hand=5)
    reserve_stock(accept_flow(lines={"SKU-1": 4}), store, MemoryTraceStore(), POLICY)

    event = cancel_order(cancel_flow(), store, FakeErp(), MemoryTraceStore(), NO_WAIT)

    assert store.position("SKU-1", LOC).reserved == 0
    [reservation] = store.reservations.values()
    assert reservation.status is ReservationStatus.RELEASED
    assert event.event_type == "OrderCancelled"
    assert event.detail["released"] == [{"sku": "SKU-1", "quantity": 4}]


def test_cancel_before_create_leaves_a_tombstone_so_the_create_reserves_nothing_and_ends_cancelled() -> None:
    store = InMemoryStateTable()
    store.put_position("SKU-1", LOC, on_hand=5)
    trace = MemoryTraceStore()

    cancel_order(cancel_flow(), store, FakeErp(), trace, NO_WAIT)
    reserved = reserve_stock(accept_flow(lines={"SKU-1": 1}), store, trace, POLICY)
    recorded = record_order(
        RecordOrderInput(**accept_flow(lines={"SKU-1": 1}).model_dump(), status=OrderStatus.ACCEPTED),
        store,
        trace,
    )

    assert reserved.outcome is ReserveOutcome.CANCELLED
    assert store.position("SKU-1", LOC).reserved == 0
    assert store.reservations == {}
    assert recorded.event_type == "OrderCancelled"
    assert store.get_order("shopify", "1001").status is OrderStatus.CANCELLED  # type: ignore[union-attr]


def test_a_cancel_that_lands_between_read_and_write_stops_the_reservation() -> None:
    # GIVEN a store where the cancel arrives right after ReserveStock checked the order item
    store = InMemoryStateTable()
    store.put_position("SKU-1", LOC, on_hand=5)
    original = store.get_reservation

    def cancel_then_read(order_id: str):  # type: ignore[no-untyped-def]
        store.get_reservation = original  # type: ignore[method-assign]
        cancel_order(cancel_flow(), store, FakeErp(), MemoryTraceStore(), NO_WAIT)
        return original(order_id)

    store.get_reservation = cancel_then_read  # type: ignore[method-assign]

    # WHEN the reservation is attempted THEN its transaction sees the cancellation and writes nothing
    assert reserve_stock(accept_flow(), store, MemoryTraceStore(), POLICY).outcome is ReserveOutcome.CANCELLED
    assert store.position("SKU-1", LOC).reserved == 0


def test_concurrent_orders_for_the_last_units_never_oversell() -> None:
    # GIVEN 5 units and 20 orders of 1 racing for them on 20 threads
    store = InMemoryStateTable()
    store.put_position("SKU-1", LOC, on_hand=5)

    outcomes = race_single_unit_orders(store, orders=20)

    # THEN exactly five are reserved and the rest are on hold
    assert outcomes == {ReserveOutcome.RESERVED: 5, ReserveOutcome.ON_HOLD: 15}
    assert store.position("SKU-1", LOC).reserved == 5


def test_recording_accepted_stores_the_erp_id_and_publishes_the_order_with_schema_and_correlation() -> None:
    store = InMemoryStateTable()
    task = RecordOrderInput(
        **accept_flow().model_dump(),
        status=OrderStatus.ACCEPTED,
        reservation={"outcome": "RESERVED", "location_id": LOC, "shortages": []},
        erp={"erp_sales_order_id": "4711"},
    )

    event = record_order(task, store, MemoryTraceStore())

    assert event.event_type == "OrderAccepted"
    assert event.detail["status"] == "ACCEPTED"
    assert event.detail["schema_version"] == "1"
    assert event.detail["correlation_id"] == "corr-0001"
    assert event.detail["erp_sales_order_id"] == "4711"
    record = store.get_order("shopify", "1001")
    assert record is not None and (record.status, record.erp_sales_order_id, record.location_id) == (
        OrderStatus.ACCEPTED,
        "4711",
        LOC,
    )


# Invariants ---------------------------------------------------------------------------------------

SKUS = ("A", "B")
operation: st.SearchStrategy[tuple[str, int, dict[str, int]]] = st.one_of(
    st.tuples(
        st.just("reserve"),
        st.integers(0, 5),
        st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 5), st.just({})),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stock=st.fixed_dictionaries({sku: st.integers(0, 8) for sku in SKUS}),
    operations=st.lists(operation, max_size=25),
)
def test_reservations_and_releases_keep_the_stock_invariants(
    stock: dict[str, int], operations: list[tuple[str, int, dict[str, int]]]
) -> None:
    store = InMemoryStateTable()
    for sku, on_hand in stock.items():
        store.put_position(sku, LOC, on_hand=on_hand)
    for kind, n, lines in operations:
        if kind == "reserve":
            reserve_stock(accept_flow(f"o{n}", lines), store, MemoryTraceStore(), POLICY)
        else:
            cancel_order(cancel_flow(f"o{n}"), store, FakeErp(), MemoryTraceStore(), NO_WAIT)
        held = Counter[str]()
        for reservation in store.reservations.values():
            if reservation.status is ReservationStatus.HELD:
                held.update(reservation.outstanding())
        for sku in SKUS:
            position = store.position(sku, LOC)
            assert position.on_hand == stock[sku]
            assert 0 <= position.reserved <= position.on_hand
            assert 0 <= position.available <= position.on_hand
            assert position.reserved == held[sku]  # every reserved unit belongs to a held reservation


class _RacingStore(InMemoryStateTable):
    """Another writer changes the position right before each of the first `races` reservation writes."""

    def __init__(self, races: int) -> None:
        super().__init__()
        self.races = races

    def try_reserve(self, reservation, channel, channel_order_id, writes):  # type: ignore[no-untyped-def]
        if self.races:
            self.races -= 1
            for write in writes:
                key = (write.sku, write.location_id)
                self.positions[key] = self.positions[key].model_copy(
                    update={"version": self.positions[key].version + 1}
                )
        return super().try_reserve(reservation, channel, channel_order_id, writes)


def test_a_lost_race_is_retried_after_a_jittered_pause_and_then_reserves() -> None:
    store = _RacingStore(races=2)
    store.put_position("SKU-1", LOC, on_hand=5)
    pauses: list[float] = []
    policy = ReservePolicy(LOC, retry=RetryPolicy(max_attempts=5, sleep=pauses.append, jitter=lambda: 0.5))

    result = reserve_stock(accept_flow(), store, MemoryTraceStore(), policy)

    assert result.outcome is ReserveOutcome.RESERVED
    assert store.reserve_attempts == 3
    assert pauses == [0.01, 0.02]  # half of the growing cap: 0.02, then 0.04
    assert store.position("SKU-1", LOC).reserved == 1


def test_when_every_attempt_loses_the_race_the_task_raises_concurrent_modification() -> None:
    store = _RacingStore(races=99)
    store.put_position("SKU-1", LOC, on_hand=5)
    trace = MemoryTraceStore()

    with pytest.raises(ConcurrentModification):
        reserve_stock(
            accept_flow(),
            store,
            trace,
            ReservePolicy(LOC, retry=RetryPolicy(max_attempts=3, sleep=lambda _: None)),
        )

    assert store.reserve_attempts == 3
    assert store.position("SKU-1", LOC).reserved == 0
    assert trace.entries[-1]["status"] == "conflict"
