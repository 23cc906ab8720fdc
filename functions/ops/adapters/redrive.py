"""Moving a dead-letter queue's messages back to their source queue, message by message.

Not SQS's StartMessageMoveTask: it "starts an asynchronous task to move messages" and answers a
task handle, not a count (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
API_StartMessageMoveTask.html; "only one active message movement task is supported per queue"),
while the contract answers `{"moved": n}`; moto does not implement it either. So: receive up to 10,
send them to the source queue with their body and message attributes, delete from the DLQ only
those the send accepted; until the DLQ answers empty, `limit` is reached or the time budget is
spent (the route is an API Gateway request: 29 s at most). A message moved twice (a crash between
send and delete) is delivered twice; every worker is idempotent on what it carries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.adapters.aws import client as aws_client

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

BATCH = 10


class SqsRedrive:
    def __init__(self, client: SQSClient | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self.clock = clock

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            self._client = aws_client("sqs")
        return self._client

    def move(self, dlq_url: str, queue_url: str, limit: int, budget_seconds: float) -> int:
        """Move at most `limit` messages from `dlq_url` to `queue_url`; how many were moved."""
        deadline = self.clock() + budget_seconds
        moved = 0
        while moved < limit and self.clock() < deadline:
            received = self.client.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=min(BATCH, limit - moved),
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not received:
                break
            entries: list[Any] = [
                {
                    "Id": str(i),
                    "MessageBody": message["Body"],
                    **({"MessageAttributes": message["MessageAttributes"]} if message.get("MessageAttributes") else {}),
                }
                for i, message in enumerate(received)
            ]
            sent = self.client.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Successful", [])
            done = [received[int(entry["Id"])] for entry in sent]
            if done:
                self.client.delete_message_batch(
                    QueueUrl=dlq_url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
            moved += len(done)
            if len(done) < len(received):  # the source refused some: stop, they stay in the DLQ
                break
        return moved
