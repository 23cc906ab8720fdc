"""SQS for the outbound worker: dead-letter a rejected command now, delay a throttled one."""

from __future__ import annotations

import math
from typing import Any, Protocol

from shared.adapters.aws import LazyClient

MAX_VISIBILITY_SECONDS = 12 * 3600


class QueuePort(Protocol):
    def dead_letter(self, body: str, reason: str, correlation_id: str) -> None: ...

    def retry_after(self, receipt_handle: str, seconds: float) -> None: ...


class SqsQueues:
    client: LazyClient[Any] = LazyClient("sqs")

    def __init__(self, queue_url: str, dlq_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        self.dlq_url = dlq_url
        self._client = client

    def dead_letter(self, body: str, reason: str, correlation_id: str) -> None:
        """The message as received, to the DLQ, with why (redrive it once the cause is fixed)."""
        self.client.send_message(
            QueueUrl=self.dlq_url,
            MessageBody=body,
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": reason[:1000] or "rejected"},
                "correlation_id": {"DataType": "String", "StringValue": correlation_id},
            },
        )

    def retry_after(self, receipt_handle: str, seconds: float) -> None:
        """The throttled message comes back once the channel's `Retry-After` has passed."""
        timeout = min(max(math.ceil(seconds), 1), MAX_VISIBILITY_SECONDS)
        self.client.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=timeout
        )
