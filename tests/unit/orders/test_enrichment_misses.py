"""A notification that can't be enriched yet is never lost (issue 7 item 4).

An Amazon ORDER_CHANGE (the real partner-event fixture, through the real Amazon adapter) whose
getOrder fails is retried with a growing delay; after the last attempt the orders worker keeps it as
an OPEN `enrichment` exception and deletes the message, so nothing reaches the DLQ unseen. What a new
user sees in each case is in each test's name: the ops list (`GET /v1/ops/exceptions?kind=enrichment`)
shows the exception with its reason and the notification, and `POST .../retry` runs it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from functions.ops.handlers.api import Deps
from functions.orders.handlers.orders_worker import lambda_handler
from functions.orders.logic.enrichment import EnrichmentRetries, Reason, RetryPolicy, classify, enrichment_exception_id
from functions.orders.logic.intake import HOP, OrderIntake
from functions.orders.settings import OrdersWorkerSettings
from infra.constants import MAX_RECEIVE_COUNT
from shared.adapters.exception_store import RETRY_OF, DynamoExceptionStore, MemoryExceptionStore
from shared.adapters.http import HttpConnector
from shared.adapters.trace_store import MemoryTraceStore
from shared.envelope_worker import EnvelopeWorker
from shared.errors import Rejected, Throttled, Unavailable, VendorNotFound
from shared.models import Envelope
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import LambdaContext, sqs_event, sqs_record
from tests.fakes.ports import FakeOrderFlow, FakeTraceReader, PassThroughPayloads, RecordingQueue
from tests.support.ops_api import call_ops
from tests.unit.channels.pull_fakes import FakeSpApi

NOW = datetime(2026, 11, 23, 14, 11, tzinfo=UTC)
ORDER_ID = "113-5467394-8722613"  # the AmazonOrderId of events/amazon/order_change_unshipped.json


def _order_change() -> Envelope:
    from tests.support.events import load_event

    return Envelope(
        event_id="amazon-order-113-5467394-8722613-accept",
        source="amazon",
        event_type="ORDER_CHANGE",
        domain="orders",
        delivery_id=f"order/{ORDER_ID}/accept",
        correlation_id="corr-amazon-0001",
        received_at=NOW,
        payload=load_event("amazon/order_change_unshipped"),
    )


class SpApi(FakeSpApi):
    """SP-API's Orders: knows the fixture order once `seeded`; until then answers `failure`."""

    def __init__(self, failure: Exception) -> None:
        super().__init__()
        self.failure: Exception | None = failure

    def get_order(self, order_id: str) -> dict[str, Any]:
        self.calls.append(("getOrder", order_id))
        if self.failure is not None:
            raise self.failure
        return dict(self.order)


class Delays:
    def __init__(self) -> None:
        self.delays: list[int] = []

    def delay(self, receipt_handle: str, seconds: int) -> None:
        self.delays.append(seconds)


class World:
    def __init__(self, failure: Exception, store: Any | None = None) -> None:
        from shared.channels.amazon import AmazonAdapter

        self.sp_api = SpApi(failure)
        self.flow = FakeOrderFlow()
        self.trace = MemoryTraceStore()
        self.store = store if store is not None else MemoryExceptionStore()
        self.delays = Delays()
        self.requeue = RecordingQueue()
        intake = OrderIntake(
            self.flow, self.trace, PassThroughPayloads(), lambda source: AmazonAdapter(), enrich=self.sp_api
        )
        retries = EnrichmentRetries(self.store, self.delays, self.trace, RetryPolicy(4, 30), now=lambda: NOW)
        self.worker = EnvelopeWorker(HOP, intake.process, self.trace, enrichment=retries)

    def deliver(self, envelope: Envelope, receive_count: int, attributes: dict[str, str] | None = None) -> list[str]:
        """One receive of the message; the ids the worker reported failed (left on the queue)."""
        record = sqs_record(envelope.model_dump_json(), message_id="m-1", receive_count=receive_count)
        record["messageAttributes"] = {
            name: {"stringValue": value, "dataType": "String"} for name, value in (attributes or {}).items()
        }
        response = lambda_handler(sqs_event(record), LambdaContext(), worker=self.worker)
        return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]

    def ops(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> tuple[int, Any]:
        deps = Deps(store=None, trace=FakeTraceReader(), kinds=self.store, queues={"orders": self.requeue})  # type: ignore[arg-type]
        return call_ops(deps, method, path, body, query=query)

    def open_exceptions(self) -> list[dict[str, Any]]:
        status, body = self.ops("GET", "/v1/ops/exceptions", query={"kind": "enrichment", "status": "open"})
        assert status == 200, body
        return list(body["exceptions"])


def _until_exception(world: World, envelope: Envelope) -> None:
    for attempt in (1, 2, 3):
        assert world.deliver(envelope, attempt) == ["m-1"], f"attempt {attempt} is retried"
    assert world.deliver(envelope, 4) == [], "the last attempt deletes the message: it is an exception now"


def test_an_order_change_sp_api_does_not_know_yet_is_retried_with_growing_delays_then_listed_in_ops() -> None:
    # GIVEN an ORDER_CHANGE for an order SP-API's getOrder answers 404 for (eventually consistent)
    world = World(VendorNotFound(f"GET /orders/v0/orders/{ORDER_ID}: 404"))
    envelope = _order_change()

    # WHEN the first three deliveries fail: each comes back later, and nothing shows in ops yet
    for attempt in (1, 2, 3):
        assert world.deliver(envelope, attempt) == ["m-1"]
        assert world.open_exceptions() == []
    assert world.delays.delays == [30, 60, 120]

    # AND the fourth (the last, below the queue's maxReceiveCount) fails too
    assert world.deliver(envelope, 4) == []

    # THEN the user sees one open enrichment exception with the reason, the order and the notification
    (exception,) = world.open_exceptions()
    assert exception["id"] == enrichment_exception_id(envelope)
    assert {k: exception[k] for k in ("kind", "status", "reason", "channel", "channel_order_id", "attempts")} == {
        "kind": "enrichment",
        "status": "open",
        "reason": "vendor_not_found",
        "channel": "amazon",
        "channel_order_id": ORDER_ID,
        "attempts": 4,
    }
    assert exception["correlation_id"] == "corr-amazon-0001"
    assert exception["notification"] == envelope.payload
    assert "VendorNotFound" in exception["error"]
    # ... and the transaction timeline says what happened on each attempt, and no flow started
    assert world.trace.hops("corr-amazon-0001") == [HOP] * 4
    assert [e["status"] for e in world.trace.entries] == ["enrichment_retry"] * 3 + ["exception"]
    assert world.flow.executions == {}


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (Throttled("GET /orders/v0/orders/x: 429", retry_after=None), "vendor_throttled"),
        (Rejected("GET /orders/v0/orders/x: 403 Unauthorized"), "vendor_error"),
        (Unavailable("GET /orders/v0/orders/x: 503"), "vendor_error"),
    ],
    ids=["throttled", "refused", "down"],
)
def test_a_throttled_refused_or_down_sp_api_ends_as_an_exception_naming_the_reason(
    failure: Exception, reason: str
) -> None:
    world = World(failure)
    _until_exception(world, _order_change())
    (exception,) = world.open_exceptions()
    assert (exception["reason"], exception["channel_order_id"]) == (reason, ORDER_ID)


class FailingLookup:
    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    def get_order(self, order_id: str) -> dict[str, Any]:
        raise self.failure


@pytest.mark.parametrize(
    ("source", "fixture", "failure", "order_id", "reason"),
    [
        (
            "walmart",
            "walmart/po_created",
            VendorNotFound("GET /v3/orders/x: 404"),
            "1796277083968",
            "vendor_not_found",
        ),
        ("ebay", "ebay/order_confirmation", Throttled("GET order: 429"), "27-13492-80251", "vendor_throttled"),
    ],
    ids=["walmart-po-created", "ebay-order-confirmation"],
)
def test_walmart_and_ebay_notifications_whose_order_read_fails_end_as_exceptions_naming_the_order(
    source: str, fixture: str, failure: Exception, order_id: str, reason: str
) -> None:
    from shared.channels.registry import adapter_for
    from tests.support.events import load_event

    world = World(VendorNotFound("unused"))
    intake = OrderIntake(world.flow, world.trace, PassThroughPayloads(), adapter_for, enrich=FailingLookup(failure))
    retries = EnrichmentRetries(world.store, world.delays, world.trace, RetryPolicy(4, 30), now=lambda: NOW)
    world.worker = EnvelopeWorker(HOP, intake.process, world.trace, enrichment=retries)
    envelope = _order_change().model_copy(
        update={"source": source, "event_type": fixture.split("/")[1].upper(), "payload": load_event(fixture)}
    )

    _until_exception(world, envelope)

    (exception,) = world.open_exceptions()
    assert (exception["channel"], exception["channel_order_id"], exception["reason"]) == (source, order_id, reason)
    assert exception["notification"] == load_event(fixture)


def test_a_timed_out_sp_api_read_ends_as_an_exception_saying_vendor_timeout() -> None:
    # The connector raises its unavailable error *from* httpx's timeout (shared/adapters/http.py).
    try:
        raise Unavailable("GET /orders/v0/orders/x: ReadTimeout") from httpx.ReadTimeout("timed out")
    except Unavailable as exc:
        failure = exc
    world = World(failure)
    _until_exception(world, _order_change())
    assert [e["reason"] for e in world.open_exceptions()] == ["vendor_timeout"]


def test_once_sp_api_knows_the_order_a_retry_from_ops_accepts_it_and_resolves_the_exception_once() -> None:
    world = World(VendorNotFound("404"))
    envelope = _order_change()
    _until_exception(world, envelope)
    (exception,) = world.open_exceptions()

    # WHEN SP-API now knows the order and ops retries the exception
    world.sp_api.failure = None
    status, answer = world.ops("POST", f"/v1/ops/exceptions/{exception['id']}/retry")

    # THEN the answer is 202, the exception is still open (until the worker took it) with one retry counted,
    # and the envelope went back to the orders queue as it was, tagged with the exception
    assert status == 202, answer
    assert (answer["status"], answer["retries"]) == ("open", 1)
    ((body, attributes),) = world.requeue.sent
    assert Envelope.model_validate_json(body) == envelope
    assert attributes == {RETRY_OF: exception["id"]}

    # WHEN the worker receives it: the order's flow starts and the exception is resolved as retried
    assert world.deliver(envelope, 1, attributes) == []
    [(name, execution_input)] = world.flow.executions.items()
    assert (execution_input["action"], execution_input["order"]["channel_order_id"]) == ("accept", ORDER_ID)
    assert world.open_exceptions() == []
    status, resolved = world.ops("GET", "/v1/ops/exceptions", query={"kind": "enrichment", "status": "resolved"})
    assert [(e["id"], e["resolution"]) for e in resolved["exceptions"]] == [(exception["id"], "retried")]

    # AND a second retry changes nothing: 409, nothing queued
    status, again = world.ops("POST", f"/v1/ops/exceptions/{exception['id']}/retry")
    assert (status, again["error"]["code"]) == (409, "ALREADY_RESOLVED")
    assert len(world.requeue.sent) == 1

    # AND the same notification delivered again (its order exists) starts no second flow
    assert world.deliver(envelope, 1, attributes) == []
    assert len(world.flow.executions) == 1


def test_a_retry_that_fails_again_leaves_the_exception_open_with_two_failures() -> None:
    world = World(VendorNotFound("404"))
    envelope = _order_change()
    _until_exception(world, envelope)
    (exception,) = world.open_exceptions()
    status, _ = world.ops("POST", f"/v1/ops/exceptions/{exception['id']}/retry")
    assert status == 202
    (_, attributes) = world.requeue.sent[0]

    _until_exception(world, envelope)

    (again,) = world.open_exceptions()
    assert (again["id"], again["failures"], again["retries"]) == (exception["id"], 2, 1)


def test_an_exception_closed_by_hand_is_resolved_with_its_note_and_cannot_be_retried() -> None:
    world = World(VendorNotFound("404"))
    _until_exception(world, _order_change())
    (exception,) = world.open_exceptions()

    status, closed = world.ops(
        "POST", f"/v1/ops/exceptions/{exception['id']}/resolve", {"note": "order cancelled on Seller Central"}
    )

    assert status == 200, closed
    assert (closed["status"], closed["resolution"], closed["note"]) == (
        "resolved",
        "dismissed",
        "order cancelled on Seller Central",
    )
    status, retry = world.ops("POST", f"/v1/ops/exceptions/{exception['id']}/retry")
    assert (status, retry["error"]["code"]) == (409, "ALREADY_RESOLVED")
    assert world.requeue.sent == []


def test_retrying_an_unknown_exception_is_404_and_a_reconciliation_one_is_refused() -> None:
    world = World(VendorNotFound("404"))
    status, body = world.ops("POST", "/v1/ops/exceptions/enrichment-20261123T141100000000Z-000000000000/retry")
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")
    status, body = world.ops("POST", "/v1/ops/exceptions/20261123T141100000000Z-1a2b3c4d/retry")
    assert (status, body["error"]["code"]) == (400, "VALIDATION_FAILED")


def test_a_mapping_bug_after_a_good_read_is_not_an_enrichment_exception() -> None:
    # GIVEN SP-API answers, but with an order whose line has no SellerSKU: poison, not a vendor miss
    world = World(VendorNotFound("unused"))
    world.sp_api.failure = None
    world.sp_api.items = [{**world.sp_api.items[0], "SellerSKU": None}]

    assert world.deliver(_order_change(), 4) == ["m-1"]  # failed: SQS dead-letters it, as before

    assert world.delays.delays == [] and world.open_exceptions() == []


# The connector's statuses, as the classification sees them ------------------------------------------


class _Vendor(HttpConnector):
    not_found_error = VendorNotFound


def _failure_of(handler: Any) -> BaseException:
    vendor = _Vendor("https://vendor.test", client=httpx.Client(base_url="https://vendor.test", transport=handler))
    with pytest.raises(Exception) as raised:
        vendor._send("GET", "/orders/v0/orders/1")
    return raised.value


def _answer(status: int) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json={"errors": []}))


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


@pytest.mark.parametrize(
    ("transport", "reason"),
    [
        (_answer(404), Reason.NOT_FOUND),
        (_answer(429), Reason.THROTTLED),
        (httpx.MockTransport(_timeout), Reason.TIMEOUT),
        (_answer(503), Reason.ERROR),
        (_answer(401), Reason.ERROR),
    ],
    ids=["404", "429", "timeout", "503", "401"],
)
def test_vendor_answers_are_classified_from_the_connector_errors(transport: Any, reason: Reason) -> None:
    assert classify(_failure_of(transport)) is reason


def test_the_last_attempt_comes_before_sqs_would_dead_letter_the_message() -> None:
    attempts = OrdersWorkerSettings.model_fields["enrichment_max_attempts"].default
    assert attempts < MAX_RECEIVE_COUNT


# The DynamoDB store -------------------------------------------------------------------------------


def test_the_same_failed_delivery_raised_twice_is_one_exception_and_a_resolved_one_stays_resolved(
    dynamodb: Any,
) -> None:
    store = DynamoExceptionStore(STATE_TABLE, dynamodb)
    envelope = _order_change()
    exception_id = enrichment_exception_id(envelope)
    record = {"reason": "vendor_not_found", "channel": "amazon", "envelope": envelope.model_dump_json()}

    assert store.raise_open("enrichment", exception_id, record, NOW)
    assert store.raise_open("enrichment", exception_id, record, NOW)  # a redelivery after a crash

    (item,) = store.list("enrichment", "OPEN", 10)
    assert (item["exception_id"], item["failures"], item["status"]) == (exception_id, 2, "OPEN")
    assert store.mark_retried("enrichment", exception_id, NOW)
    assert store.resolve("enrichment", exception_id, {"action": "retried"}, NOW)
    assert not store.resolve("enrichment", exception_id, {"action": "retried"}, NOW)
    assert not store.mark_retried("enrichment", exception_id, NOW)
    assert not store.raise_open("enrichment", exception_id, record, NOW)  # a late redelivery does not reopen it
    assert store.list("enrichment", "OPEN", 10) == []
    (resolved,) = store.list("enrichment", "RESOLVED", 10)
    assert (resolved["retries"], resolved["failures"], resolved["resolution"]) == (1, 2, {"action": "retried"})
    assert store.get("reconciliation", exception_id) is None  # kinds live apart
