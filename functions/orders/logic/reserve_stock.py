"""ReserveStock: hold every line of an order at one location, or put the order on hold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from functions.orders.dal.state_store import CommitResult, StateStore
from functions.orders.logic.order_lifecycle import blocks_reservation
from functions.orders.logic.reservation import choose_location, plan_reservation
from functions.orders.logic.retry import RetryPolicy
from functions.orders.models.flow import FlowInput, ReserveOutcome, ReserveStockOutput, Shortage
from functions.orders.models.state import Reservation, ReservationLine
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification
from shared.models import utc_now

HOP = "reserve-stock"


@dataclass(frozen=True)
class ReservePolicy:
    default_location_id: str
    hold_seconds: int = 7 * 24 * 3600
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def reserve_stock(
    flow: FlowInput,
    store: StateStore,
    trace: TraceSink,
    policy: ReservePolicy,
    now: Callable[[], datetime] = utc_now,
) -> ReserveStockOutput:
    """RESERVED, ALREADY_RESERVED (a replay), ON_HOLD (short: nothing reserved) or CANCELLED (tombstone).

    Raises ConcurrentModification when other writers keep winning the race for the positions;
    the state machine retries the task.
    """
    order = flow.require_order()
    location_id = choose_location(order, policy.default_location_id)
    cid = flow.correlation_id

    def answer(
        outcome: ReserveOutcome,
        location: str = location_id,
        shortages: Sequence[Shortage] = (),
        **detail: object,
    ) -> ReserveStockOutput:
        if shortages:
            detail["shortages"] = [shortage.model_dump() for shortage in shortages]
        trace.record(
            cid, HOP, outcome.value.lower(), {"order_id": order.order_id, "location_id": location, **detail}
        )
        return ReserveStockOutput(outcome=outcome, location_id=location, shortages=list(shortages))

    quantities = order.quantities_by_sku()
    context = store.reservation_context(
        order.channel, order.channel_order_id, order.order_id, location_id, quantities
    )
    if blocks_reservation(context.order.status if context.order else None):
        return answer(ReserveOutcome.CANCELLED)
    existing = context.reservation
    if existing is not None:
        return answer(ReserveOutcome.ALREADY_RESERVED, existing.location_id, status=existing.status.value)

    positions = context.positions
    for attempt in range(policy.retry.max_attempts):
        if attempt:  # the last attempt lost a race: read the positions again
            positions = store.get_positions(location_id, quantities)
        plan = plan_reservation(quantities, location_id, positions)
        if plan.is_short:
            return answer(ReserveOutcome.ON_HOLD, shortages=plan.shortages)
        created = now()
        reservation = Reservation(
            order_id=order.order_id,
            location_id=location_id,
            lines=[ReservationLine(sku=sku, quantity=q) for sku, q in sorted(quantities.items())],
            correlation_id=cid,
            created_at=created,
            hold_expires_at=int(created.timestamp()) + policy.hold_seconds,
        )
        result = store.try_reserve(reservation, order.channel, order.channel_order_id, plan.writes)
        if result is CommitResult.COMMITTED:
            return answer(ReserveOutcome.RESERVED, lines=quantities)
        if result is CommitResult.RESERVATION_EXISTS:
            return answer(ReserveOutcome.ALREADY_RESERVED)
        if result is CommitResult.ORDER_CANCELLED:
            return answer(ReserveOutcome.CANCELLED)
        policy.retry.pause(attempt)
    trace.record(cid, HOP, "conflict", {"order_id": order.order_id, "attempts": policy.retry.max_attempts})
    raise ConcurrentModification(
        f"positions for {order.order_id} kept changing after {policy.retry.max_attempts} attempts"
    )
