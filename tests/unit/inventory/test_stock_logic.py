"""Inventory decisions: the sequence guard, absolute adjustments, shipments consuming reservations."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.inventory.logic.stock import apply_adjustment, plan_shipment
from shared.models import InventoryPosition, order_id_for
from shared.models.state import Reservation, ReservationLine, ReservationStatus
from tests.fakes.builders import adjustment, shipment

LOC = "dc-east"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def _position(sku: str = "SKU-1", on_hand: int = 10, reserved: int = 0, seq: int = 5) -> InventoryPosition:
    return InventoryPosition(
        sku=sku, location_id=LOC, on_hand=on_hand, reserved=reserved, last_sequence=seq, version=7
    )


def _reservation(lines: dict[str, int], **extra: object) -> Reservation:
    return Reservation.model_validate(
        {
            "order_id": order_id_for("shopify", "1001"),
            "location_id": LOC,
            "lines": [ReservationLine(sku=s, quantity=q) for s, q in lines.items()],
            "correlation_id": "corr-0001",
            "created_at": NOW,
            "hold_expires_at": 0,
            **extra,
        }
    )


def test_an_adjustment_sets_on_hand_absolutely_and_keeps_reservations() -> None:
    updated = apply_adjustment(
        _position(on_hand=10, reserved=3, seq=5), adjustment(on_hand=4, sequence=6), NOW
    )

    assert updated is not None
    assert (updated.on_hand, updated.reserved, updated.last_sequence, updated.version) == (4, 3, 6, 8)


def test_an_older_or_repeated_adjustment_is_stale() -> None:
    assert apply_adjustment(_position(seq=5), adjustment(sequence=5), NOW) is None
    assert apply_adjustment(_position(seq=5), adjustment(sequence=4), NOW) is None


def test_the_first_adjustment_creates_the_position() -> None:
    created = apply_adjustment(None, adjustment(on_hand=12, sequence=0), NOW)

    assert created is not None and (created.on_hand, created.reserved, created.version) == (12, 0, 1)


def test_a_shipment_takes_units_off_on_hand_and_consumes_the_orders_reservation() -> None:
    plan = plan_shipment(
        shipment(lines={"SKU-1": 2}, sequence=6),
        {"SKU-1": _position(on_hand=10, reserved=5)},
        _reservation({"SKU-1": 2}),
    )

    [update] = plan.positions
    assert (update.on_hand, update.reserved, update.last_sequence, update.expected_version) == (8, 3, 6, 7)
    assert plan.reservation is not None
    assert plan.reservation.status is ReservationStatus.CONSUMED
    assert plan.reservation.consumed == {"SKU-1": 2}
    assert plan.reservation.shipments == ["shp-1"]


def test_a_partial_shipment_keeps_the_rest_of_the_reservation_held() -> None:
    plan = plan_shipment(
        shipment(lines={"A": 1}, sequence=6),
        {"A": _position("A", reserved=2), "B": _position("B", reserved=1)},
        _reservation({"A": 2, "B": 1}),
    )

    assert plan.reservation is not None
    assert plan.reservation.status is ReservationStatus.HELD
    assert plan.reservation.consumed == {"A": 1}


def test_a_shipment_never_takes_counts_below_zero() -> None:
    plan = plan_shipment(
        shipment(lines={"SKU-1": 9}, sequence=6), {"SKU-1": _position(on_hand=4, reserved=1)}, None
    )

    [update] = plan.positions
    assert (update.on_hand, update.reserved) == (0, 1)


def test_a_shipment_from_another_location_does_not_touch_the_reservation() -> None:
    plan = plan_shipment(
        shipment(lines={"SKU-1": 1}, sequence=6, location_id="store-7"), {}, _reservation({"SKU-1": 1})
    )

    assert plan.reservation is None
    [update] = plan.positions
    assert (update.location_id, update.on_hand, update.expected_version) == ("store-7", 0, None)


def test_a_repeated_shipment_is_stale() -> None:
    reservation = _reservation({"SKU-1": 2}, consumed={"SKU-1": 1}, shipments=["shp-1"])

    plan = plan_shipment(
        shipment(lines={"SKU-1": 1}, sequence=6), {"SKU-1": _position(seq=6, reserved=1)}, reservation
    )

    assert plan.stale


def test_a_shipment_older_than_a_count_still_lifts_the_orders_hold_but_not_on_hand() -> None:
    # GIVEN a WMS count (sequence 8) that already reflects the units leaving in shipment 6
    plan = plan_shipment(
        shipment(lines={"SKU-1": 2}, sequence=6),
        {"SKU-1": _position(on_hand=3, reserved=2, seq=8)},
        _reservation({"SKU-1": 2}),
    )

    [update] = plan.positions
    assert (update.on_hand, update.reserved, update.last_sequence) == (3, 0, 8)
