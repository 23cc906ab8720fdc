"""Starting OrderFlow executions (Step Functions)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from shared.adapters.aws import LazyClient

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class OrderFlowPort(Protocol):
    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        """Start one execution; False when one with that name already exists (already started)."""
        ...


class StepFunctionsOrderFlow:
    client: LazyClient[SFNClient] = LazyClient("stepfunctions")

    def __init__(self, state_machine_arn: str, client: SFNClient | None = None) -> None:
        self.state_machine_arn = state_machine_arn
        self._client = client

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(execution_input)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return False
            raise
        return True
