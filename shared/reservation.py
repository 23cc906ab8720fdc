"""Reservation decisions (pure): where to reserve, what is short, and which position writes to make."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from shared.models import InventoryPosition, Order
from shared.models.state import Reservation, Shortage


@dataclass(frozen=True)
class PositionReserve:
    """One position write of a reservation: `reserved += quantity` under an optimistic lock.

    The write is conditioned on `version = expected_version AND on_hand >= needed`, where
    `needed = reserved_read + quantity`: what the position must still hold when the write lands.
    """

    sku: str
    location_id: str
    quantity: int
    expected_version: int
    reserved_read: int

    @property
    def needed(self) -> int:
        return self.reserved_read + self.quantity


@dataclass(frozen=True)
class PositionRelease:
    """One position write of a release: `reserved -= quantity`, conditioned on `reserved >= quantity`."""

    sku: str
    location_id: str
    quantity: int


@dataclass(frozen=True)
class ReservationPlan:
    location_id: str
    writes: tuple[PositionReserve, ...] = ()
    shortages: tuple[Shortage, ...] = ()

    @property
    def is_short(self) -> bool:
        return bool(self.shortages)


def choose_location(order: Order, default_location_id: str) -> str:
    """The order's own fulfilment location when the channel names one, else the retailer's default.

    One location per order: a split across locations is a sourcing decision (issue 4), and a
    single location keeps the reservation one all-or-nothing transaction.
    """
    return order.fulfilment_location_id or default_location_id


def plan_reservation(
    quantities: Mapping[str, int], location_id: str, positions: Mapping[str, InventoryPosition]
) -> ReservationPlan:
    """All lines or none: any SKU short at the location puts the whole order on hold.

    `positions` maps SKU to its position at `location_id`; a missing SKU has nothing available.
    """
    shortages: list[Shortage] = []
    writes: list[PositionReserve] = []
    for sku, quantity in sorted(quantities.items()):
        position = positions.get(sku)
        available = position.available if position else 0
        if position is None or available < quantity:
            shortages.append(Shortage(sku=sku, requested=quantity, available=available))
            continue
        writes.append(
            PositionReserve(
                sku=sku,
                location_id=location_id,
                quantity=quantity,
                expected_version=position.version,
                reserved_read=position.reserved,
            )
        )
    if shortages:
        return ReservationPlan(location_id=location_id, shortages=tuple(shortages))
    return ReservationPlan(location_id=location_id, writes=tuple(writes))


def plan_release(
    outstanding: Mapping[str, int], location_id: str, positions: Mapping[str, InventoryPosition]
) -> tuple[PositionRelease, ...]:
    """Give back what the reservation still holds, never taking `reserved` below zero.

    A position may hold less than the reservation says only after an anomaly (a manual fix in
    the table); releasing what is there keeps the invariant instead of failing the cancel forever.
    """
    releases: list[PositionRelease] = []
    for sku, quantity in sorted(outstanding.items()):
        position = positions.get(sku)
        held = min(quantity, position.reserved) if position else 0
        if held > 0:
            releases.append(PositionRelease(sku=sku, location_id=location_id, quantity=held))
    return tuple(releases)


def plan_reservation_release(
    reservation: Reservation,
    units: Mapping[str, int],
    read_positions: Callable[[str, Iterable[str]], Mapping[str, InventoryPosition]],
) -> tuple[PositionRelease, ...]:
    """`units` per SKU given back wherever the reservation holds each SKU (a split order holds at
    several locations): one positions read per location, `plan_release` at each."""
    releases: list[PositionRelease] = []
    for location_id, part in reservation.by_location(dict(units)).items():
        releases.extend(plan_release(part, location_id, read_positions(location_id, part)))
    return tuple(releases)
