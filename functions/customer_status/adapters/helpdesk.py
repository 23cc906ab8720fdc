"""The customer-service platform (Zendesk): each status change of an order on the customer's timeline.

Zendesk's Events API (https://developer.zendesk.com/api-reference/ticketing/users/events-api/events-api/,
"Track Event Against a Sunshine Profile"; guide: https://developer.zendesk.com/documentation/ticketing/events/tracking-events):
`POST /api/v2/user_profiles/events` with `{"profile": {...}, "event": {...}}` answers 202. The profile
names the person by `source`, `type` and at least one identifier (Zendesk finds or creates the
profile and its user from them); the event has `source`, `type`, `description`, `properties` (our
customer-safe view) and `created_at` (ISO 8601: the time of the change, not of the call, so a
late push lands at its place on the timeline). Authentication: an API token, Basic
`{agent_email}/token:{api_token}`; deployed both come from the vendor credentials
(`zendesk_email`, `zendesk_api_token`). 429 carries `Retry-After` (Zendesk's account-wide rate
limit): the message is retried after it.

Zendesk takes no idempotency key, so the caller claims a marker per (order, view) before the call
(`shared/adapters/call_markers.py`): a repeated event pushes nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Protocol

from functions.customer_status.models.status import OrderStatusView
from shared.adapters.http import HttpConnector

EVENTS_PATH = "/api/v2/user_profiles/events"
SOURCE = "retail-sync"
PROFILE_TYPE = "customer"
EVENT_TYPE = "order_status"


class HelpdeskPort(Protocol):
    def track(self, view: OrderStatusView, customer_email: str | None) -> None: ...


def track_event_body(view: OrderStatusView, customer_email: str | None) -> dict[str, Any]:
    """The Events API body: the profile is the buyer (their e-mail, which the helpdesk knows them
    by, when the channel gave one; always the order's own reference), the event the view."""
    identifiers = [{"type": "order", "value": f"{view.channel}:{view.channel_order_id}"}]
    if customer_email:
        identifiers.insert(0, {"type": "email", "value": customer_email})
    return {
        "profile": {"source": SOURCE, "type": PROFILE_TYPE, "identifiers": identifiers},
        "event": {
            "source": SOURCE,
            "type": EVENT_TYPE,
            "description": f"Order {view.channel_order_id} ({view.channel}): {view.status.value}",
            "created_at": view.updated_at,
            "properties": view.model_dump(mode="json"),
        },
    }


class ZendeskEvents(HttpConnector):
    system = "helpdesk"

    def __init__(self, base_url: str, credentials: Callable[[], tuple[str, str]], timeout: float = 10.0) -> None:
        """`credentials`: how to read (agent e-mail, API token) when a call is made."""
        super().__init__(base_url, timeout=timeout)
        self._credentials = credentials

    def track(self, view: OrderStatusView, customer_email: str | None) -> None:
        email, token = self._credentials()
        basic = base64.b64encode(f"{email}/token:{token}".encode()).decode()
        self._send(
            "POST",
            EVENTS_PATH,
            json=track_event_body(view, customer_email),
            headers={"Authorization": f"Basic {basic}"},
        )
