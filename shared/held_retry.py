"""HeldOrdersRetry: orders ON_HOLD for stock are looked at again when stock may have arrived
(issue 10.4), oldest received first, so the first customer to wait is the first served.

Each run reads the held orders (shared/adapters/held_orders.py) and, for each, the positions of
its lines at the location it was tried at: an order every line of which is now available starts
OrderFlow again with its kept input (ReserveStock reserves all or nothing, so a run that lost the
race to another order leaves it ON_HOLD, held again). Units counted for an earlier order in the same
run are not offered to a later one, so one delivery of stock does not restart more orders than it
can serve. An order that left ON_HOLD meanwhile (cancelled, accepted by a replay) is let go.

The positions looked at are those of every location the sourcing rules would try for the order
(shared/sourcing.py), so an order a split can now serve is restarted too.

Orders IN_REVIEW (payment or fraud, shared/review.py) are kept in the same list: they are not
short, so stock does not restart them. One whose payment the channel has since reported cleared
(`payment_cleared`, the newest applied OrderUpdate's payment state) starts again with its review
released; an operator's release does the same for either kind of wait.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from shared.adapters.held_orders import WAITING, HeldOrdersPort
from shared.adapters.order_flow import OrderFlowPort
from shared.adapters.state_store import StateStore
from shared.flow_start import execution_name
from shared.models import Order, OrderCancellation, OrderStatus, utc_now
from shared.models.fulfilment import SourcingRules
from shared.models.order_flow import FlowAction, FlowInput
from shared.observability import logger
from shared.sourcing import candidates_for, plan_sourcing

MAX_HELD_PER_RUN = 200


@dataclass
class HeldRun:
    restarted: list[str] = field(default_factory=list)
    still_short: int = 0
    let_go: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    in_review: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _still_waiting(held: HeldOrdersPort, store: StateStore, order_id: str, order: Order) -> OrderStatus | None:
    """The order's status while ON_HOLD or IN_REVIEW; one that left both (cancelled, accepted) is let go."""
    record = store.get_order(order.channel, order.channel_order_id)
    if record is not None and record.status in WAITING:
        return record.status
    held.release(order_id)
    return None


def retry_held_orders(  # noqa: PLR0913 - the schedule's ports and its two decisions
    held: HeldOrdersPort,
    store: StateStore,
    flow: OrderFlowPort,
    default_location_id: str,
    limit: int = MAX_HELD_PER_RUN,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
    payment_cleared: Callable[[Order], bool] = lambda _: False,
    rules: SourcingRules | None = None,
) -> HeldRun:
    run = HeldRun()
    promised: Counter[tuple[str, str]] = Counter()  # units this run already offered, per (sku, location)
    for waiting in held.oldest(limit):
        try:
            flow_input = FlowInput.model_validate(waiting.execution_input)
            order = flow_input.require_order()
        except ValueError as exc:  # pydantic's ValidationError included: one bad item blocks no other
            logger.error(
                "held order with an unreadable input; left for a person",
                order_id=waiting.order_id,
                error=str(exc)[:300],
            )
            run.unreadable.append(waiting.order_id)
            continue
        status = _still_waiting(held, store, waiting.order_id, order)
        if status is None:
            run.let_go.append(waiting.order_id)
            continue
        if status is OrderStatus.IN_REVIEW:
            if not payment_cleared(order):
                run.in_review += 1
                continue
            released = flow_input.model_copy(update={"review_released": True})
            flow.start(execution_name(released, suffix=f"paid-{suffix()}"), released.execution_input())
            run.restarted.append(waiting.order_id)
            continue
        wanted = order.quantities_by_sku()
        candidates = candidates_for(order, rules, waiting.location_id or default_location_id)
        read = store.get_positions_at(list(candidates.locations), wanted)
        offered = {
            location_id: {
                sku: position.model_copy(update={"reserved": position.reserved + promised[(sku, location_id)]})
                for sku, position in by_sku.items()
            }
            for location_id, by_sku in read.items()
        }
        plan = plan_sourcing(wanted, candidates, offered)
        if plan.is_short:
            run.still_short += 1
            continue
        for location_id, units in plan.lines_by_location.items():
            for sku, quantity in units.items():
                promised[(sku, location_id)] += quantity
        flow.start(execution_name(flow_input, suffix=f"held-{suffix()}"), flow_input.execution_input())
        run.restarted.append(waiting.order_id)
    return run


def _held_input(held: HeldOrdersPort, store: StateStore, order_id: str) -> FlowInput | None:
    """The kept flow input of an order still ON_HOLD or IN_REVIEW (its review then released, since a
    person asked); None (letting go of it) otherwise."""
    waiting = held.get(order_id)
    if waiting is None:
        return None
    flow_input = FlowInput.model_validate(waiting.execution_input)
    status = _still_waiting(held, store, order_id, flow_input.require_order())
    if status is None:
        return None
    return flow_input.model_copy(update={"review_released": status is OrderStatus.IN_REVIEW})


def release_held_order(
    held: HeldOrdersPort,
    store: StateStore,
    flow: OrderFlowPort,
    order_id: str,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
) -> str | None:
    """An operator's release of one held order (`POST /v1/ops/orders/{channel}/{id}/release`): its
    flow starts again now, whatever the positions say (ReserveStock still reserves all or nothing:
    still short, it is held again); an order IN_REVIEW goes on to the ERP. The execution's name;
    None when the order is neither ON_HOLD nor IN_REVIEW."""
    flow_input = _held_input(held, store, order_id)
    if flow_input is None:
        return None
    name = execution_name(flow_input, suffix=f"release-{suffix()}")
    flow.start(name, flow_input.execution_input())
    return name


def cancel_held_order(
    held: HeldOrdersPort,
    store: StateStore,
    flow: OrderFlowPort,
    order_id: str,
    reason: str,
    now: Callable[[], datetime] = utc_now,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
) -> str | None:
    """An operator's cancellation of one held order (`POST /v1/ops/orders/{channel}/{id}/cancel`):
    OrderFlow's cancel path runs for it (nothing is reserved for an ON_HOLD order and the ERP never
    had it, so it records CANCELLED and publishes OrderCancelled; HeldOrdersRetry then lets it go).
    The channel is not told (that is the channel's own cancel API, issue 10.1's compensation).
    The execution's name; None when the order is not ON_HOLD."""
    flow_input = _held_input(held, store, order_id)
    if flow_input is None:
        return None
    order = flow_input.require_order()
    cancel = FlowInput(
        action=FlowAction.CANCEL,
        correlation_id=flow_input.correlation_id,
        event_id=f"{flow_input.event_id}-ops-cancel",
        cancellation=OrderCancellation(
            channel=order.channel, channel_order_id=order.channel_order_id, cancelled_at=now(), reason=reason
        ),
        received_at=now(),
    )
    name = execution_name(cancel, suffix=f"ops-cancel-{suffix()}")
    flow.start(name, cancel.execution_input())
    return name
