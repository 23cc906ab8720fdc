"""Polls SQS for each event source mapping and invokes the function like Lambda's SQS poller does.

Per mapping: batches of up to `BatchSize` (several ReceiveMessage calls of at most 10, gathered for
up to `MaximumBatchingWindowInSeconds`), Lambda's SQS event shape, partial batch responses
(`batchItemFailures`) when the mapping reports them, nothing deleted when the handler raises, and
failed messages left to reappear after the visibility timeout. Redrive to the DLQ after
`maxReceiveCount` receives is done by moto's SQS on receive (checked in
tests/integration/test_local_stack_poller.py).

`visibility_scale` shortens every queue's visibility timeout (to whole seconds, at least 1) so a
poison message reaches its DLQ in seconds in tests: RETAIL_SYNC_LOCAL_VISIBILITY_SCALE=0.01 turns
a 180 s timeout into 2 s.
"""

from __future__ import annotations

import base64
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from local.config import REGION
from local.lambda_runtime import FunctionSpec, Invocation

LOG = logging.getLogger("local.poller")

Invoker = Callable[[FunctionSpec, Any], Invocation]

_MAX_RECEIVE = 10  # SQS ReceiveMessage limit
_LONG_POLL_SECONDS = 1  # short, so stop() is quick
_DEFAULT_CONCURRENCY = 5  # Lambda starts an SQS mapping with five concurrent batches


@dataclass(frozen=True)
class QueueSource:
    """One SQS event source mapping, resolved to physical names."""

    name: str  # the mapping's logical id
    function: FunctionSpec
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    batching_window_s: float = 0.0
    report_batch_item_failures: bool = False
    visibility_timeout_s: int | None = None  # None: the queue's own
    concurrency: int = _DEFAULT_CONCURRENCY
    enabled: bool = True


def scaled_visibility_timeout(queue_timeout_s: int, scale: float) -> int | None:
    """The visibility timeout the poller asks for: None keeps the queue's own."""
    if scale == 1.0:
        return None
    return max(1, math.ceil(queue_timeout_s * scale))


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """Lambda's SQS event for a batch of ReceiveMessage results."""
    return {"Records": [_record(message, queue_arn) for message in messages]}


def _record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def failed_message_ids(outcome: Invocation, batch_ids: list[str], reports_failures: bool) -> set[str]:
    """Which messages of a batch stay on the queue, as Lambda decides it."""
    if outcome.errored:
        return set(batch_ids)
    if not reports_failures or not isinstance(outcome.payload, dict):
        return set()
    failures = outcome.payload.get("batchItemFailures")
    if not failures:
        return set()
    ids = {failure.get("itemIdentifier") if isinstance(failure, dict) else None for failure in failures}
    if None in ids or "" in ids or not ids <= set(batch_ids):
        return set(batch_ids)  # an invalid partial response fails the whole batch
    return {str(i) for i in ids}


class SqsPoller:
    """The worker threads of one event source mapping."""

    def __init__(self, source: QueueSource, invoke: Invoker, client: Any | None = None) -> None:
        self.source = source
        self._invoke = invoke
        self._sqs: Any = client or boto3.client("sqs")
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._busy_lock = threading.Lock()
        self.invocations = 0

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def start(self) -> None:
        if not self.source.enabled:
            return
        for index in range(max(1, self.source.concurrency)):
            thread = threading.Thread(
                target=self._run, name=f"poller-{self.source.name}-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def signal_stop(self) -> None:
        """Ask the workers to stop after their current receive (stop() waits for them)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=_LONG_POLL_SECONDS + 5)
        self._threads.clear()

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch and process it; the number of messages handled."""
        messages = self._receive_batch(wait_seconds)
        if not messages:
            return 0
        with self._busy_lock:
            self._busy += 1
        try:
            self._process(messages)
        finally:
            with self._busy_lock:
                self._busy -= 1
        return len(messages)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.poll_once(_LONG_POLL_SECONDS)
                failures = 0
            except Exception:  # keep polling like Lambda does; say so once per streak
                failures += 1
                if failures == 1:
                    LOG.warning("poller %s: receive or delete failed", self.source.name, exc_info=True)
                self._stop.wait(min(5.0, 0.2 * failures))

    def _receive_batch(self, wait_seconds: int) -> list[dict[str, Any]]:
        source = self.source
        batch: list[dict[str, Any]] = []
        deadline: float | None = None
        while len(batch) < source.batch_size and not self._stop.is_set():
            wait = wait_seconds if not batch else 0
            received = self._receive(min(_MAX_RECEIVE, source.batch_size - len(batch)), wait)
            batch.extend(received)
            if not batch:
                return batch
            if deadline is None:
                deadline = time.monotonic() + source.batching_window_s
            if time.monotonic() >= deadline:
                break
            if not received:
                self._stop.wait(min(0.05, max(0.0, deadline - time.monotonic())))
        return batch

    def _receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "QueueUrl": self.source.queue_url,
            "MaxNumberOfMessages": count,
            "WaitTimeSeconds": wait_seconds,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if self.source.visibility_timeout_s is not None:
            request["VisibilityTimeout"] = self.source.visibility_timeout_s
        messages: list[dict[str, Any]] = self._sqs.receive_message(**request).get("Messages", [])
        return messages

    def _process(self, messages: list[dict[str, Any]]) -> None:
        source = self.source
        outcome = self._invoke(source.function, sqs_event(messages, source.queue_arn))
        self.invocations += 1
        if outcome.errored:
            error = outcome.error or {}
            LOG.warning(
                "%s failed a batch of %d: %s: %s",
                source.function.name,
                len(messages),
                error.get("errorType"),
                error.get("errorMessage"),
            )
        ids = [m["MessageId"] for m in messages]
        failed = failed_message_ids(outcome, ids, source.report_batch_item_failures)
        if failed and not outcome.errored:
            LOG.info("%s reported %d of %d messages failed", source.function.name, len(failed), len(messages))
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), _MAX_RECEIVE):
            chunk = done[start : start + _MAX_RECEIVE]
            self._sqs.delete_message_batch(
                QueueUrl=source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
