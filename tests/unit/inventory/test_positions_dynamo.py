"""Inventory writes on DynamoDB (moto): the sequence guard and shipments consuming reservations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from functions.inventory.dal.positions import DynamoPositionStore
from functions.inventory.logic.stock import plan_shipment
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.state_store import DynamoStateStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.errors import StaleUpdate
from shared.models import order_id_for
from shared.models.order_flow import FlowInput
from shared.models.state import ReservationStatus
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import adjustment, order, shipment

LOC = "dc-east"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def positions(dynamodb: Any) -> DynamoPositionStore:
    return DynamoPositionStore(STATE_TABLE, client=dynamodb)


def _get(positions: DynamoPositionStore, sku: str = "SKU-1") -> tuple[int, int, int]:
    p = positions.get_positions(LOC, [sku])[sku]
    return p.on_hand, p.reserved, p.last_sequence


def test_an_adjustment_creates_then_replaces_on_hand(positions: DynamoPositionStore) -> None:
    first = positions.apply_adjustment(adjustment(on_hand=10, sequence=1), NOW)
    second = positions.apply_adjustment(adjustment(on_hand=7, sequence=2), NOW)

    assert (first.on_hand, first.reserved, first.version) == (10, 0, 1)
    assert (second.on_hand, second.last_sequence, second.version) == (7, 2, 2)


def test_a_stale_wms_adjustment_is_ignored(positions: DynamoPositionStore) -> None:
    positions.apply_adjustment(adjustment(on_hand=10, sequence=5), NOW)

    with pytest.raises(StaleUpdate):
        positions.apply_adjustment(adjustment(on_hand=99, sequence=4), NOW)

    assert _get(positions) == (10, 0, 5)


def test_the_same_adjustment_twice_changes_nothing(positions: DynamoPositionStore) -> None:
    positions.apply_adjustment(adjustment(on_hand=10, sequence=5), NOW)
    before = positions.get_positions(LOC, ["SKU-1"])["SKU-1"]

    with pytest.raises(StaleUpdate):
        positions.apply_adjustment(adjustment(on_hand=10, sequence=5), NOW)

    assert positions.get_positions(LOC, ["SKU-1"])["SKU-1"] == before


def test_an_adjustment_keeps_the_reserved_units(positions: DynamoPositionStore, dynamodb: Any) -> None:
    positions.apply_adjustment(adjustment(on_hand=10, sequence=1), NOW)
    store = DynamoStateStore(STATE_TABLE, client=dynamodb)
    flow = FlowInput(action="accept", correlation_id="corr-0001", event_id="e1", order=order(lines={"SKU-1": 4}))
    reserve_stock(flow, store, MemoryTraceStore(), ReservePolicy(LOC))

    positions.apply_adjustment(adjustment(on_hand=6, sequence=2), NOW)

    assert _get(positions) == (6, 4, 2)


def test_a_shipment_consumes_the_reservation_in_one_transaction(positions: DynamoPositionStore, dynamodb: Any) -> None:
    # GIVEN 10 on hand and an order holding 3
    positions.apply_adjustment(adjustment(on_hand=10, sequence=1), NOW)
    store = DynamoStateStore(STATE_TABLE, client=dynamodb)
    flow = FlowInput(action="accept", correlation_id="corr-0001", event_id="e1", order=order(lines={"SKU-1": 3}))
    reserve_stock(flow, store, MemoryTraceStore(), ReservePolicy(LOC))
    order_id = order_id_for("shopify", "1001")

    # WHEN the WMS ships the order
    ship = shipment(lines={"SKU-1": 3}, sequence=2)
    plan = plan_shipment(ship, positions.get_positions(LOC, ["SKU-1"]), positions.get_reservation(order_id))
    assert positions.commit_shipment(plan, NOW) is True

    # THEN on hand and reserved both drop by 3 and the reservation is consumed
    assert _get(positions) == (7, 0, 2)
    reservation = positions.get_reservation(order_id)
    assert reservation is not None
    assert (reservation.status, reservation.consumed, reservation.shipments) == (
        ReservationStatus.CONSUMED,
        {"SKU-1": 3},
        ["shp-1"],
    )


def test_a_shipment_planned_on_an_outdated_read_writes_nothing(positions: DynamoPositionStore) -> None:
    positions.apply_adjustment(adjustment(on_hand=10, sequence=1), NOW)
    plan = plan_shipment(shipment(lines={"SKU-1": 2}, sequence=3), positions.get_positions(LOC, ["SKU-1"]), None)
    positions.apply_adjustment(adjustment(on_hand=8, sequence=2), NOW)  # lands between read and write

    assert positions.commit_shipment(plan, NOW) is False
    assert _get(positions) == (8, 0, 2)
