"""Ops routes over every kind of exception (issue 13.1) and the DLQ redrive route (moto DynamoDB/SQS).

Exceptions are written the way their writers write them: reconciliation's by a real run, the
others through the shared store's `raise_open` (dead letters by `shared.adapters.dead_letters`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from functions.ops.adapters.redrive import SqsRedrive
from functions.ops.handlers.api import Deps
from functions.reconciliation.logic.reconcile import Reconciler
from shared.adapters.dead_letters import CHANNEL_COMMAND, DEAD_LETTER, DeadLetters
from shared.adapters.envelope_queue import SqsEnvelopeQueue
from shared.adapters.exception_store import RETRY_OF, DynamoExceptionStore, exception_id
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.adapters.state_store import DynamoStateStore
from shared.models.reconciliation import ReconciliationRun, RunStatus, SnapshotRow, Tolerance
from tests.fakes.aws import STATE_TABLE
from tests.fakes.ports import FakeOrderFlow, FakeTraceReader
from tests.support.ops_api import call_ops, resolve_exception

T0 = datetime(2025, 1, 6, 11, 0, tzinfo=UTC)


class _Snapshot:
    def __init__(self, name: str, rows: list[dict[str, object]]) -> None:
        self.name, self.rows = name, [SnapshotRow.model_validate(r) for r in rows]

    def snapshot(self) -> list[SnapshotRow]:
        return list(self.rows)


def _sqs_record(body: str, message_id: str, receives: int, attributes: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receives), "SentTimestamp": str(int(T0.timestamp() * 1000))},
        "messageAttributes": {k: {"stringValue": v, "dataType": "String"} for k, v in (attributes or {}).items()},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:OrdersQueue",
    }


@pytest.fixture
def sqs(aws: Any) -> Any:
    return aws.client("sqs")


@pytest.fixture
def queues(sqs: Any) -> dict[str, dict[str, str]]:
    made: dict[str, dict[str, str]] = {}
    for name in ("orders", "channel-outbound"):
        made[name] = {
            "queue": sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"],
            "dlq": sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"],
        }
    return made


@pytest.fixture
def stored(dynamodb: Any) -> DynamoExceptionStore:
    return DynamoExceptionStore(STATE_TABLE, dynamodb)


@pytest.fixture
def flow() -> FakeOrderFlow:
    return FakeOrderFlow()


@pytest.fixture
def deps(
    dynamodb: Any, sqs: Any, stored: DynamoExceptionStore, queues: dict[str, dict[str, str]], flow: FakeOrderFlow
) -> Deps:
    return Deps(
        store=DynamoStateStore(STATE_TABLE, dynamodb),
        trace=FakeTraceReader(),
        exceptions=DynamoReconciliationStore(STATE_TABLE, dynamodb),
        kinds=stored,
        queues={name: SqsEnvelopeQueue(pair["queue"], sqs) for name, pair in queues.items()},
        dead_letter_queues=queues,
        redrive=SqsRedrive(sqs),
        flow=flow,
    )


def _variance(dynamodb: Any) -> str:
    store = DynamoReconciliationStore(STATE_TABLE, dynamodb)
    reconciler = Reconciler(
        store,
        _Snapshot("wms", [{"sku": "SKU-9", "location_id": "dc-east", "on_hand": 50}]),
        _Snapshot("erp", []),
        Tolerance(units=5, value=Decimal("100")),
        now=lambda: T0,
    )
    run = reconciler.run(
        ReconciliationRun(run_id="20250106T110000Z-aaaa0001", kind="inventory", status=RunStatus.QUEUED,
                          trigger="schedule", requested_at=T0)
    )  # fmt: skip
    (variance,) = run.variances
    assert variance.exception_id is not None
    return variance.exception_id


def _order_failure(stored: DynamoExceptionStore, at: datetime) -> str:
    """What OrderFlow's Catch writes (infra/orders/order_flow_construct.py, `RecordFlowFailure`)."""
    found = f"order-{at.isoformat().replace('+00:00', 'Z')}-shopify-1001"
    execution_input = {
        "action": "accept",
        "correlation_id": "corr-1001",
        "event_id": "ev-1",
        "order": {"order_id": "o-1"},
    }
    stored.raise_open(
        "order",
        found,
        {
            "reason": "States.TaskFailed",
            "category": "internal",
            "correlation_id": "corr-1001",
            "concerns": "OrderFlow execution shopify-1001",
            "execution_name": "shopify-1001",
            "input": json.dumps(execution_input),
            "error": "KeyError",
        },
        at,
    )
    return found


def test_without_a_kind_every_kind_is_listed_newest_first_in_one_shape(
    deps: Deps, dynamodb: Any, stored: DynamoExceptionStore
) -> None:
    # GIVEN a reconciliation variance, then an order failure, then a dead letter
    variance = _variance(dynamodb)
    order = _order_failure(stored, T0 + timedelta(minutes=1))
    letters = DeadLetters(stored, "orders", now=lambda: T0 + timedelta(minutes=2))
    record = _sqs_record(json.dumps({"correlation_id": "corr-7", "event_id": "ev-7"}), "m-7", receives=5)
    record["attributes"]["SentTimestamp"] = str(int((T0 + timedelta(minutes=2)).timestamp() * 1000))
    dead = letters.failed(record, ValueError("boom"))

    status, body = call_ops(deps, "GET", "/v1/ops/exceptions")

    assert status == 200 and body["kind"] is None
    assert [(e["id"], e["kind"]) for e in body["exceptions"]] == [
        (dead, "dead_letter"),
        (order, "order"),
        (variance, "reconciliation"),
    ]
    for listed in body["exceptions"]:
        assert {
            "id",
            "kind",
            "status",
            "reason",
            "category",
            "correlation_id",
            "concerns",
            "raised_at",
            "details",
        } <= set(listed)
    by_kind = {e["kind"]: e for e in body["exceptions"]}
    assert by_kind["dead_letter"]["correlation_id"] == "corr-7" and by_kind["dead_letter"]["retryable"] is True
    assert by_kind["dead_letter"]["details"]["queue"] == "orders"
    assert by_kind["order"]["details"]["execution_name"] == "shopify-1001"
    assert by_kind["reconciliation"]["details"]["sku"] == "SKU-9" and by_kind["reconciliation"]["retryable"] is False
    # Each kind's filter answers that kind only.
    for kind in ("dead_letter", "order", "reconciliation"):
        status, one = call_ops(deps, "GET", "/v1/ops/exceptions", query={"kind": kind})
        assert status == 200 and [e["kind"] for e in one["exceptions"]] == [kind]
    status, none = call_ops(deps, "GET", "/v1/ops/exceptions", query={"kind": "settlement"})
    assert status == 200 and none["exceptions"] == []


def test_every_stored_kind_resolves_with_a_note_and_stays_resolved(deps: Deps, stored: DynamoExceptionStore) -> None:
    order = _order_failure(stored, T0)

    status, body = resolve_exception(deps, order, {"note": "customer cancelled by phone"})

    assert status == 200 and (body["status"], body["resolution"], body["note"]) == (
        "resolved",
        "dismissed",
        "customer cancelled by phone",
    )
    status, again = call_ops(deps, "POST", f"/v1/ops/exceptions/{order}/retry")
    assert status == 409 and again["error"]["code"] == "ALREADY_RESOLVED"


def test_retrying_a_dead_letter_puts_its_message_back_and_a_redelivery_that_goes_through_resolves_it(
    deps: Deps, sqs: Any, stored: DynamoExceptionStore, queues: dict[str, dict[str, str]]
) -> None:
    letters = DeadLetters(stored, "orders", now=lambda: T0)
    body = json.dumps({"correlation_id": "corr-3", "event_id": "ev-3"})
    found = letters.failed(_sqs_record(body, "m-3", receives=5, attributes={"source": "shopify"}), KeyError("x"))
    assert found is not None and letters.failed(_sqs_record(body, "m-3", receives=4), KeyError("x")) is None

    status, answer = call_ops(deps, "POST", f"/v1/ops/exceptions/{found}/retry")

    assert status == 202 and (answer["status"], answer["retries"]) == ("open", 1)
    (message,) = sqs.receive_message(QueueUrl=queues["orders"]["queue"], MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == body
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {"source": "shopify", RETRY_OF: found}
    # WHEN the worker takes the retried delivery, THEN the exception is resolved as retried
    letters.succeeded(_sqs_record(body, "m-4", receives=1, attributes=attributes))
    item = stored.get(DEAD_LETTER, found)
    assert item is not None and (item["status"], item["resolution"]["action"]) == ("RESOLVED", "retried")


def test_a_retried_dead_letter_failing_again_counts_on_the_same_exception(stored: DynamoExceptionStore) -> None:
    letters = DeadLetters(stored, "channel-outbound", kind=CHANNEL_COMMAND, now=lambda: T0)
    found = letters.failed(_sqs_record("{}", "m-5", receives=1), None, force=True, reason="Rejected: 400")
    assert found is not None

    again = letters.failed(_sqs_record("{}", "m-6", receives=5, attributes={RETRY_OF: found}), TimeoutError())

    assert again == found
    item = stored.get(CHANNEL_COMMAND, found)
    assert item is not None and item["failures"] == 2 and item["category"] == "vendor_down"


def test_retrying_an_order_failure_starts_a_new_execution_with_the_kept_input(
    deps: Deps, stored: DynamoExceptionStore, flow: FakeOrderFlow
) -> None:
    order = _order_failure(stored, T0)

    status, body = call_ops(deps, "POST", f"/v1/ops/exceptions/{order}/retry")

    assert status == 202 and (body["status"], body["resolution"]) == ("resolved", "retried")
    assert list(flow.executions) == ["shopify-1001-r1"]
    assert flow.executions["shopify-1001-r1"]["order"] == {"order_id": "o-1"}


def test_a_kind_that_kept_nothing_to_run_again_is_refused_with_why(deps: Deps, stored: DynamoExceptionStore) -> None:
    found = exception_id("settlement", T0, "payout-1")
    stored.raise_open("settlement", found, {"reason": "variance", "concerns": "payout po-1"}, T0)

    status, body = call_ops(deps, "POST", f"/v1/ops/exceptions/{found}/retry")

    assert status == 400 and body["error"]["code"] == "VALIDATION_FAILED"
    assert "nothing to run again" in body["error"]["message"]


def test_redrive_moves_every_dlq_message_back_to_its_source_queue_with_its_attributes(
    deps: Deps, sqs: Any, queues: dict[str, dict[str, str]]
) -> None:
    dlq, source = queues["orders"]["dlq"], queues["orders"]["queue"]
    for i in range(13):
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody=json.dumps({"event_id": f"ev-{i}"}),
            MessageAttributes={"source": {"DataType": "String", "StringValue": "shopify"}},
        )

    status, body = call_ops(deps, "POST", "/v1/ops/dlq/orders/redrive")

    assert status == 200 and body == {"queue": "orders", "moved": 13}
    assert (
        sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )
    moved: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", []
    ):
        moved.extend(batch)
    assert sorted(json.loads(m["Body"])["event_id"] for m in moved) == sorted(f"ev-{i}" for i in range(13))
    assert all(m["MessageAttributes"]["source"]["StringValue"] == "shopify" for m in moved)
    status, empty = call_ops(deps, "POST", "/v1/ops/dlq/orders/redrive")
    assert status == 200 and empty["moved"] == 0


def test_redriving_an_unknown_queue_is_not_found_and_names_the_known_ones(deps: Deps) -> None:
    status, body = call_ops(deps, "POST", "/v1/ops/dlq/payments/redrive")

    assert status == 404 and body["error"]["code"] == "NOT_FOUND"
    assert "channel-outbound, orders" in body["error"]["message"]


def test_one_exception_stored_with_an_odd_field_shape_still_lists_with_the_others() -> None:
    from functions.ops.logic.exceptions import stored_view

    item = {
        "exception_id": "return-20250106T110000000000Z-abcdefabcdef",
        "kind": "return",
        "status": "OPEN",
        "at": "2025-01-06T11:00:00Z",
        "concerns": {"return_key": "loop:1673"},  # a mapping where text is expected
    }

    view = stored_view(item)

    assert view.concerns == '{"return_key": "loop:1673"}' and view.kind == "return"
