"""Base of the DynamoDB adapters: one table, its low-level client or its resource ``Table``,
each created on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.aws import client as aws_client
from shared.adapters.aws import dynamodb_table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoTableAdapter:
    """Holds the table name and the client or resource ``Table`` (injected by tests, else the
    process-wide cached one). Adapters use one of the two: ``client`` (typed attribute values) or
    ``table`` (plain Python values)."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None, table: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client
        self._table = table

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = aws_client("dynamodb")
        return self._client

    @property
    def table(self) -> Any:
        if self._table is None:
            self._table = dynamodb_table(self.table_name)
        return self._table
