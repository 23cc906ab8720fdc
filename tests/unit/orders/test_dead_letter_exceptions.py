"""A message that reaches a DLQ is an exception that retries to success once (issue 13.1).

The orders worker (kind `dead_letter`) and the channel-outbound worker (kind `channel_command`)
through their real handlers and Powertools' batch processing, the exceptions in the state table
(moto), the retry as `POST /v1/ops/exceptions/{id}/retry` sends it (body and attributes, tagged).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from functions.channel_outbound.handlers.outbound_worker import lambda_handler as outbound_handler
from functions.channel_outbound.logic.outbound import OutboundRecordHandler, OutboundWorker
from functions.orders.handlers.orders_worker import lambda_handler as orders_handler
from functions.orders.logic.intake import HOP, OrderIntake
from shared.adapters.dead_letters import CHANNEL_COMMAND, DEAD_LETTER, DeadLetters
from shared.adapters.exception_store import RETRY_OF, DynamoExceptionStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.envelope_worker import EnvelopeWorker
from shared.errors import Rejected, Unavailable
from shared.models import Envelope
from tests.fakes.aws import IDEMPOTENCY_TABLE, STATE_TABLE
from tests.fakes.builders import LambdaContext, envelope, envelope_record, order, sqs_event
from tests.fakes.ports import FakeChannelAdapter, FakeOrderFlow, PassThroughPayloads, adapter_lookup
from tests.unit.channel_outbound.conftest import canonical_order
from tests.unit.channel_outbound.test_outbound_worker import FakeChannel, MemoryMarkers, Orders, Queues

T0 = datetime(2025, 1, 6, 11, 0, tzinfo=UTC)


class FlakyFlow(FakeOrderFlow):
    """Step Functions refusing every start while `down`."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        if self.down:
            raise ConnectionError("states.us-east-1.amazonaws.com unreachable")
        return super().start(name, execution_input)


def _retried(record: dict[str, Any], exception_id: str, message_id: str) -> dict[str, Any]:
    """The message as the ops retry sends it back: same body and attributes, tagged, received once."""
    attributes = {**record["messageAttributes"], RETRY_OF: {"stringValue": exception_id, "dataType": "String"}}
    return {
        **record,
        "messageId": message_id,
        "messageAttributes": attributes,
        "attributes": {**record["attributes"], "ApproximateReceiveCount": "1"},
    }


@pytest.fixture
def store(dynamodb: Any) -> DynamoExceptionStore:
    return DynamoExceptionStore(STATE_TABLE, dynamodb)


def test_an_order_message_failing_its_last_receive_is_an_exception_whose_retry_starts_the_flow_once(
    dynamodb: Any, store: DynamoExceptionStore
) -> None:
    # GIVEN Step Functions down, and an envelope on its 5th (last) receive
    flow = FlakyFlow()
    trace = MemoryTraceStore()
    adapter = FakeChannelAdapter(lambda env: [order(str(env.payload["id"]) if env.payload else "1")])
    intake = OrderIntake(flow, trace, PassThroughPayloads(), adapter_lookup({"shopify": adapter}))
    persistence = DynamoDBPersistenceLayer(table_name=IDEMPOTENCY_TABLE, boto3_client=dynamodb)
    worker = EnvelopeWorker(HOP, intake.process, trace, persistence)
    letters = DeadLetters(store, "orders", now=lambda: T0)
    env: Envelope = envelope("evt-dlq-000001", payload={"id": 4242})
    earlier = envelope_record(env, message_id="m-1", receive_count=4)
    last = envelope_record(env, message_id="m-1", receive_count=5)

    # WHEN it fails on its 4th receive nothing is kept; on its 5th it is
    for record in (earlier, last):
        response = orders_handler(sqs_event(record), LambdaContext(), worker=worker, letters=letters)
        assert response["batchItemFailures"] == [{"itemIdentifier": "m-1"}]
    (kept,) = store.list(DEAD_LETTER, "OPEN", 10)
    assert (kept["queue"], kept["category"], kept["correlation_id"]) == ("orders", "vendor_down", env.correlation_id)
    assert json.loads(kept["payload"])["event_id"] == "evt-dlq-000001"

    # WHEN the flow is back and ops retries it, THEN one execution starts and the exception is resolved
    flow.down = False
    retried = _retried(last, kept["exception_id"], "m-2")
    assert orders_handler(sqs_event(retried), LambdaContext(), worker=worker, letters=letters) == {
        "batchItemFailures": []
    }
    assert len(flow.executions) == 1
    item = store.get(DEAD_LETTER, kept["exception_id"])
    assert item is not None and (item["status"], item["resolution"]["action"]) == ("RESOLVED", "retried")

    # AND the DLQ's own copy, redriven after the retry, changes nothing (same event id)
    redriven = envelope_record(env, message_id="m-3")
    assert orders_handler(sqs_event(redriven), LambdaContext(), worker=worker, letters=letters) == {
        "batchItemFailures": []
    }
    assert len(flow.executions) == 1


class _OutboundWorld:
    def __init__(self, channel: FakeChannel, store: DynamoExceptionStore) -> None:
        self.channel = channel
        self.order = canonical_order("walmart")
        self.markers = MemoryMarkers()
        worker = OutboundWorker(lambda _: channel, self.markers, Orders(self.order), MemoryTraceStore())
        self.letters = DeadLetters(store, "channel-outbound", kind=CHANNEL_COMMAND, now=lambda: T0)
        self.handler = OutboundRecordHandler(worker, Queues(), self.letters)

    def record(self, message_id: str, receives: int = 1) -> dict[str, Any]:
        detail = {**self.order.to_item(), "status": "ACCEPTED", "correlation_id": "corr-ack"}
        body = json.dumps({"id": "evt-1", "source": "retail-sync", "detail-type": "OrderAccepted", "detail": detail})
        return {
            "messageId": message_id,
            "receiptHandle": f"rh-{message_id}",
            "body": body,
            "attributes": {"ApproximateReceiveCount": str(receives), "SentTimestamp": "1736161200000"},
            "messageAttributes": {},
        }

    def deliver(self, record: dict[str, Any]) -> dict[str, Any]:
        return dict(outbound_handler(sqs_event(record), LambdaContext(), handler=self.handler))


@pytest.mark.parametrize(
    ("failure", "receives", "category"),
    [
        (Rejected("400 INVALID_REQUEST_CONTENT"), 1, "vendor_4xx"),
        (Unavailable("503"), 5, "vendor_down"),
    ],
)
def test_a_channel_command_failed_for_good_is_an_exception_whose_retry_calls_the_channel_once(
    store: DynamoExceptionStore, failure: Exception, receives: int, category: str
) -> None:
    # GIVEN a Walmart acknowledgement refused (dead-lettered at once) or down on its last receive
    world = _OutboundWorld(FakeChannel([failure]), store)
    record = world.record("m-1", receives)

    world.deliver(record)

    (kept,) = store.list(CHANNEL_COMMAND, "OPEN", 10)
    assert (kept["queue"], kept["category"], kept["correlation_id"]) == ("channel-outbound", category, "corr-ack")

    # WHEN ops retries it (the channel now takes it), THEN one acknowledgement and the exception resolved
    assert world.deliver(_retried(record, kept["exception_id"], "m-2")) == {"batchItemFailures": []}
    assert world.channel.calls == [("acknowledge", world.order.channel_order_id)] * 2  # the failed one, then one
    item = store.get(CHANNEL_COMMAND, kept["exception_id"])
    assert item is not None and (item["status"], item["resolution"]["action"]) == ("RESOLVED", "retried")

    # AND the DLQ's copy redriven afterwards changes nothing: the marker says it was sent
    assert world.deliver(world.record("m-3")) == {"batchItemFailures": []}
    assert len(world.channel.calls) == 2
