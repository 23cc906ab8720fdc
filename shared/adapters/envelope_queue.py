"""SQS for queued envelopes outside the normal receive/delete: delay a delivery, put one back for a retry."""

from __future__ import annotations

from typing import Any

from shared.adapters.aws import LazyClient


class SqsEnvelopeQueue:
    client: LazyClient[Any] = LazyClient("sqs")

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """The received message comes back after `seconds` (its visibility timeout from now)."""
        self.client.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )

    def send(self, body: str, attributes: dict[str, str]) -> str:
        """The envelope as it was queued, with string message attributes; the new message's id."""
        answer = self.client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=body,
            MessageAttributes={name: {"DataType": "String", "StringValue": v} for name, v in attributes.items()},
        )
        return str(answer["MessageId"])
