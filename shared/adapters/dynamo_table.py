"""Base of the DynamoDB adapters: one table, a low-level client created on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.adapters.aws import client as aws_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoTableAdapter:
    """Holds the table name and the client (injected by tests, else the process-wide cached one)."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = aws_client("dynamodb")
        return self._client
