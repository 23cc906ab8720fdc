"""ReserveStock: source the order (shared/sourcing.py: one location, or a split over several by
the sourcing rules) and hold every line there, or put the order on hold.

Reads: the order, its reservation and the first candidate's positions in one BatchGetItem (the
common case, fully stocked at the preferred location, costs no more than before sourcing); only
when that location is short, one more BatchGetItem for the other candidates.

A completed store sale (Square, POS files) is not reserved: the goods already left the store, so
its units come off on hand there, once, and the flow goes on to the ERP (outcome SOLD, never
ON_HOLD; units the count did not hold become a variance: shared/store_sales.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from functions.orders.logic.flow_failure import ExceptionWriter, order_exception
from functions.orders.logic.order_lifecycle import blocks_reservation
from shared.adapters.exception_store import exception_id
from shared.adapters.state_store import CommitResult, StateStore
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification
from shared.failures import Category
from shared.locations import load_locations
from shared.models import InventoryPosition, Order, utc_now
from shared.models.fulfilment import FulfilmentInstruction, SourcingRules
from shared.models.order_flow import FlowInput, ReserveOutcome, ReserveStockOutput
from shared.models.state import Reservation, ReservationLine, Shortage
from shared.retry import RetryPolicy
from shared.review import ReviewRules, review_reason
from shared.sourcing import Candidates, candidates_for, instructions, plan_sourcing, reservation_instructions
from shared.store_sales import StoreSaleStore, apply_store_sale, is_store_sale

HOP = "reserve-stock"


@dataclass(frozen=True)
class ReservePolicy:
    default_location_id: str
    hold_seconds: int = 7 * 24 * 3600
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # None: every order is held at its own or the default location (no sourcing rules).
    rules: SourcingRules | None = None
    review: ReviewRules | None = None  # None: no order waits for payment or fraud review
    # Where an order the product master or the registry does not know is raised (kind `order`,
    # category `validation`); None: it is only traced and published with its problems.
    exceptions: ExceptionWriter | None = None


def reserve_stock(
    flow: FlowInput,
    store: StateStore,
    trace: TraceSink,
    policy: ReservePolicy,
    now: Callable[[], datetime] = utc_now,
    sales: StoreSaleStore | None = None,
) -> ReserveStockOutput:
    """RESERVED, ALREADY_RESERVED (a replay), ON_HOLD (short: nothing reserved) or CANCELLED (tombstone);
    SOLD for a store sale (`sales` applies it; required for the channels of store sales).

    Raises ConcurrentModification when other writers keep winning the race for the positions;
    the state machine retries the task.
    """
    order = flow.require_order()
    if is_store_sale(order):
        if sales is None:
            raise ValueError(f"store sale {order.order_id}: ReserveStock was given no store-sale store")
        return sell_at_store(flow, store, sales, trace, now)
    candidates = candidates_for(order, policy.rules, policy.default_location_id)
    location_id = candidates.locations[0]
    cid = flow.correlation_id
    quantities = order.quantities_by_sku()
    context = store.reservation_context(order.channel, order.channel_order_id, order.order_id, location_id, quantities)

    def answer(
        outcome: ReserveOutcome,
        location: str = location_id,
        shortages: Sequence[Shortage] = (),
        fulfilments: Sequence[FulfilmentInstruction] = (),
        problems: Sequence[str] = (),
        **detail: object,
    ) -> ReserveStockOutput:
        if shortages:
            detail["shortages"] = [shortage.model_dump() for shortage in shortages]
        if len(fulfilments) > 1:
            detail["split"] = {f.location_id: f.quantities() for f in fulfilments}
        review = None
        if outcome in (ReserveOutcome.RESERVED, ReserveOutcome.ALREADY_RESERVED) and not flow.review_released:
            review = review_reason(order, policy.review, context.prices)
        if review:
            detail["review"] = review
        if problems:
            detail["problems"] = list(problems)
        trace.record(cid, HOP, outcome.value.lower(), {"order_id": order.order_id, "location_id": location, **detail})
        return ReserveStockOutput(
            outcome=outcome,
            location_id=location,
            shortages=list(shortages),
            fulfilments=list(fulfilments),
            review=review,
            problems=list(problems),
        )

    if blocks_reservation(context.order.status if context.order else None):
        return answer(ReserveOutcome.CANCELLED)
    existing = context.reservation
    if existing is not None:
        return answer(
            ReserveOutcome.ALREADY_RESERVED,
            existing.location_id,
            fulfilments=reservation_instructions(existing, load_locations(), candidates.pickup),
            status=existing.status.value,
        )

    positions: dict[str, dict[str, InventoryPosition]] = {location_id: dict(context.positions)}
    for attempt in range(policy.retry.max_attempts):
        if attempt:  # the last attempt lost a race: read the positions again
            positions = dict(store.get_positions_at(list(positions), quantities))
        plan = plan_sourcing(quantities, candidates, positions)
        if plan.is_short and len(positions) < len(candidates.locations):
            positions.update(store.get_positions_at(list(candidates.locations[len(positions) :]), quantities))
            plan = plan_sourcing(quantities, candidates, positions)
        if plan.is_short:
            problems = validate(order, candidates, plan.shortages, store, policy)
            if problems:
                raise_invalid(flow, problems, policy, now)
            return answer(ReserveOutcome.ON_HOLD, shortages=plan.shortages, problems=problems)
        created = now()
        home = plan.location_id
        reservation = Reservation(
            order_id=order.order_id,
            location_id=home,
            lines=[
                ReservationLine(sku=sku, quantity=q, location_id=None if at == home else at)
                for at, units in plan.lines_by_location.items()
                for sku, q in sorted(units.items())
            ],
            correlation_id=cid,
            created_at=created,
            hold_expires_at=int(created.timestamp()) + policy.hold_seconds,
        )
        result = store.try_reserve(reservation, order.channel, order.channel_order_id, plan.writes)
        if result is CommitResult.COMMITTED:
            planned = instructions(order.order_id, plan.lines_by_location, load_locations(), candidates.pickup)
            return answer(ReserveOutcome.RESERVED, home, fulfilments=planned, lines=quantities)
        if result is CommitResult.RESERVATION_EXISTS:  # another run of this order reserved first
            theirs = store.get_reservation(order.order_id)
            return answer(
                ReserveOutcome.ALREADY_RESERVED,
                theirs.location_id if theirs else home,
                fulfilments=reservation_instructions(theirs, load_locations(), candidates.pickup) if theirs else (),
            )
        if result is CommitResult.ORDER_CANCELLED:
            return answer(ReserveOutcome.CANCELLED)
        policy.retry.pause(attempt)
    trace.record(cid, HOP, "conflict", {"order_id": order.order_id, "attempts": policy.retry.max_attempts})
    raise ConcurrentModification(
        f"positions for {order.order_id} kept changing after {policy.retry.max_attempts} attempts"
    )


def sell_at_store(
    flow: FlowInput,
    store: StateStore,
    sales: StoreSaleStore,
    trace: TraceSink,
    now: Callable[[], datetime] = utc_now,
) -> ReserveStockOutput:
    """SOLD once on hand at the store has the sale (now or before: a replay changes nothing), or
    CANCELLED when the order was cancelled first. Never ON_HOLD: the sale already happened."""
    order = flow.require_order()
    location_id = order.fulfilment_location_id or ""
    cid = flow.correlation_id
    current = store.get_order(order.channel, order.channel_order_id)
    if blocks_reservation(current.status if current else None):
        trace.record(cid, HOP, "cancelled", {"order_id": order.order_id, "location_id": location_id})
        return ReserveStockOutput(outcome=ReserveOutcome.CANCELLED, location_id=location_id)
    sold = apply_store_sale(order, sales, cid, now)
    quantities = order.quantities_by_sku()
    shortages = [
        Shortage(sku=sku, requested=quantities[sku], available=quantities[sku] - short)
        for sku, short in sorted(sold.shortfall.items())
    ]
    detail: dict[str, object] = {"order_id": order.order_id, "location_id": location_id, "taken": sold.applied}
    if sold.stale:
        detail["in_last_count"] = sold.stale
    if sold.duplicate:
        detail["already_applied"] = sold.duplicate
    if shortages:
        detail["variances"] = [shortage.model_dump() for shortage in shortages]
    trace.record(cid, HOP, "sold_at_store", detail)
    return ReserveStockOutput(outcome=ReserveOutcome.SOLD, location_id=location_id, shortages=shortages)


def validate(
    order: Order,
    candidates: Candidates,
    shortages: Sequence[Shortage],
    store: StateStore,
    policy: ReservePolicy,
) -> list[str]:
    """On the short path only (an order that reserves is known well enough, and costs nothing more):
    a SKU short because neither the product master nor any location has heard of it, or a location
    the registry does not have, will never be served by stock arriving."""
    problems: list[str] = []
    if candidates.pickup and candidates.locations[0] not in load_locations():
        problems.append(f"unknown location {candidates.locations[0]}")
    short = [shortage.sku for shortage in shortages if shortage.available == 0]
    problems += [f"unknown SKU {sku}" for sku in sorted(store.unknown_skus(short))] if short else []
    return problems


def raise_invalid(flow: FlowInput, problems: list[str], policy: ReservePolicy, now: Callable[[], datetime]) -> None:
    """One `order` exception per order (`validation`): a person sets the product or location up and
    retries it, which runs the order's flow again with the kept input."""
    if policy.exceptions is None:
        return
    order = flow.require_order()
    reason = "order validation: " + "; ".join(problems)
    record = order_exception(flow.execution_input(), reason, Category.VALIDATION.value, "ReserveStock")
    policy.exceptions.raise_open(
        "order", exception_id("order", order.placed_at, f"validation:{order.order_id}"), record, now()
    )
