"""HeldOrdersRetry: orders ON_HOLD for stock are looked at again when stock may have arrived
(issue 10.4), oldest received first, so the first customer to wait is the first served.

Each run reads the held orders (shared/adapters/held_orders.py) and, for each, the positions of
its lines at the location it was tried at: an order every line of which is now available starts
OrderFlow again with its kept input (ReserveStock reserves all or nothing, so a run that lost the
race to another order leaves it ON_HOLD, held again). Units counted for an earlier order in the same
run are not offered to a later one, so one delivery of stock does not restart more orders than it
can serve. An order that left ON_HOLD meanwhile (cancelled, accepted by a replay) is let go.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from shared.adapters.held_orders import HeldOrdersPort
from shared.adapters.order_flow import OrderFlowPort
from shared.adapters.state_store import StateStore
from shared.flow_start import execution_name
from shared.models import Order, OrderCancellation, OrderStatus, utc_now
from shared.models.order_flow import FlowAction, FlowInput
from shared.observability import logger

MAX_HELD_PER_RUN = 200


@dataclass
class HeldRun:
    restarted: list[str] = field(default_factory=list)
    still_short: int = 0
    let_go: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "restarted": self.restarted,
            "still_short": self.still_short,
            "let_go": self.let_go,
            "unreadable": self.unreadable,
        }


def _still_on_hold(held: HeldOrdersPort, store: StateStore, order_id: str, order: Order) -> bool:
    """Whether the order is still ON_HOLD; one that left it (cancelled, accepted) is let go."""
    record = store.get_order(order.channel, order.channel_order_id)
    if record is not None and record.status is OrderStatus.ON_HOLD:
        return True
    held.release(order_id)
    return False


def retry_held_orders(
    held: HeldOrdersPort,
    store: StateStore,
    flow: OrderFlowPort,
    default_location_id: str,
    limit: int = MAX_HELD_PER_RUN,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
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
        if not _still_on_hold(held, store, waiting.order_id, order):
            run.let_go.append(waiting.order_id)
            continue
        location = waiting.location_id or order.fulfilment_location_id or default_location_id
        wanted: Counter[str] = Counter()
        for line in order.lines:
            wanted[line.sku] += line.quantity
        positions = store.get_positions(location, wanted)
        if not all(
            sku in positions and positions[sku].available - promised[(sku, location)] >= quantity
            for sku, quantity in wanted.items()
        ):
            run.still_short += 1
            continue
        for sku, quantity in wanted.items():
            promised[(sku, location)] += quantity
        flow.start(execution_name(flow_input, suffix=f"held-{suffix()}"), flow_input.execution_input())
        run.restarted.append(waiting.order_id)
    return run


def _held_input(held: HeldOrdersPort, store: StateStore, order_id: str) -> FlowInput | None:
    """The kept flow input of an order still ON_HOLD; None (letting go of it) otherwise."""
    waiting = held.get(order_id)
    if waiting is None:
        return None
    flow_input = FlowInput.model_validate(waiting.execution_input)
    return flow_input if _still_on_hold(held, store, order_id, flow_input.require_order()) else None


def release_held_order(
    held: HeldOrdersPort,
    store: StateStore,
    flow: OrderFlowPort,
    order_id: str,
    suffix: Callable[[], str] = lambda: uuid.uuid4().hex[:8],
) -> str | None:
    """An operator's release of one held order (`POST /v1/ops/orders/{channel}/{id}/release`): its
    flow starts again now, whatever the positions say (ReserveStock still reserves all or nothing:
    still short, it is held again). The execution's name; None when the order is not ON_HOLD."""
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
