"""Reads a stored return from the state table by its key (functions/ops/logic/returns.py)."""

from __future__ import annotations

from typing import Any

from shared.adapters.dynamo_codec import plain
from shared.adapters.dynamo_table import DynamoTableAdapter


class DynamoReturnReader(DynamoTableAdapter):
    def get_return(self, return_key: str) -> dict[str, Any] | None:
        answer = self.table.get_item(Key={"pk": f"RETURNCASE#{return_key}", "sk": "RETURNCASE"}, ConsistentRead=True)
        item = answer.get("Item")
        return plain(item) if item else None
