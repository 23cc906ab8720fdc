"""The acceptance pipeline with in-memory ports: size, source, signature, parse, describe, dedupe, enqueue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.ingest.logic.accept import accept_webhook, event_id_for
from local.signing import fixture_request
from shared.channels.base import Headers, WebhookRequest
from shared.errors import (
    DeliveryInProgress,
    MalformedBody,
    PayloadTooLarge,
    SignatureInvalid,
    TimestampStale,
    UnknownSource,
    UpstreamUnavailable,
    ValidationFailed,
)
from tests.unit.ingest.conftest import SECRETS, Fakes

NOW = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
BASE_URL = "https://api.example.com"


def delivery(name: str, *, body: bytes | None = None, t: int | None = None) -> tuple[str, WebhookRequest]:
    source = name.split("/")[0]
    raw, headers = fixture_request(
        name, secret=SECRETS[source], base_url=BASE_URL, t=t or int(NOW.timestamp())
    )
    return source, WebhookRequest(
        method="POST",
        path_with_query=f"/v1/webhooks/{source}",
        body=raw if body is None else body,
        headers=Headers(headers),
        endpoint_url=f"{BASE_URL}/v1/webhooks/{source}",
    )


def accept(fakes: Fakes, source: str, request: WebhookRequest, correlation_id: str = "corr-00000001"):
    return accept_webhook(request, source, ports=fakes.ports, correlation_id=correlation_id, now=NOW)


def test_an_accepted_delivery_is_queued_once_in_its_domain_and_traced(fakes: Fakes) -> None:
    source, request = delivery("shopify/orders_create")
    outcome = accept(fakes, source, request)
    assert not outcome.duplicate and not outcome.ignored
    ((envelope, raw),) = fakes.publisher.published
    assert raw == request.body
    assert (envelope.source, envelope.event_type, envelope.domain) == ("shopify", "orders/create", "orders")
    assert envelope.delivery_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert envelope.event_id == outcome.event_id == event_id_for("shopify", envelope.delivery_id)
    assert envelope.payload is not None and envelope.payload["id"] == 820982911946154508
    assert [e["status"] for e in fakes.trace.entries] == ["accepted"]


def test_the_same_delivery_again_answers_duplicate_with_the_first_correlation_id(fakes: Fakes) -> None:
    source, request = delivery("shopify/orders_create")
    first = accept(fakes, source, request, "corr-first-0001")
    again = accept(fakes, source, request, "corr-retry-0002")
    assert again.duplicate and again.correlation_id == "corr-first-0001" and again.event_id == first.event_id
    assert len(fakes.publisher.published) == 1
    assert [(e["correlation_id"], e["status"]) for e in fakes.trace.entries] == [
        ("corr-first-0001", "accepted"),
        ("corr-first-0001", "duplicate"),
    ]


def test_a_topic_not_handled_is_ignored_traced_and_not_queued(fakes: Fakes) -> None:
    source, request = delivery("square/order_updated_open")
    outcome = accept(fakes, source, request)
    assert outcome.ignored and not fakes.publisher.published
    assert [e["status"] for e in fakes.trace.entries] == ["ignored"]
    assert accept(fakes, source, request).duplicate  # ignored deliveries are deduped too


def test_wms_events_go_to_the_inventory_queue_with_their_sequence(fakes: Fakes) -> None:
    source, request = delivery("wms/inventory_adjusted_stale")
    accept(fakes, source, request)
    ((envelope, _),) = fakes.publisher.published
    assert (envelope.domain, envelope.source_sequence) == ("inventory", 100)


def test_a_body_over_the_limit_is_refused_before_anything_else(fakes: Fakes) -> None:
    source, request = delivery("wms/inventory_adjusted", body=b" " * (256 * 1024 + 1))
    with pytest.raises(PayloadTooLarge):
        accept(fakes, "no-such-source", request)
    assert fakes.nothing_left_behind()


def test_an_unknown_source_is_refused(fakes: Fakes) -> None:
    _, request = delivery("wms/inventory_adjusted")
    with pytest.raises(UnknownSource):
        accept(fakes, "myspace", request)


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        (
            lambda r: WebhookRequest(r.method, r.path_with_query, r.body + b" ", r.headers, r.endpoint_url),
            SignatureInvalid,
        ),
        (
            lambda r: WebhookRequest(r.method, r.path_with_query, r.body, Headers({}), r.endpoint_url),
            SignatureInvalid,
        ),
    ],
)
def test_a_bad_or_missing_signature_leaves_nothing_behind(fakes: Fakes, tamper, error) -> None:  # type: ignore[no-untyped-def]
    source, request = delivery("shopify/orders_create")
    with pytest.raises(error):
        accept(fakes, source, tamper(request))
    assert fakes.nothing_left_behind()


def test_a_stale_wms_timestamp_leaves_nothing_behind(fakes: Fakes) -> None:
    source, request = delivery("wms/inventory_adjusted", t=int(NOW.timestamp()) - 301)
    with pytest.raises(TimestampStale):
        accept(fakes, source, request)
    assert fakes.nothing_left_behind()


def test_a_source_without_a_configured_secret_is_refused_as_unverifiable(fakes: Fakes) -> None:
    del fakes.secrets.secrets["wms"]
    source, request = delivery("wms/inventory_adjusted")
    with pytest.raises(SignatureInvalid, match="no signing secret"):
        accept(fakes, source, request)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe\x00"])
def test_a_signed_body_that_is_not_a_json_object_is_malformed(fakes: Fakes, body: bytes) -> None:
    from local.signing import signed_headers

    headers = signed_headers("wms", body, secret=SECRETS["wms"], t=int(NOW.timestamp()))
    request = WebhookRequest("POST", "/v1/webhooks/wms", body, Headers(headers), None)
    with pytest.raises(MalformedBody):
        accept(fakes, "wms", request)
    assert fakes.nothing_left_behind()


def test_a_schema_invalid_body_is_refused_with_field_details(fakes: Fakes) -> None:
    from local.signing import signed_headers

    body = b'{"event_id": "e-1", "event_type": "inventory.adjusted", "sequence": 1}'
    headers = signed_headers("wms", body, secret=SECRETS["wms"], t=int(NOW.timestamp()))
    with pytest.raises(ValidationFailed) as excinfo:
        accept(fakes, "wms", WebhookRequest("POST", "/v1/webhooks/wms", body, Headers(headers), None))
    assert {d["field"] for d in excinfo.value.details} == {"location_id", "sku", "on_hand", "occurred_at"}
    assert fakes.nothing_left_behind()


def test_when_queueing_fails_nothing_is_remembered_and_the_retry_is_accepted(fakes: Fakes) -> None:
    source, request = delivery("shopify/orders_create")
    fakes.publisher.fail_with = UpstreamUnavailable("SQS is down")
    with pytest.raises(UpstreamUnavailable):
        accept(fakes, source, request, "corr-first-0001")
    assert fakes.nothing_left_behind()
    fakes.publisher.fail_with = None
    retry = accept(fakes, source, request, "corr-retry-0002")
    assert not retry.duplicate and retry.correlation_id == "corr-retry-0002"
    assert len(fakes.publisher.published) == 1


def test_a_delivery_being_accepted_right_now_is_refused_in_progress(fakes: Fakes) -> None:
    source, request = delivery("shopify/orders_create")
    fakes.dedupe.in_progress.add("shopify#b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
    with pytest.raises(DeliveryInProgress) as excinfo:
        accept(fakes, source, request)
    assert excinfo.value.status == 409 and not fakes.publisher.published


def test_event_ids_are_stable_per_delivery_and_distinct_across_sources() -> None:
    assert event_id_for("wms", "e-1") == event_id_for("wms", "e-1")
    assert event_id_for("wms", "e-1") != event_id_for("pos", "e-1")
    assert len(event_id_for("wms", "e-1")) == 32
