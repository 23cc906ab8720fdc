"""The orders parking queue: OrderFlow inputs parked while the ERP stayed down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.adapters.aws import LazyClient

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class ParkedMessage:
    receipt_handle: str
    body: str


class ParkingQueuePort(Protocol):
    def receive(self, max_messages: int, hold_seconds: int | None = None) -> list[ParkedMessage]:
        """At most 10; each held from other consumers `hold_seconds` (default: the queue's visibility)."""
        ...

    def delete(self, message: ParkedMessage) -> None: ...

    def release(self, message: ParkedMessage) -> None:
        """Give a received message back to the queue now (ChangeMessageVisibility 0)."""
        ...


class SqsParkingQueue:
    client: LazyClient[SQSClient] = LazyClient("sqs")

    def __init__(self, queue_url: str, client: SQSClient | None = None, wait_seconds: int = 1) -> None:
        self.queue_url = queue_url
        self.wait_seconds = wait_seconds
        self._client = client

    def receive(self, max_messages: int, hold_seconds: int | None = None) -> list[ParkedMessage]:
        # A short long-poll: a plain short poll samples a few servers and may miss messages.
        kwargs: dict[str, Any] = {"VisibilityTimeout": hold_seconds} if hold_seconds is not None else {}
        response = self.client.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(max_messages, 10)),
            WaitTimeSeconds=self.wait_seconds,
            **kwargs,
        )
        return [ParkedMessage(m["ReceiptHandle"], m["Body"]) for m in response.get("Messages", [])]

    def delete(self, message: ParkedMessage) -> None:
        self.client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message.receipt_handle)

    def release(self, message: ParkedMessage) -> None:
        self.client.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=message.receipt_handle, VisibilityTimeout=0
        )
