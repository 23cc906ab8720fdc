"""No customer data in logs or the trace table, whatever fails.

A Shopify orders/create payload carrying known, unique PII (a name, an email, a phone, a street,
a city) is pushed through every failure path: a schema-invalid webhook (400 with field details), a
poison message in the orders worker (an envelope that never parses, an order that never
normalizes, an adapter that lets a raw pydantic error escape), a vendor's 4xx whose body echoes the
order, and a hop that hands the trace customer fields. The logs (Powertools' JSON lines on stdout,
and the records pytest captures) and the trace table (DynamoDB in moto) are then searched for each
PII string: none may appear. The failures themselves stay visible: status, reason, field names.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from functions.ingest.handlers import webhook
from functions.orders.handlers.orders_worker import lambda_handler as orders_worker
from functions.orders.logic.intake import HOP, OrderIntake
from local.signing import signed_headers
from shared.adapters.http import HttpConnector
from shared.adapters.trace_store import DynamoTraceStore
from shared.channels.registry import adapter_for
from shared.channels.shopify import ShopifyCustomer
from shared.envelope_worker import EnvelopeWorker
from shared.errors import Rejected
from shared.models import Envelope
from tests.fakes.aws import TRACE_TABLE
from tests.fakes.builders import LambdaContext, envelope, envelope_record, sqs_event, sqs_record
from tests.fakes.fixtures import _offline_aws_env, aws, dynamodb  # noqa: F401  (pytest fixtures)
from tests.fakes.ports import FakeChannelAdapter, FakeOrderFlow, PassThroughPayloads, adapter_lookup
from tests.support.apigw import FakeLambdaContext, rest_event
from tests.support.events import load_event
from tests.unit.ingest.conftest import SECRETS, Fakes

NAME = ("Zebulon", "Quirkfeather")
EMAIL = "zebulon.quirkfeather+pii7f3a@example.org"
PHONE = "+1-555-0142-7788"
STREET = "742 Canaryvane Terrace"
CITY = "Quillsborough"
PII = (*NAME, EMAIL, PHONE, STREET, CITY)
BASE_URL = "https://api.example.com"


def _order_with_pii() -> dict[str, Any]:
    order = copy.deepcopy(load_event("shopify/orders_create"))
    order.update(email=EMAIL, contact_email=EMAIL, phone=PHONE)
    order["customer"].update(email=EMAIL, first_name=NAME[0], last_name=NAME[1], phone=PHONE)
    address = {"first_name": NAME[0], "last_name": NAME[1], "name": " ".join(NAME), "address1": STREET}
    address.update(city=CITY, phone=PHONE, zip="40003", country_code="US")
    order["shipping_address"] = {**order["shipping_address"], **address}
    order["billing_address"] = dict(order["shipping_address"])
    return dict(order)


def _leaks(*texts: str) -> list[str]:
    return [pii for pii in PII for text in texts if pii.lower() in text.lower()]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Everything logged: stdout (Powertools JSON) and the records, with their extra keys."""
    caplog.set_level(logging.DEBUG)

    def text() -> str:
        records = [f"{r.getMessage()} {json.dumps(r.__dict__, default=str)}" for r in caplog.records]
        captured = capsys.readouterr()
        return "\n".join([captured.out, captured.err, *records])

    yield text


@pytest.fixture
def trace(dynamodb: Any) -> DynamoTraceStore:  # noqa: F811
    return DynamoTraceStore(TRACE_TABLE, dynamodb)


def _trace_text(dynamodb: Any) -> str:  # noqa: F811
    return json.dumps(dynamodb.scan(TableName=TRACE_TABLE)["Items"], default=str)


def _worker(trace: DynamoTraceStore, normalize: Any = None) -> EnvelopeWorker:
    lookup = adapter_lookup({"shopify": FakeChannelAdapter(normalize)}) if normalize else adapter_for
    intake = OrderIntake(FakeOrderFlow(), trace, PassThroughPayloads(), lookup)
    return EnvelopeWorker(HOP, intake.process, trace)


def test_a_schema_invalid_webhook_answers_400_with_field_names_and_logs_no_customer_data(
    fakes: Fakes, logs: Any
) -> None:
    # GIVEN a signed Shopify order whose id is not an id (the edge refuses it) and whose every
    # customer field is PII
    order = _order_with_pii()
    order["id"] = {"email": EMAIL, "name": " ".join(NAME)}
    raw = json.dumps(order).encode()
    headers = load_event("shopify/orders_create.headers")
    fakes.webhook_base_url = BASE_URL
    event = rest_event(
        "POST",
        "/v1/webhooks/shopify",
        body=raw,
        headers=signed_headers("shopify", raw, secret=SECRETS["shopify"], headers=headers),
    )
    response = webhook.lambda_handler(event, FakeLambdaContext(), deps=fakes.ports)

    # THEN 400 with the field named, and no PII in the answer, the logs or the trace
    answer = json.loads(response["body"])
    assert response["statusCode"] == 400, answer
    assert any(d["field"].startswith("id") for d in answer["error"]["details"])
    assert _leaks(response["body"], logs()) == []
    assert fakes.trace.entries == []  # a refused request leaves only a log line and a metric


def test_poison_messages_log_and_trace_field_names_not_customer_data(
    trace: DynamoTraceStore,
    dynamodb: Any,  # noqa: F811
    logs: Any,
) -> None:
    order = _order_with_pii()
    # 1. an envelope that never parses: the payload is the customer's data as a list
    unparsable = json.loads(envelope("evt-pii-000000001").model_dump_json())
    unparsable["payload"] = [EMAIL, " ".join(NAME), STREET, CITY, PHONE]
    # 2. an order that never normalizes (no line items), full of PII
    no_lines = envelope("evt-pii-000000002", payload={**order, "line_items": []})
    # 3. the real Shopify adapter on an order whose customer is not an object
    bad_customer = envelope("evt-pii-000000003", payload={**order, "customer": [EMAIL, PHONE]})
    records = [sqs_record(json.dumps(unparsable), message_id="m-1"), envelope_record(no_lines, message_id="m-2")]
    records.append(envelope_record(bad_customer, message_id="m-3"))

    response = orders_worker(sqs_event(*records), LambdaContext(), worker=_worker(trace))

    # THEN each is failed (SQS moves it to the DLQ after its receives) ...
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == ["m-1", "m-2", "m-3"]
    traced = _trace_text(dynamodb)
    assert traced.count('"poison"') == 2  # the unparsable one has no correlation id to trace under
    assert "line_items" in traced  # what is wrong is still said, by field name
    # ... and nothing of the customer is in the logs or the trace table
    assert _leaks(traced, logs()) == []


def test_an_adapter_that_lets_a_raw_validation_error_escape_still_logs_no_customer_data(
    trace: DynamoTraceStore,
    dynamodb: Any,  # noqa: F811
    logs: Any,
) -> None:
    # GIVEN an adapter bug: a raw pydantic error whose text carries the failing values
    def normalize(env: Envelope) -> list[Any]:
        ShopifyCustomer.model_validate({"email": [EMAIL], "first_name": {"n": NAME[0]}, "last_name": [NAME[1]]})
        return []

    poison = envelope("evt-pii-000000004", payload=_order_with_pii())

    orders_worker(sqs_event(envelope_record(poison)), LambdaContext(), worker=_worker(trace, normalize))

    traced = _trace_text(dynamodb)
    assert '"ValidationError"' in traced and "email" in traced  # the reason and the field, by name
    assert _leaks(traced, logs()) == []


def _connector(vendor: Any) -> HttpConnector:
    url = "https://vendor.example"
    return HttpConnector(url, client=httpx.Client(base_url=url, transport=httpx.MockTransport(vendor)))


def test_a_vendor_4xx_that_echoes_the_order_becomes_status_and_code_only() -> None:
    # GIVEN a vendor answering 422 with the order's customer data in its error text
    def vendor(request: httpx.Request) -> httpx.Response:
        body = {"errors": [{"code": "INVALID_ADDRESS", "message": f"{STREET}, {CITY} for {EMAIL} is not deliverable"}]}
        return httpx.Response(422, json=body)

    connector = _connector(vendor)

    with pytest.raises(Rejected) as refused:
        connector._send("POST", "/orders", json=_order_with_pii())

    # THEN what every log line and trace entry will print says 422 and the vendor's code, nothing else
    assert "422 INVALID_ADDRESS" in str(refused.value)
    assert _leaks(str(refused.value)) == []


def test_a_plain_text_vendor_error_keeps_only_the_status() -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text=f"Bad request: customer {' '.join(NAME)} <{EMAIL}>")

    connector = _connector(vendor)
    with pytest.raises(Rejected) as refused:
        connector._send("GET", "/orders/1")
    assert str(refused.value) == "GET /orders/1: 400"


def test_the_trace_table_never_stores_customer_fields_a_hop_hands_it(
    trace: DynamoTraceStore,
    dynamodb: Any,  # noqa: F811
) -> None:
    order = _order_with_pii()
    trace.record(
        "corr-pii-1",
        "orders",
        "normalized",
        {
            "channel_order_id": "820982911946154508",
            "customer": order["customer"],
            "shipping_address": order["shipping_address"],
        },
    )

    [entry] = trace.events("corr-pii-1")
    assert entry["detail"]["channel_order_id"] == "820982911946154508"
    assert _leaks(_trace_text(dynamodb)) == []
