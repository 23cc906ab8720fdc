"""Domain events the OrderFlow publishes: canonical model JSON + schema_version + correlation_id."""

from __future__ import annotations

from typing import Any

from functions.orders.logic.order_lifecycle import event_type_for
from shared.models import Order, OrderCancellation, OrderStatus, order_id_for
from shared.models.order_flow import DomainEvent


def _extras(extra: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in extra.items() if value not in (None, [], {})}


def order_event(status: OrderStatus, order: Order, correlation_id: str, **extra: Any) -> DomainEvent:
    """OrderAccepted / OrderOnHold / OrderErpFailed / OrderCancelled for an order we know in full."""
    detail = order.model_copy(update={"status": status}).to_item()  # carries schema_version
    detail.update(correlation_id=correlation_id, **_extras(extra))
    return DomainEvent(event_type=event_type_for(status), detail=detail)


def cancellation_event(cancellation: OrderCancellation, correlation_id: str, **extra: Any) -> DomainEvent:
    detail = cancellation.model_dump(mode="json", exclude_none=True)  # carries schema_version
    detail.update(
        order_id=order_id_for(cancellation.channel, cancellation.channel_order_id),
        status=OrderStatus.CANCELLED.value,
        correlation_id=correlation_id,
        **_extras(extra),
    )
    return DomainEvent(event_type=event_type_for(OrderStatus.CANCELLED), detail=detail)
