"""Reservation expiry: stock held by an abandoned order goes back after its hold ends.

Every run releases the HELD reservations whose `hold_expires_at` has passed. A release is one
transaction conditioned on the reservation still being HELD at the version read, so it races
safely with a shipment consuming it or a cancel releasing it: whichever commits first wins and the
other re-reads, finds it no longer HELD, and does nothing. Running twice releases nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from functions.inventory.dal.reservations import ReservationStore
from functions.inventory.logic.intake import inventory_changed
from shared.adapters.event_bus import BusEvent, EventBusPort
from shared.adapters.state_store import CommitResult
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification
from shared.models import utc_now
from shared.models.state import Reservation, ReservationStatus
from shared.observability import logger
from shared.reservation import plan_reservation_release
from shared.retry import RetryPolicy

HOP = "reservation-expiry"


@dataclass
class ExpiryReport:
    examined: int = 0
    released: dict[str, dict[str, int]] = field(default_factory=dict)  # order id -> units per SKU
    skipped: list[str] = field(default_factory=list)  # no longer HELD / not expired when re-read
    conflicts: list[str] = field(default_factory=list)  # kept racing; the next run retries


def release_if_expired(
    store: ReservationStore, order_id: str, now: datetime, retry: RetryPolicy
) -> tuple[Reservation, dict[str, int]] | None:
    """Release one reservation if it is still HELD and past its hold; None when there is nothing to do.

    Raises ConcurrentModification when other writers keep changing it.
    """
    for attempt in range(retry.max_attempts):
        reservation = store.get_reservation(order_id)
        if (
            reservation is None
            or reservation.status is not ReservationStatus.HELD
            or reservation.hold_expires_at > int(now.timestamp())
        ):
            return None
        outstanding = reservation.outstanding()
        releases = plan_reservation_release(reservation, outstanding, store.get_positions)
        if store.try_release(reservation, releases, now) is CommitResult.COMMITTED:
            return reservation, {release.sku: release.quantity for release in releases}
        retry.pause(attempt)
    raise ConcurrentModification(f"reservation of {order_id} kept changing while expiring")


def expire_reservations(
    store: ReservationStore,
    trace: TraceSink,
    bus: EventBusPort,
    limit: int = 500,
    retry: RetryPolicy | None = None,
    now: Callable[[], datetime] = utc_now,
) -> ExpiryReport:
    """Release every expired HELD reservation (up to `limit`); publish the positions given back."""
    retry = retry or RetryPolicy()
    started = now()
    report = ExpiryReport()
    events: list[BusEvent] = []
    for candidate in list(store.expired_reservations(int(started.timestamp()), limit)):
        report.examined += 1
        try:
            released = release_if_expired(store, candidate.order_id, now(), retry)
        except ConcurrentModification:
            logger.warning("reservation kept changing while expiring", order_id=candidate.order_id)
            report.conflicts.append(candidate.order_id)
            continue
        if released is None:
            report.skipped.append(candidate.order_id)
            continue
        reservation, units = released
        report.released[reservation.order_id] = units
        trace.record(
            reservation.correlation_id,
            HOP,
            "expired",
            {
                "order_id": reservation.order_id,
                "location_id": reservation.location_id,
                "hold_expires_at": reservation.hold_expires_at,
                "released": units,
            },
        )
        cause = {"type": "ReservationExpired", "order_id": reservation.order_id}
        for location_id, part in reservation.by_location(units).items():
            positions = store.get_positions(location_id, part)
            events.extend(inventory_changed(p, reservation.correlation_id, cause) for p in positions.values())
    if events:
        bus.publish(events)
    logger.info(
        "reservation expiry run",
        examined=report.examined,
        released=len(report.released),
        skipped=len(report.skipped),
        conflicts=len(report.conflicts),
    )
    return report
