"""The Zendesk connector against the Zendesk-like sandbox: Events API body, API-token auth, errors."""

from __future__ import annotations

import pytest

from functions.customer_status.adapters.helpdesk import ZendeskEvents, track_event_body
from functions.customer_status.models.status import CustomerOrderStatus, OrderStatusView, StatusLine
from local.sandboxes.helpdesk import LOCAL_API_TOKEN, LOCAL_EMAIL, HelpdeskSandbox
from shared.errors import Rejected, Unavailable
from tests.support.sandboxes import sandbox_fixture

VIEW = OrderStatusView(
    channel="shopify",
    channel_order_id="1001",
    status=CustomerOrderStatus.CONFIRMED,
    placed_at="2026-11-23T10:00:00Z",
    currency="USD",
    updated_at="2026-11-23T10:00:05Z",
    lines=[StatusLine(sku="SKU-1", quantity=2)],
    shipments=[],
    returns=[],
)


sandbox = sandbox_fixture(HelpdeskSandbox)


def test_a_status_lands_on_the_buyers_timeline_at_the_time_of_the_change(sandbox: HelpdeskSandbox) -> None:
    ZendeskEvents(sandbox.url, lambda: (LOCAL_EMAIL, LOCAL_API_TOKEN)).track(VIEW, "ada@example.com")

    (event,) = sandbox.events()
    assert event["profile"] == {
        "source": "retail-sync",
        "type": "customer",
        "identifiers": [{"type": "email", "value": "ada@example.com"}, {"type": "order", "value": "shopify:1001"}],
    }
    assert (event["type"], event["created_at"]) == ("order_status", "2026-11-23T10:00:05Z")
    assert event["properties"]["status"] == "CONFIRMED"


def test_without_an_email_the_order_reference_identifies_the_profile() -> None:
    body = track_event_body(VIEW, None)
    assert body["profile"]["identifiers"] == [{"type": "order", "value": "shopify:1001"}]


def test_wrong_credentials_are_a_refusal_and_an_outage_is_transient(sandbox: HelpdeskSandbox) -> None:
    with pytest.raises(Rejected):
        ZendeskEvents(sandbox.url, lambda: (LOCAL_EMAIL, "wrong")).track(VIEW, None)
    with pytest.raises(Unavailable):
        ZendeskEvents("http://127.0.0.1:9", lambda: (LOCAL_EMAIL, LOCAL_API_TOKEN), timeout=0.5).track(VIEW, None)
    assert sandbox.events() == []
