"""The contract's answers table, through the real Lambda handler with a fake API Gateway event."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from functions.ingest.handlers import webhook
from local.signing import fixture_request, signed_headers
from tests.support.apigw import FakeLambdaContext, rest_event
from tests.unit.ingest.conftest import SECRETS, Fakes

BASE_URL = "https://api.example.com"


_wired: list[Fakes] = []  # the fakes of the running test, which `handle` passes as the handler's deps


@pytest.fixture(autouse=True)
def wired(fakes: Fakes) -> Iterator[Fakes]:
    fakes.webhook_base_url = BASE_URL
    _wired.append(fakes)
    yield fakes
    _wired.clear()


def handle(event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = webhook.lambda_handler(event, FakeLambdaContext(), deps=_wired[-1].ports)
    return answer


def call(source: str, body: bytes, headers: dict[str, str], **kwargs: Any) -> tuple[int, dict[str, Any]]:
    event = rest_event("POST", f"/v1/webhooks/{source}", body=body, headers=headers, **kwargs)
    response = handle(event)
    return response["statusCode"], json.loads(response["body"])


def post(name: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    source = name.split("/")[0]
    body, headers = fixture_request(name, secret=SECRETS[source], base_url=BASE_URL)
    return call(source, body, headers, **kwargs)


def test_accepted_answers_202_with_correlation_and_event_ids(fakes: Fakes) -> None:
    status, body = post("shopify/orders_create")
    assert status == 202
    assert set(body) == {"correlation_id", "event_id", "duplicate"} and body["duplicate"] is False
    assert len(fakes.publisher.published) == 1


def test_same_delivery_again_answers_202_duplicate_with_the_same_correlation_id(fakes: Fakes) -> None:
    _, first = post("shopify/orders_create")
    status, again = post("shopify/orders_create")
    assert status == 202 and again["duplicate"] is True
    assert again["correlation_id"] == first["correlation_id"] and again["event_id"] == first["event_id"]
    assert len(fakes.publisher.published) == 1


def test_a_topic_not_handled_answers_202_ignored(fakes: Fakes) -> None:
    status, body = post("square/payment_updated_approved")
    assert status == 202 and body["ignored"] is True and body["duplicate"] is False
    assert not fakes.publisher.published


def test_a_bad_signature_answers_401_with_the_error_body(fakes: Fakes) -> None:
    body, headers = fixture_request("shopify/orders_create", secret="wrong-secret")
    status, answer = call(
        "shopify",
        body,
        headers,
    )
    assert status == 401
    assert answer["error"]["code"] == "SIGNATURE_INVALID" and answer["error"]["correlation_id"]
    assert "details" not in answer["error"]
    assert fakes.nothing_left_behind()


def test_a_stale_timestamp_answers_401_timestamp_stale(fakes: Fakes) -> None:
    body, headers = fixture_request("wms/inventory_adjusted", secret=SECRETS["wms"], t=int(time.time()) - 600)
    status, answer = call("wms", body, headers)
    assert (status, answer["error"]["code"]) == (401, "TIMESTAMP_STALE")


def test_a_schema_invalid_body_answers_400_with_field_details(fakes: Fakes) -> None:
    raw = b'{"event_id": "e-9", "event_type": "shipment.shipped", "sequence": 9, "lines": []}'
    status, answer = call("wms", raw, signed_headers("wms", raw, secret=SECRETS["wms"]))
    assert status == 400 and answer["error"]["code"] == "VALIDATION_FAILED"
    fields = {d["field"] for d in answer["error"]["details"]}
    assert {"shipment_id", "channel", "channel_order_id", "location_id", "lines", "shipped_at"} <= fields


def test_a_body_that_is_not_json_answers_400_malformed(fakes: Fakes) -> None:
    raw = b"event_id=1"
    status, answer = call("wms", raw, signed_headers("wms", raw, secret=SECRETS["wms"]))
    assert (status, answer["error"]["code"]) == (400, "MALFORMED_BODY")


def test_an_unknown_source_answers_404(fakes: Fakes) -> None:
    status, answer = call("myspace", b"{}", {})
    assert (status, answer["error"]["code"]) == (404, "UNKNOWN_SOURCE")


def test_a_body_over_256_kib_answers_413(fakes: Fakes) -> None:
    raw = b'{"pad": "' + b"x" * (256 * 1024) + b'"}'
    status, answer = call("wms", raw, signed_headers("wms", raw, secret=SECRETS["wms"]))
    assert (status, answer["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")


def test_a_base64_encoded_body_is_decoded_before_the_signature_is_checked(fakes: Fakes) -> None:
    status, body = post("shopify/orders_create", base64_encoded=True)
    assert status == 202
    assert fakes.publisher.published[0][1].startswith(b"{\n")


def test_square_signature_uses_the_configured_public_url(fakes: Fakes) -> None:
    body, headers = fixture_request(
        "square/order_updated_completed", secret=SECRETS["square"], base_url=BASE_URL
    )
    assert call("square", body, headers)[0] == 202
    fakes.webhook_base_url = "https://other.example.com"
    body, headers = fixture_request(
        "square/order_updated_canceled", secret=SECRETS["square"], base_url=BASE_URL
    )
    assert call("square", body, headers)[0] == 401


def test_without_a_base_url_the_square_url_comes_from_domain_and_forwarded_proto(fakes: Fakes) -> None:
    fakes.webhook_base_url = None
    local = "http://127.0.0.1:3000"
    body, headers = fixture_request(
        "square/order_updated_completed", secret=SECRETS["square"], base_url=local
    )
    headers.update({"X-Forwarded-Proto": "http"})
    assert call("square", body, headers, domain="127.0.0.1:3000")[0] == 202


def test_the_callers_correlation_id_is_kept(fakes: Fakes) -> None:
    body, headers = fixture_request("wms/inventory_adjusted", secret=SECRETS["wms"])
    status, answer = call("wms", body, {**headers, "X-Correlation-Id": "caller-corr-42"})
    assert status == 202 and answer["correlation_id"] == "caller-corr-42"
    assert fakes.publisher.published[0][0].correlation_id == "caller-corr-42"


def test_an_unusable_correlation_header_is_replaced(fakes: Fakes) -> None:
    body, headers = fixture_request("wms/inventory_adjusted", secret=SECRETS["wms"])
    _, answer = call("wms", body, {**headers, "X-Correlation-Id": "bad id\n"})
    assert answer["correlation_id"] != "bad id\n" and len(answer["correlation_id"]) == 32


def test_get_answers_405_for_a_known_source_and_404_for_an_unknown_one() -> None:
    event = rest_event("GET", "/v1/webhooks/shopify")
    response = handle(event)
    assert response["statusCode"] == 405
    assert json.loads(response["body"])["error"]["code"] == "METHOD_NOT_ALLOWED"
    response = handle(rest_event("GET", "/v1/webhooks/nope"))
    assert response["statusCode"] == 404


def test_a_route_that_does_not_exist_answers_404_not_found() -> None:
    response = handle(rest_event("POST", "/v1/elsewhere", body=b"{}"))
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"]["code"] == "NOT_FOUND"


def test_an_unexpected_failure_answers_500_internal_with_a_correlation_id(fakes: Fakes) -> None:
    fakes.publisher.fail_with = RuntimeError("bug")
    status, answer = post("shopify/orders_create")
    assert status == 500 and answer["error"]["code"] == "INTERNAL" and answer["error"]["correlation_id"]
    assert not fakes.dedupe.records


def test_a_queue_outage_answers_503_and_the_vendors_retry_is_accepted(fakes: Fakes) -> None:
    from shared.errors import UpstreamUnavailable

    fakes.publisher.fail_with = UpstreamUnavailable("could not queue the delivery; retry later")
    status, answer = post("shopify/orders_create")
    assert (status, answer["error"]["code"]) == (503, "UPSTREAM_UNAVAILABLE")
    fakes.publisher.fail_with = None
    status, answer = post("shopify/orders_create")
    assert status == 202 and answer["duplicate"] is False


def test_metrics_count_each_outcome_by_source(fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    post("wms/inventory_adjusted")
    post("wms/inventory_adjusted")
    post("wms/receipt_closed")
    call("wms", b"{}", {"X-Signature": "t=1,v1=00"})
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = [m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for m in emitted]
    assert names == ["WebhookAccepted", "WebhookDuplicate", "WebhookIgnored", "WebhookRefused"]
    assert {m["source"] for m in emitted} == {"wms"}
