"""CancelOrder: mark the order cancelled (or leave a tombstone), release its stock, close the ERP order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from functions.orders.adapters.erp import ErpPort
from functions.orders.logic.events import cancellation_event
from shared.adapters.state_store import CommitResult, StateStore
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification, ErpRejected, ErpThrottled, ErpUnavailable
from shared.models import utc_now
from shared.models.order_flow import DomainEvent, FlowInput
from shared.models.state import ReservationStatus
from shared.reservation import plan_release
from shared.retry import RetryPolicy

HOP = "cancel-order"
ERP_HOP = "erp"


def release_reservation(
    store: StateStore, order_id: str, retry: RetryPolicy, now: Callable[[], datetime] = utc_now
) -> dict[str, int]:
    """Give a HELD reservation's outstanding units back; units released per SKU ({} if nothing was held)."""
    for attempt in range(retry.max_attempts):
        reservation = store.get_reservation(order_id)
        if reservation is None or reservation.status is not ReservationStatus.HELD:
            return {}
        outstanding = reservation.outstanding()
        positions = store.get_positions(reservation.location_id, outstanding)
        releases = plan_release(outstanding, reservation.location_id, positions)
        if store.try_release(reservation, releases, now()) is CommitResult.COMMITTED:
            return {release.sku: release.quantity for release in releases}
        retry.pause(attempt)
    raise ConcurrentModification(f"reservation of {order_id} kept changing while being released")


def cancel_order(
    flow: FlowInput,
    store: StateStore,
    erp: ErpPort,
    trace: TraceSink,
    retry: RetryPolicy | None = None,
    now: Callable[[], datetime] = utc_now,
) -> DomainEvent:
    """Every step is idempotent, so the task can be retried as a whole.

    The order item is marked first: from then on ReserveStock refuses to reserve (its transaction
    checks the order item), so a release here can never race a reservation into leaking stock.
    ERP errors propagate (by class name) after the stock is released.
    """
    retry = retry or RetryPolicy()
    cancellation = flow.require_cancellation()
    cid = flow.correlation_id
    record = store.mark_cancelled(cancellation, cid, now())
    released = release_reservation(store, record.order_id, retry, now)
    try:
        erp_closed = erp.cancel_sales_order(record.order_id)
    except (ErpThrottled, ErpUnavailable, ErpRejected) as exc:
        trace.record(cid, ERP_HOP, "failed", {"order_id": record.order_id, "error": type(exc).__name__})
        raise
    trace.record(
        cid,
        HOP,
        "cancelled",
        {
            "order_id": record.order_id,
            "released": released,
            "tombstone": record.order is None,
            "erp": erp_closed,
        },
    )
    return cancellation_event(
        cancellation,
        cid,
        erp_sales_order_id=record.erp_sales_order_id,
        released=[{"sku": sku, "quantity": q} for sku, q in sorted(released.items())],
    )
