"""Starting a reconciliation run now: an asynchronous invoke of the reconciliation function."""

from __future__ import annotations

from typing import Any, Protocol

from shared.adapters.aws import client as aws_client
from shared.models.reconciliation import RunRequest


class RunStarter(Protocol):
    def start(self, request: RunRequest) -> None: ...


class LambdaRunStarter:
    def __init__(self, function_name: str, client: Any | None = None) -> None:
        self.function_name = function_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client("lambda")
        return self._client

    def start(self, request: RunRequest) -> None:
        """`InvocationType=Event`: Lambda queues it; the run record shows its progress."""
        self.client.invoke(
            FunctionName=self.function_name, InvocationType="Event", Payload=request.model_dump_json().encode()
        )
