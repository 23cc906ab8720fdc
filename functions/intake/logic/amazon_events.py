"""An ORDER_CHANGE notification from the SP-API partner event bus -> the orders queue (once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.observability import logger
from shared.pulled_intake import PulledIntake


def accept_partner_event(event: dict[str, Any], intake: PulledIntake, *, now: datetime) -> dict[str, Any]:
    """Queue the notification's order (dedupe by order and action); an unreadable event is logged and
    dropped (EventBridge retrying it would not help; the backup poll still finds the order)."""
    outcome = intake.accept("amazon", event, now=now)
    if outcome.status == "invalid":
        logger.error("SP-API event is not a readable notification", event_id=event.get("id"), problem=outcome.problem)
    else:
        logger.info(
            "SP-API notification " + outcome.status,
            event_id=event.get("id"),
            delivery_id=outcome.delivery_id,
            correlation_id=outcome.correlation_id,
        )
    return {
        "status": outcome.status,
        "delivery_id": outcome.delivery_id,
        "event_id": outcome.event_id,
        "correlation_id": outcome.correlation_id,
        "problem": outcome.problem,
    }
