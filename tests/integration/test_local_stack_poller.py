"""The SQS poller against moto's SQS: batches, partial batch responses, redrive to the DLQ."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local.lambda_runtime import FunctionSpec, Invocation
from local.poller import QueueSource, SqsPoller
from local.stack import LocalStack
from tests.integration import fake_handlers

pytestmark = pytest.mark.integration

WORKER = FunctionSpec(
    name="fake-worker",
    arn="arn:aws:lambda:us-east-1:123456789012:function:fake-worker",
    handler="tests.integration.fake_handlers.sqs_worker",
)


def _queue_pair(max_receive_count: int) -> tuple[str, str, str]:
    sqs = boto3.client("sqs")
    name = f"poller-test-{uuid.uuid4().hex[:8]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})
    url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


def _counts(url: str) -> tuple[int, int]:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _send(url: str, *bodies: dict[str, Any]) -> None:
    for body in bodies:
        boto3.client("sqs").send_message(
            QueueUrl=url,
            MessageBody=json.dumps(body),
            MessageAttributes={"correlation_id": {"DataType": "String", "StringValue": "corr-1"}},
        )


@pytest.fixture
def received(local_stack: LocalStack) -> Iterator[list[dict[str, Any]]]:
    fake_handlers.received.clear()
    yield fake_handlers.received
    fake_handlers.received.clear()


def _poller(stack: LocalStack, url: str, arn: str, **settings: Any) -> SqsPoller:
    source = QueueSource(name="test", function=WORKER, queue_url=url, queue_arn=arn, **settings)
    return SqsPoller(source, stack.invoke_spec, boto3.client("sqs"))


def test_partial_batch_response_keeps_only_the_failed_message(local_stack: LocalStack, received: list[Any]) -> None:
    url, arn, _ = _queue_pair(max_receive_count=5)
    _send(url, {"n": 1}, {"fail": True}, {"n": 2})
    poller = _poller(local_stack, url, arn, batch_size=10, batching_window_s=0.3, report_batch_item_failures=True)

    handled = poller.poll_once(wait_seconds=1)

    assert handled == 3
    assert _counts(url) == (0, 1)  # the failed one waits out its visibility timeout


def test_without_report_batch_item_failures_a_partial_response_deletes_the_batch(
    local_stack: LocalStack, received: list[Any]
) -> None:
    url, arn, _ = _queue_pair(max_receive_count=5)
    _send(url, {"n": 1}, {"fail": True})
    poller = _poller(local_stack, url, arn, batch_size=10, batching_window_s=0.3, report_batch_item_failures=False)

    poller.poll_once(wait_seconds=1)

    assert _counts(url) == (0, 0)


def test_a_raising_handler_deletes_nothing(local_stack: LocalStack, received: list[Any]) -> None:
    url, arn, _ = _queue_pair(max_receive_count=5)
    _send(url, {"n": 1}, {"raise": True})
    poller = _poller(local_stack, url, arn, batch_size=10, batching_window_s=0.3, report_batch_item_failures=True)

    poller.poll_once(wait_seconds=1)

    assert _counts(url) == (0, 2)


def test_batches_gather_more_than_ten_messages_within_the_window(local_stack: LocalStack, received: list[Any]) -> None:
    url, arn, _ = _queue_pair(max_receive_count=5)
    _send(url, *({"n": n} for n in range(25)))
    poller = _poller(local_stack, url, arn, batch_size=25, batching_window_s=1.0, report_batch_item_failures=True)

    handled = poller.poll_once(wait_seconds=1)

    assert handled == 25
    assert poller.invocations == 1
    assert _counts(url) == (0, 0)


def test_records_have_lambdas_sqs_event_shape(local_stack: LocalStack, received: list[Any]) -> None:
    url, arn, _ = _queue_pair(max_receive_count=5)
    _send(url, {"n": 1})
    poller = _poller(local_stack, url, arn, batch_size=10, report_batch_item_failures=True)

    poller.poll_once(wait_seconds=1)

    record = received[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert json.loads(record["body"]) == {"n": 1}
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"]["correlation_id"] == {
        "stringValue": "corr-1",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert record["messageId"] and record["receiptHandle"] and record["md5OfBody"]


def test_a_message_that_keeps_failing_is_redriven_to_the_dlq(local_stack: LocalStack, received: list[Any]) -> None:
    # GIVEN a queue that gives up after 2 receives, polled with a 1 s visibility timeout
    url, arn, dlq_url = _queue_pair(max_receive_count=2)
    poller = _poller(
        local_stack,
        url,
        arn,
        batch_size=10,
        report_batch_item_failures=True,
        visibility_timeout_s=1,
        concurrency=2,
    )
    poller.start()
    try:
        # WHEN a message fails every time
        _send(url, {"fail": True, "id": "poison"}, {"n": "fine"})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _counts(dlq_url)[0] == 0:
            time.sleep(0.2)
    finally:
        poller.stop()

    # THEN it was tried exactly twice, and then moved to the DLQ; the good one was deleted
    dead = boto3.client("sqs").receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["id"] for m in dead] == ["poison"]
    attempts = [r for r in received if json.loads(r["body"]).get("id") == "poison"]
    assert [r["attributes"]["ApproximateReceiveCount"] for r in attempts] == ["1", "2"]
    assert _counts(url) == (0, 0)


def test_invocation_errors_have_lambdas_error_shape(local_stack: LocalStack) -> None:
    spec = FunctionSpec(
        name="flaky",
        arn="arn:aws:lambda:us-east-1:123456789012:function:flaky",
        handler="tests.integration.fake_handlers.flaky_step",
    )

    outcome: Invocation = local_stack.invoke_spec(spec, {"key": f"shape-{uuid.uuid4()}", "throttle_times": 1})

    assert outcome.error is not None
    assert outcome.error["errorType"] == "ErpThrottled"
    assert outcome.error["errorMessage"] == "attempt 1 throttled"
    assert outcome.error["stackTrace"] and outcome.error["requestId"] == outcome.request_id
