"""Order status transitions (pure).

CANCELLED is terminal: nothing that arrives later (an accept replay, a late ERP answer) can bring
a cancelled order back. A cancellation that arrives before its order leaves a CANCELLED
tombstone, so the order's create, when it finally comes, reserves nothing and ends CANCELLED.
"""

from __future__ import annotations

from shared.models import OrderStatus

_ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset(OrderStatus),
    OrderStatus.ON_HOLD: frozenset(
        {
            OrderStatus.ON_HOLD,
            OrderStatus.IN_REVIEW,
            OrderStatus.ACCEPTED,
            OrderStatus.ERP_FAILED,
            OrderStatus.CANCELLED,
        }
    ),
    # Reserved, waiting for its payment or a person: released to the ERP, or cancelled.
    OrderStatus.IN_REVIEW: frozenset(
        {OrderStatus.IN_REVIEW, OrderStatus.ACCEPTED, OrderStatus.ERP_FAILED, OrderStatus.CANCELLED}
    ),
    # Stock is already reserved in these two: a replay cannot be short any more.
    OrderStatus.ERP_FAILED: frozenset({OrderStatus.ERP_FAILED, OrderStatus.ACCEPTED, OrderStatus.CANCELLED}),
    OrderStatus.ACCEPTED: frozenset({OrderStatus.ACCEPTED, OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset({OrderStatus.CANCELLED}),
}

EVENT_TYPES: dict[OrderStatus, str] = {
    OrderStatus.ACCEPTED: "OrderAccepted",
    OrderStatus.ON_HOLD: "OrderOnHold",
    OrderStatus.IN_REVIEW: "OrderInReview",
    OrderStatus.ERP_FAILED: "OrderErpFailed",
    OrderStatus.CANCELLED: "OrderCancelled",
}


def can_transition(current: OrderStatus | None, requested: OrderStatus) -> bool:
    return requested in _ALLOWED[current or OrderStatus.RECEIVED]


def next_status(current: OrderStatus | None, requested: OrderStatus) -> OrderStatus:
    """The status the order ends in when `requested` arrives while it is `current`.

    A transition that is not allowed leaves the order as it is (accepted cannot overwrite
    cancelled; a late on-hold cannot overwrite accepted).
    """
    return requested if can_transition(current, requested) else (current or requested)


def blocks_reservation(current: OrderStatus | None) -> bool:
    """A cancelled order (or a cancellation tombstone) must not reserve stock."""
    return current is OrderStatus.CANCELLED


def event_type_for(status: OrderStatus) -> str:
    if status not in EVENT_TYPES:
        raise ValueError(f"no event for status {status}")
    return EVENT_TYPES[status]
