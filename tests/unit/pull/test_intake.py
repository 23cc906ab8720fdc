"""Queuing pulled records: one envelope per business fact, whatever path and however often it comes."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.ingest.logic.accept import event_id_for as webhook_event_id_for
from functions.intake.logic.amazon_events import accept_partner_event
from shared.models import Envelope
from shared.pulled_intake import event_id_for
from tests.support.events import load_event
from tests.unit.pull.fakes import intake

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


def test_the_same_amazon_order_by_notification_and_by_poll_is_queued_once() -> None:
    pulled, published, _, trace = intake()
    notification = load_event("amazon/order_change_unshipped")
    polled = load_event("amazon/get_orders_response")["payload"]["Orders"][0]

    by_event = pulled.accept("amazon", notification, now=NOW)
    by_poll = pulled.accept("amazon", polled, now=NOW)
    again = pulled.accept("amazon", notification, now=NOW)

    assert [o.status for o in (by_event, by_poll, again)] == ["accepted", "duplicate", "duplicate"]
    assert len(published.envelopes) == 1
    assert by_poll.correlation_id == by_event.correlation_id == again.correlation_id
    assert [status for _, _, status, _ in trace.entries] == ["accepted", "duplicate", "duplicate"]


def test_a_queued_envelope_carries_the_vendor_record_and_the_webhook_event_id_formula() -> None:
    pulled, published, _, _ = intake()
    notification = load_event("amazon/order_change_unshipped")

    outcome = pulled.accept("amazon", notification, now=NOW)

    (envelope,) = published.envelopes
    assert isinstance(envelope, Envelope)
    assert envelope.payload == notification
    assert (envelope.source, envelope.domain, envelope.event_type) == ("amazon", "orders", "ORDER_CHANGE")
    assert envelope.delivery_id == "order/113-5467394-8722613/accept"
    assert outcome.event_id == envelope.event_id == event_id_for("amazon", envelope.delivery_id)
    assert envelope.event_id == webhook_event_id_for("amazon", envelope.delivery_id)


def test_a_cancellation_after_the_order_is_its_own_delivery() -> None:
    pulled, published, _, _ = intake()

    pulled.accept("amazon", load_event("amazon/order_change_unshipped"), now=NOW)
    cancelled = pulled.accept("amazon", load_event("amazon/order_change_canceled"), now=NOW)

    assert cancelled.status == "accepted"
    assert [e.delivery_id for e in published.envelopes] == [
        "order/113-5467394-8722613/accept",
        "order/113-5467394-8722613/cancel",
    ]


def test_records_we_do_not_act_on_are_counted_but_neither_queued_nor_remembered() -> None:
    pulled, published, dedupe, trace = intake()

    outcome = pulled.accept("amazon", load_event("amazon/order_change_pending"), now=NOW)

    assert outcome.status == "ignored"
    assert published.envelopes == [] and dedupe.results == {} and trace.entries == []


def test_an_unreadable_notification_is_reported_not_raised_and_queues_nothing() -> None:
    pulled, published, dedupe, _ = intake()
    event = load_event("amazon/order_change_unshipped")
    del event["detail"]["Payload"]["OrderChangeNotification"]["AmazonOrderId"]

    result = accept_partner_event(event, pulled, now=NOW)

    assert result["status"] == "invalid"
    assert "AmazonOrderId" in result["problem"]
    assert published.envelopes == [] and dedupe.results == {}


def test_an_event_from_another_source_on_the_bus_is_refused() -> None:
    pulled, published, _, _ = intake()
    event = load_event("amazon/order_change_unshipped")
    event["source"] = "com.example.spoof"

    outcome = pulled.accept("amazon", event, now=NOW)

    assert outcome.status == "invalid"
    assert published.envelopes == []
