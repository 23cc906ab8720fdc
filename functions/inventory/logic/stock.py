"""Inventory decisions (pure): the sequence guard, adjustments and shipments.

The WMS is the book of record for physical stock: an adjustment sets `on_hand` absolutely (a
count) and never touches `reserved`; it applies only when newer than every change to `on_hand`.
A shipment takes its units off `on_hand` (a delta: it applies when newer than the last count, in
any order with other deltas, once per event and SKU thanks to its movement marker) and consumes
the order's reservation at that location (`reserved -= what that order still held`). Counts never
go below zero: a shipment of more than we knew of leaves zero, not a negative number.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from shared.models import InventoryAdjustment, InventoryPosition, Shipment
from shared.models.state import Reservation, ReservationStatus


@dataclass(frozen=True)
class PositionUpdate:
    """A position's new counts, written only if the position is still at `expected_version`.

    `expected_version` None: the position did not exist when read (write only if still absent).
    """

    sku: str
    location_id: str
    on_hand: int
    reserved: int
    last_sequence: int
    expected_version: int | None
    count_sequence: int = -1  # the last count's sequence, as read (written so legacy items gain it)

    def written(self, at: datetime) -> InventoryPosition:
        """The position once this update is written at `at` (its version one past the one read)."""
        return InventoryPosition(
            sku=self.sku,
            location_id=self.location_id,
            on_hand=self.on_hand,
            reserved=self.reserved,
            last_sequence=self.last_sequence,
            version=(self.expected_version or 0) + 1,
            updated_at=at,
        )


@dataclass(frozen=True)
class ReservationConsumption:
    order_id: str
    consumed: dict[str, int]
    status: ReservationStatus
    shipments: list[str]
    expected_version: int


@dataclass(frozen=True)
class ShipmentPlan:
    positions: tuple[PositionUpdate, ...] = ()
    reservation: ReservationConsumption | None = None
    consumed_now: dict[str, int] = field(default_factory=dict)
    event_id: str = ""
    sequence: int = 0
    applied_skus: tuple[str, ...] = ()  # SKUs whose on-hand change this plan makes (one marker each)

    @property
    def stale(self) -> bool:
        """Nothing to write: every line is older than what we applied and no reservation to consume."""
        return not self.positions and self.reservation is None


def is_fresh(position: InventoryPosition | None, sequence: int) -> bool:
    """The sequence guard of a count: `attribute_not_exists(pk) OR last_sequence < :seq`."""
    return position is None or position.last_sequence < sequence


def is_fresh_delta(position: InventoryPosition | None, sequence: int) -> bool:
    """A delta to `on_hand` that the last count does not already include (deltas commute)."""
    return position is None or position.counted_at_sequence < sequence


def apply_adjustment(
    position: InventoryPosition | None, adjustment: InventoryAdjustment, at: datetime
) -> InventoryPosition | None:
    """The position after the adjustment, or None when the adjustment is stale (what the DAL's write does)."""
    at_ms = int(adjustment.occurred_at.timestamp() * 1000)
    if not is_fresh(position, adjustment.source_sequence) or (
        position is not None and at_ms < position.sold_through_ms
    ):
        return None
    return InventoryPosition(
        sku=adjustment.sku,
        location_id=adjustment.location_id,
        on_hand=adjustment.on_hand,
        reserved=position.reserved if position else 0,
        in_transit=position.in_transit if position else 0,
        damaged=position.damaged if position else 0,
        safety_stock=position.safety_stock if position else 0,
        safety_sequence=position.safety_sequence if position else -1,
        last_sequence=adjustment.source_sequence,
        count_sequence=adjustment.source_sequence,
        counted_at_ms=at_ms,
        sold_through_ms=position.sold_through_ms if position else 0,
        version=(position.version if position else 0) + 1,
        updated_at=at,
    )


def plan_shipment(
    shipment: Shipment,
    positions: Mapping[str, InventoryPosition],
    reservation: Reservation | None,
    applied: Collection[str] = (),
) -> ShipmentPlan:
    """Per SKU line: a fresh line takes its units off `on_hand` and moves the sequence; any line
    consumes what the order's reservation still holds for that SKU at that location.

    The reservation is consumed even for a line whose on-hand change is stale: a later WMS count
    already reflects the units leaving, but the order's hold must still be lifted. A shipment id
    is consumed once (`shipments` on the reservation), so a repeated shipment consumes nothing;
    `applied` names the SKUs whose on-hand change this event already made (their markers exist).
    """
    consumable = (
        reservation is not None
        and reservation.status is ReservationStatus.HELD
        and shipment.location_id in reservation.locations()
        and shipment.shipment_id not in reservation.shipments
    )
    # A split order is held at several locations: a shipment consumes only what its own holds.
    outstanding = reservation.outstanding_at(shipment.location_id) if reservation is not None and consumable else {}
    updates: list[PositionUpdate] = []
    consumed_now: dict[str, int] = {}
    applied_now: list[str] = []
    for sku, quantity in sorted(shipment.quantities_by_sku().items()):
        position = positions.get(sku)
        fresh = sku not in applied and is_fresh_delta(position, shipment.source_sequence)
        release = min(quantity, outstanding.get(sku, 0))
        if not fresh and release == 0:
            continue
        on_hand = position.on_hand if position else 0
        reserved = position.reserved if position else 0
        last_sequence = position.last_sequence if position else shipment.source_sequence
        updates.append(
            PositionUpdate(
                sku=sku,
                location_id=shipment.location_id,
                on_hand=max(on_hand - quantity, 0) if fresh else on_hand,
                reserved=max(reserved - release, 0),
                last_sequence=max(last_sequence, shipment.source_sequence) if fresh else last_sequence,
                expected_version=position.version if position else None,
                count_sequence=position.counted_at_sequence if position else -1,
            )
        )
        if fresh:
            applied_now.append(sku)
        if release:
            consumed_now[sku] = release
    consumption = None
    if reservation is not None and consumed_now:
        consumed = dict(reservation.consumed)
        for sku, units in consumed_now.items():
            consumed[sku] = consumed.get(sku, 0) + units
        done = all(consumed.get(line.sku, 0) >= line.quantity for line in reservation.lines)
        consumption = ReservationConsumption(
            order_id=reservation.order_id,
            consumed=consumed,
            status=ReservationStatus.CONSUMED if done else ReservationStatus.HELD,
            shipments=[*reservation.shipments, shipment.shipment_id],
            expected_version=reservation.version,
        )
    return ShipmentPlan(
        positions=tuple(updates),
        reservation=consumption,
        consumed_now=consumed_now,
        event_id=shipment.event_id,
        sequence=shipment.source_sequence,
        applied_skus=tuple(applied_now),
    )
