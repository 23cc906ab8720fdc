"""What the outbound worker is asked to do: one command per domain event, with its idempotency key."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from shared.errors import PoisonMessage
from shared.models import Order, Shipment
from shared.redaction import error_summary

ORDER_ACCEPTED = "OrderAccepted"
ORDER_SHIPPED = "OrderShipped"
OUTBOUND_EVENT_TYPES = (ORDER_ACCEPTED, ORDER_SHIPPED)


class CommandKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    CONFIRM_SHIPMENT = "confirm_shipment"


class UnreadableEvent(PoisonMessage):
    """The queued message is not an OrderAccepted / OrderShipped event we can read: never retried."""


@dataclass(frozen=True)
class OutboundCommand:
    kind: CommandKind
    channel: str
    channel_order_id: str
    correlation_id: str
    event_id: str
    order: Order | None = None  # acknowledge: the accepted order (the event's detail)
    shipment: Shipment | None = None  # confirm_shipment

    @property
    def marker(self) -> str:
        """The command's key within the order: one acknowledgement, one confirmation per shipment id."""
        if self.kind is CommandKind.ACKNOWLEDGE:
            return "ACKNOWLEDGE"
        assert self.shipment is not None
        return f"SHIPMENT#{self.shipment.shipment_id}"


def _pick(model: type[Order] | type[Shipment], detail: dict[str, Any]) -> dict[str, Any]:
    # Events add fields of their own (correlation_id, order_id, ...); the canonical model forbids extras.
    return {key: value for key, value in detail.items() if key in model.model_fields}


def command_from_event(event: dict[str, Any]) -> OutboundCommand:
    """An EventBridge event (`detail-type`, `detail`, `id`) as delivered to SQS -> the command."""
    try:
        detail_type, detail = event["detail-type"], event["detail"]
        if not isinstance(detail, dict):
            raise TypeError("detail is not an object")
        correlation_id = str(detail.get("correlation_id") or event.get("id") or "unknown")
        event_id = str(event.get("id") or "")
        if detail_type == ORDER_ACCEPTED:
            order = Order.model_validate(_pick(Order, detail))
            return OutboundCommand(
                CommandKind.ACKNOWLEDGE, order.channel, order.channel_order_id, correlation_id, event_id, order=order
            )
        if detail_type == ORDER_SHIPPED:
            shipment = Shipment.model_validate(_pick(Shipment, detail))
            return OutboundCommand(
                CommandKind.CONFIRM_SHIPMENT,
                shipment.channel,
                shipment.channel_order_id,
                correlation_id,
                event_id,
                shipment=shipment,
            )
    except (KeyError, TypeError, ValidationError) as exc:
        # Field names only: str(ValidationError) would print the shipment's values (the address).
        summary = error_summary(exc)
        raise UnreadableEvent(f"not an outbound event: {summary['reason']} {summary.get('fields', '')}") from exc
    raise UnreadableEvent(f"detail-type {detail_type!r} is not an outbound command")
