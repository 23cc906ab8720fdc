"""The reservation-expiry sweep (moto): abandoned holds go back; a release never races into a leak."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.inventory.dal.reservations import DynamoReservationStore
from functions.inventory.handlers.expire_reservations import Deps, lambda_handler
from functions.inventory.logic.expiry import HOP, expire_reservations
from functions.orders.logic.cancel_order import cancel_order
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.state_store import position_key, to_dynamo
from shared.adapters.trace_store import MemoryTraceStore
from shared.models import order_id_for
from shared.models.order_flow import FlowInput, ReserveOutcome
from shared.models.state import ReservationStatus
from shared.retry import RetryPolicy
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import LambdaContext, cancellation, order
from tests.fakes.ports import FakeErp, FakeEventBus

LOC = "dc-east"
HOLD = 600
T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
NO_WAIT = RetryPolicy(max_attempts=20, sleep=lambda _: None)


@pytest.fixture
def store(dynamodb: Any) -> DynamoReservationStore:
    store = DynamoReservationStore(STATE_TABLE, client=dynamodb)
    item = {**position_key("SKU-1", LOC), "sku": "SKU-1", "location_id": LOC, "on_hand": 10, "reserved": 0}
    item |= {"last_sequence": 1, "count_sequence": 1, "version": 1}
    dynamodb.put_item(TableName=STATE_TABLE, Item=to_dynamo(item))
    return store


def reserve(store: DynamoReservationStore, channel_order_id: str, quantity: int, at: datetime) -> None:
    flow = FlowInput(
        action="accept",
        correlation_id=f"corr-{channel_order_id}",
        event_id=f"e-{channel_order_id}",
        order=order(channel_order_id, {"SKU-1": quantity}),
    )
    policy = ReservePolicy(default_location_id=LOC, hold_seconds=HOLD, retry=NO_WAIT)
    outcome = reserve_stock(flow, store, MemoryTraceStore(), policy, now=lambda: at)
    assert outcome.outcome is ReserveOutcome.RESERVED


def reserved(store: DynamoReservationStore) -> int:
    return store.get_positions(LOC, ["SKU-1"])["SKU-1"].reserved


def sweep(store: DynamoReservationStore, at: datetime, bus: FakeEventBus | None = None) -> Any:
    return expire_reservations(store, MemoryTraceStore(), bus or FakeEventBus(), retry=NO_WAIT, now=lambda: at)


def test_an_expired_hold_is_released_and_its_units_become_available_again(store: DynamoReservationStore) -> None:
    reserve(store, "1001", 3, T0)
    reserve(store, "1002", 2, T0 + timedelta(seconds=300))
    bus = FakeEventBus()

    report = sweep(store, T0 + timedelta(seconds=HOLD + 1), bus)

    assert report.released == {order_id_for("shopify", "1001"): {"SKU-1": 3}}
    assert reserved(store) == 2  # the younger hold stays
    assert store.get_reservation(order_id_for("shopify", "1001")).status is ReservationStatus.RELEASED  # type: ignore[union-attr]
    [event] = bus.events
    assert event.detail["reserved"] == 2 and event.detail["cause"]["type"] == "ReservationExpired"


def test_sweeping_twice_releases_nothing_twice(store: DynamoReservationStore) -> None:
    reserve(store, "1001", 3, T0)
    later = T0 + timedelta(seconds=HOLD + 1)
    sweep(store, later)

    again = sweep(store, later)

    assert again.released == {} and reserved(store) == 0


def test_a_hold_not_yet_expired_is_kept(store: DynamoReservationStore) -> None:
    reserve(store, "1001", 3, T0)
    assert sweep(store, T0 + timedelta(seconds=HOLD - 1)).released == {}
    assert reserved(store) == 3


def test_a_reservation_cancelled_while_the_sweep_runs_is_released_once(store: DynamoReservationStore) -> None:
    # GIVEN an expired hold that the sweep has listed, then the order is cancelled before it releases
    reserve(store, "1001", 3, T0)
    original = store.get_reservation

    def cancel_first(order_id: str) -> Any:
        store.get_reservation = original  # type: ignore[method-assign]
        cancel_order(
            FlowInput(action="cancel", correlation_id="c", event_id="x", cancellation=cancellation("1001")),
            store,
            FakeErp(),
            MemoryTraceStore(),
            NO_WAIT,
        )
        return original(order_id)

    store.get_reservation = cancel_first  # type: ignore[method-assign]

    report = sweep(store, T0 + timedelta(seconds=HOLD + 1))

    # THEN the cancel gave the units back once and the sweep found nothing left to release
    assert report.released == {} and report.skipped == [order_id_for("shopify", "1001")]
    assert reserved(store) == 0


def test_a_release_racing_a_concurrent_change_rereads_and_wins_once(store: DynamoReservationStore) -> None:
    # GIVEN the reservation changes between the sweep's read and its write (a partial shipment)
    reserve(store, "1001", 3, T0)
    original = store.try_release
    raced = {"done": False}

    def bump_then_release(reservation: Any, releases: Any, at: datetime) -> Any:
        if not raced["done"]:
            raced["done"] = True
            store.client.update_item(
                TableName=STATE_TABLE,
                Key=to_dynamo({"pk": f"RESERVATION#{reservation.order_id}", "sk": "RESERVATION"}),
                UpdateExpression="SET #v = if_not_exists(#v, :zero) + :one",
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues=to_dynamo({":zero": 0, ":one": 1}),
            )
        return original(reservation, releases, at)

    store.try_release = bump_then_release  # type: ignore[method-assign]

    report = sweep(store, T0 + timedelta(seconds=HOLD + 1))

    assert report.released == {order_id_for("shopify", "1001"): {"SKU-1": 3}} and reserved(store) == 0


def test_the_scheduled_handler_reports_what_it_released(store: DynamoReservationStore) -> None:
    reserve(store, "1001", 1, datetime.now(UTC) - timedelta(seconds=HOLD + 5))
    trace = MemoryTraceStore()
    deps = Deps(store=store, trace=trace, bus=FakeEventBus(), limit=100)

    result = lambda_handler({"source": "aws.events", "detail-type": "Scheduled Event"}, LambdaContext(), deps=deps)

    assert result["released"] == {order_id_for("shopify", "1001"): {"SKU-1": 1}}
    assert [(e["hop"], e["status"]) for e in trace.entries] == [(HOP, "expired")]
