"""In-memory state table: the orders StateStore and the inventory PositionStore in one, with a lock.

Every write is atomic under the lock and checks the same conditions as the DynamoDB
transactions, so concurrency tests exercise the real retry loops against a store that is
truly atomic (moto's is not guaranteed to be across threads).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from functions.inventory.logic.stock import ShipmentPlan, apply_adjustment
from shared.adapters.state_store import CommitResult, OrderRef, ReservationContext, order_refs
from shared.errors import StaleUpdate
from shared.models import InventoryAdjustment, InventoryPosition, OrderCancellation, OrderStatus, order_id_for
from shared.models.state import OrderRecord, Reservation, ReservationLine, ReservationStatus
from shared.reservation import PositionRelease, PositionReserve


class InMemoryStateTable:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orders: dict[tuple[str, str], OrderRecord] = {}
        self.reservations: dict[str, Reservation] = {}
        self.positions: dict[tuple[str, str], InventoryPosition] = {}
        self.reserve_attempts = 0
        self.movement_markers: set[tuple[str, str, str]] = set()  # (event_id, sku, location_id)
        self.shipped: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (channel, id) -> fulfilments

    # Test setup ----------------------------------------------------------------------------------

    def put_position(self, sku: str, location_id: str, on_hand: int, reserved: int = 0, version: int = 1) -> None:
        self.positions[(sku, location_id)] = InventoryPosition(
            sku=sku,
            location_id=location_id,
            on_hand=on_hand,
            reserved=reserved,
            last_sequence=0,
            version=version,
        )

    def position(self, sku: str, location_id: str) -> InventoryPosition:
        return self.positions[(sku, location_id)]

    # Orders --------------------------------------------------------------------------------------

    def get_order(self, channel: str, channel_order_id: str) -> OrderRecord | None:
        with self.lock:
            record = self.orders.get((channel, channel_order_id))
            return record.model_copy(deep=True) if record else None

    def find_orders(self, ref: OrderRef, value: str) -> list[OrderRecord]:
        """What the pointer items answer on DynamoDB (`DynamoStateStore.find_orders`)."""
        with self.lock:
            found = [r for r in self.orders.values() if (ref, value) in order_refs(r)]
            return [r.model_copy(deep=True) for r in sorted(found, key=lambda r: (r.channel, r.channel_order_id))]

    def save_order(self, record: OrderRecord, expected_status: OrderStatus | None) -> bool:
        with self.lock:
            key = (record.channel, record.channel_order_id)
            current = self.orders.get(key)
            if (current.status if current else None) != expected_status:
                return False
            self.orders[key] = record.model_copy(deep=True)
            return True

    def mark_cancelled(self, cancellation: OrderCancellation, correlation_id: str, at: datetime) -> OrderRecord:
        with self.lock:
            key = (cancellation.channel, cancellation.channel_order_id)
            current = self.orders.get(key)
            if current is None:
                current = OrderRecord(
                    order_id=order_id_for(*key),
                    channel=cancellation.channel,
                    channel_order_id=cancellation.channel_order_id,
                    status=OrderStatus.CANCELLED,
                    correlation_id=correlation_id,
                    updated_at=at,
                )
            current = current.model_copy(
                update={
                    "status": OrderStatus.CANCELLED,
                    "cancel_reason": cancellation.reason,
                    "updated_at": at,
                }
            )
            self.orders[key] = current
            return current.model_copy(deep=True)

    # Reservations and positions ------------------------------------------------------------------

    def get_reservation(self, order_id: str) -> Reservation | None:
        with self.lock:
            reservation = self.reservations.get(order_id)
            return reservation.model_copy(deep=True) if reservation else None

    def reservation_context(
        self, channel: str, channel_order_id: str, order_id: str, location_id: str, skus: Iterable[str]
    ) -> ReservationContext:
        return ReservationContext(
            self.get_order(channel, channel_order_id),
            self.get_reservation(order_id),
            self.get_positions(location_id, skus),
        )

    def get_positions(self, location_id: str, skus: Iterable[str]) -> dict[str, InventoryPosition]:
        with self.lock:
            return {
                sku: self.positions[(sku, location_id)].model_copy()
                for sku in set(skus)
                if (sku, location_id) in self.positions
            }

    def get_positions_at(
        self, location_ids: Sequence[str], skus: Iterable[str]
    ) -> dict[str, dict[str, InventoryPosition]]:
        wanted = list(skus)
        return {location_id: self.get_positions(location_id, wanted) for location_id in location_ids}

    def unknown_skus(self, skus: Iterable[str]) -> set[str]:
        """No product master here: a SKU is known when some location has a position for it."""
        return {sku for sku in set(skus) if not self.positions_for_sku(sku)}

    def positions_for_sku(self, sku: str) -> list[InventoryPosition]:
        with self.lock:
            return [p.model_copy() for (s, _), p in self.positions.items() if s == sku]

    def fulfilments(self, channel: str, channel_order_id: str) -> list[dict[str, Any]]:
        """The order's shipments as the ERP took them (none in this fake unless a test adds some)."""
        with self.lock:
            return [dict(f) for f in self.shipped.get((channel, channel_order_id), [])]

    def try_reserve(
        self, reservation: Reservation, channel: str, channel_order_id: str, writes: Sequence[PositionReserve]
    ) -> CommitResult:
        with self.lock:
            self.reserve_attempts += 1
            if reservation.order_id in self.reservations:
                return CommitResult.RESERVATION_EXISTS
            order = self.orders.get((channel, channel_order_id))
            if order is not None and order.status is OrderStatus.CANCELLED:
                return CommitResult.ORDER_CANCELLED
            for write in writes:
                position = self.positions.get((write.sku, write.location_id))
                if position is None or position.version != write.expected_version or position.on_hand < write.needed:
                    return CommitResult.CONFLICT
            self.reservations[reservation.order_id] = reservation.model_copy(deep=True)
            for write in writes:
                key = (write.sku, write.location_id)
                position = self.positions[key]
                self.positions[key] = position.model_copy(
                    update={"reserved": position.reserved + write.quantity, "version": position.version + 1}
                )
            return CommitResult.COMMITTED

    def try_release(self, reservation: Reservation, releases: Sequence[PositionRelease], at: datetime) -> CommitResult:
        return self._release(reservation, releases, lambda current: {"status": ReservationStatus.RELEASED})

    def try_release_lines(
        self,
        reservation: Reservation,
        releases: Sequence[PositionRelease],
        lines: Sequence[ReservationLine],
        change_id: str,
        at: datetime,
    ) -> CommitResult:
        return self._release(
            reservation,
            releases,
            lambda current: {"lines": list(lines), "line_cancellations": [*current.line_cancellations, change_id]},
        )

    def try_discard(self, reservation: Reservation, releases: Sequence[PositionRelease], at: datetime) -> CommitResult:
        result = self._release(reservation, releases, lambda current: {})
        if result is CommitResult.COMMITTED:
            with self.lock:
                del self.reservations[reservation.order_id]
        return result

    def _release(
        self,
        reservation: Reservation,
        releases: Sequence[PositionRelease],
        changes: Callable[[Reservation], dict[str, Any]],
    ) -> CommitResult:
        """What the Dynamo transaction does: the reservation still HELD at the version read and every
        position holding enough, else nothing; then `reserved -= q` and the reservation's changes."""
        with self.lock:
            current = self.reservations.get(reservation.order_id)
            if (
                current is None
                or current.status is not ReservationStatus.HELD
                or current.version != reservation.version
            ):
                return CommitResult.CONFLICT
            for release in releases:
                position = self.positions.get((release.sku, release.location_id))
                if position is None or position.reserved < release.quantity:
                    return CommitResult.CONFLICT
            self.reservations[reservation.order_id] = current.model_copy(
                update={**changes(current), "version": current.version + 1}
            )
            for release in releases:
                key = (release.sku, release.location_id)
                position = self.positions[key]
                self.positions[key] = position.model_copy(
                    update={"reserved": position.reserved - release.quantity, "version": position.version + 1}
                )
            return CommitResult.COMMITTED

    # Inventory -----------------------------------------------------------------------------------

    def apply_adjustment(self, adjustment: InventoryAdjustment, at: datetime) -> InventoryPosition:
        with self.lock:
            key = (adjustment.sku, adjustment.location_id)
            updated = apply_adjustment(self.positions.get(key), adjustment, at)
            if updated is None:
                raise StaleUpdate(f"{key}: sequence {adjustment.source_sequence} is not newer")
            self.positions[key] = updated
            return updated.model_copy()

    def applied_skus(self, event_id: str, location_id: str, skus: Iterable[str]) -> set[str]:
        with self.lock:
            return {sku for sku in skus if (event_id, sku, location_id) in self.movement_markers}

    def commit_shipment(self, plan: ShipmentPlan, at: datetime) -> bool:
        with self.lock:
            location_id = plan.positions[0].location_id if plan.positions else ""
            markers = {(plan.event_id, sku, location_id) for sku in plan.applied_skus}
            if markers & self.movement_markers:
                return False
            for update in plan.positions:
                current = self.positions.get((update.sku, update.location_id))
                if (current.version if current else None) != update.expected_version:
                    return False
            if plan.reservation is not None:
                reservation = self.reservations.get(plan.reservation.order_id)
                if (
                    reservation is None
                    or reservation.status is not ReservationStatus.HELD
                    or reservation.version != plan.reservation.expected_version
                ):
                    return False
            for update in plan.positions:
                self.positions[(update.sku, update.location_id)] = update.written(at)
            self.movement_markers |= markers
            if plan.reservation is not None:
                consumption = plan.reservation
                self.reservations[consumption.order_id] = self.reservations[consumption.order_id].model_copy(
                    update={
                        "consumed": dict(consumption.consumed),
                        "status": consumption.status,
                        "shipments": list(consumption.shipments),
                        "version": consumption.expected_version + 1,
                    }
                )
            return True
