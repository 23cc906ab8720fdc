"""Lines a channel cancelled on its own (Walmart PO_LINE_AUTOCANCELLED: `OrderLinesCancelled`) give
their reserved units back at once (issue 10.4), instead of holding stock until the expiry sweep.

Once per change: the reservation records the change id in the same transaction that lowers its lines
and the positions' `reserved`, so a redelivered change gives nothing back twice. Only what the
reservation still holds for a SKU is given back (never shipped units, never below zero); the last
units of the order release the whole reservation. An order not reserved yet (the change was held
until its create arrived) has its lines lowered before its flow reserves (`reduce_order_lines`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from shared.adapters.state_store import CommitResult, StateStore
from shared.errors import ConcurrentModification
from shared.models import Order, utc_now
from shared.models.money import Money
from shared.models.order_changes import OrderLinesCancelled
from shared.models.state import ReservationStatus
from shared.reservation import plan_reservation_release
from shared.retry import RetryPolicy

CENT = Decimal("0.01")


def release_cancelled_lines(
    store: StateStore,
    change: OrderLinesCancelled,
    retry: RetryPolicy | None = None,
    now: Callable[[], datetime] = utc_now,
) -> dict[str, int]:
    """Units given back per SKU ({} when nothing was held for those lines, or already given back)."""
    cancelled: Counter[str] = Counter()
    for line in change.lines:
        cancelled[line.sku] += line.quantity
    return give_back_units(store, change.order_id, cancelled, change.change_id, retry, now)


def give_back_units(
    store: StateStore,
    order_id: str,
    cancelled: Mapping[str, int],
    change_id: str,
    retry: RetryPolicy | None = None,
    now: Callable[[], datetime] = utc_now,
) -> dict[str, int]:
    """`cancelled` units per SKU given back from the order's HELD reservation, once per `change_id`
    (wherever each SKU is held); units given back per SKU."""
    retry = retry or RetryPolicy()
    for attempt in range(retry.max_attempts):
        reservation = store.get_reservation(order_id)
        if (
            reservation is None
            or reservation.status is not ReservationStatus.HELD
            or change_id in reservation.line_cancellations
        ):
            return {}
        outstanding = reservation.outstanding()
        give_back = {sku: min(q, outstanding.get(sku, 0)) for sku, q in cancelled.items()}
        give_back = {sku: q for sku, q in give_back.items() if q > 0}
        if not give_back:
            return {}
        releases = plan_reservation_release(reservation, give_back, store.get_positions)
        lines = [
            line.model_copy(update={"quantity": line.quantity - give_back.get(line.sku, 0)})
            for line in reservation.lines
            if line.quantity - give_back.get(line.sku, 0) > 0
        ]
        still_held = any(line.quantity - reservation.consumed.get(line.sku, 0) > 0 for line in lines)
        if still_held:
            result = store.try_release_lines(reservation, releases, lines, change_id, now())
        else:
            result = store.try_release(reservation, releases, now())
        if result is CommitResult.COMMITTED:
            return {release.sku: release.quantity for release in releases}
        retry.pause(attempt)
    raise ConcurrentModification(f"reservation of {order_id} kept changing while lines were given back")


def reduce_order_lines(order: Order, change: OrderLinesCancelled) -> Order:
    """The order with the cancelled units taken off its lines (by channel line id, else SKU), each
    line's tax and discount scaled to what is left; a line cancelled whole is dropped. An order
    cancelled whole keeps its lines: its cancel releases it."""
    cancelled: Counter[str] = Counter()
    for cancelled_line in change.lines:
        cancelled[cancelled_line.line_id or cancelled_line.sku] += cancelled_line.quantity
    remaining = []
    for line in order.lines:
        key = line.line_id if line.line_id in cancelled else line.sku
        left = line.quantity - cancelled.pop(key, 0)
        if left >= line.quantity:
            remaining.append(line)
        elif left > 0:
            share = Decimal(left) / Decimal(line.quantity)
            remaining.append(
                line.model_copy(
                    update={
                        "quantity": left,
                        "tax": _scaled(line.tax, share),
                        "discount": _scaled(line.discount, share),
                    }
                )
            )
    if not remaining:
        return order
    return order.model_copy(update={"lines": remaining})


def _scaled(money: Money | None, share: Decimal) -> Money | None:
    if money is None:
        return None
    return money.model_copy(update={"amount": (money.amount * share).quantize(CENT, rounding=ROUND_HALF_UP)})
