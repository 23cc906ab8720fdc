"""Reads a stored return from the state table by its key (functions/ops/logic/returns.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.adapters.dynamo_table import DynamoTableAdapter


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class DynamoReturnReader(DynamoTableAdapter):
    def get_return(self, return_key: str) -> dict[str, Any] | None:
        answer = self.table.get_item(Key={"pk": f"RETURNCASE#{return_key}", "sk": "RETURNCASE"}, ConsistentRead=True)
        item = answer.get("Item")
        return _plain(item) if item else None
