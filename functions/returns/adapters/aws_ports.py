"""ReturnFlow's AWS ports: Step Functions (start, hand over the inspection), the inventory queue and
the orders queue (an exchange's replacement order)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from shared.adapters.aws import LazyClient
from shared.adapters.envelope_queue import SqsEnvelopeQueue
from shared.adapters.order_flow import StepFunctionsOrderFlow

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class ReturnFlowPort(Protocol):
    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        """Start one execution; False when one with that name exists (Standard: 90 days)."""
        ...

    def hand_over(self, task_token: str, output: dict[str, Any]) -> bool:
        """Complete the waiting task; False when the token is no longer waiting (timed out, used)."""
        ...


class StepFunctionsReturnFlow(StepFunctionsOrderFlow):
    """Starts a return's execution as any flow is started (a Standard machine refuses a second start
    with the same name: `start` answers False), and hands the inspection to the waiting task."""

    def hand_over(self, task_token: str, output: dict[str, Any]) -> bool:
        try:
            self.client.send_task_success(taskToken=task_token, output=json.dumps(output))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                return False
            raise
        return True


class OrdersPort(Protocol):
    def place(self, envelope: dict[str, Any]) -> None: ...


class SqsOrdersQueue(SqsEnvelopeQueue):
    """The orders queue: an exchange's replacement order starts OrderFlow as any order does."""

    def place(self, envelope: dict[str, Any]) -> None:
        self.send(json.dumps(envelope), {})


class InventoryPort(Protocol):
    def send(self, envelopes: list[dict[str, Any]]) -> None: ...


class SqsInventoryQueue:
    """The inventory queue: movements travel as the WMS's own `inventory.moved` events would."""

    client: LazyClient[SQSClient] = LazyClient("sqs")

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    def send(self, envelopes: list[dict[str, Any]]) -> None:
        for start in range(0, len(envelopes), 10):
            batch = envelopes[start : start + 10]
            response = self.client.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "MessageBody": json.dumps(e)} for i, e in enumerate(batch)],
            )
            if response.get("Failed"):
                raise RuntimeError(f"inventory queue refused {len(response['Failed'])} movements")
