"""The orders parking queue: OrderFlow inputs parked while the ERP stayed down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from shared.adapters.aws import client as aws_client

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class ParkedMessage:
    receipt_handle: str
    body: str


class ParkingQueuePort(Protocol):
    def receive(self, max_messages: int) -> list[ParkedMessage]: ...

    def delete(self, message: ParkedMessage) -> None: ...


class SqsParkingQueue:
    def __init__(self, queue_url: str, client: SQSClient | None = None, wait_seconds: int = 1) -> None:
        self.queue_url = queue_url
        self.wait_seconds = wait_seconds
        self._client = client

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            self._client = aws_client("sqs")
        return self._client

    def receive(self, max_messages: int) -> list[ParkedMessage]:
        # A short long-poll: a plain short poll samples a few servers and may miss messages.
        response = self.client.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(max_messages, 10)),
            WaitTimeSeconds=self.wait_seconds,
        )
        return [ParkedMessage(m["ReceiptHandle"], m["Body"]) for m in response.get("Messages", [])]

    def delete(self, message: ParkedMessage) -> None:
        self.client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message.receipt_handle)
