"""The transaction trace: every hop appends an entry under the correlation id.

Details are written through `shared.redaction.redact`: the values of customer-data keys never
reach the table, whatever a hop passes in.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.redaction import redact

TRACE_TTL_SECONDS = 30 * 24 * 3600


class TraceSink(Protocol):
    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None) -> None: ...


class DynamoTraceStore(DynamoTableAdapter):
    """Trace table: pk `correlation_id`, sk `<iso time>#<hop>#<random>` so a query returns time order."""

    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None) -> None:
        now = datetime.now(UTC)
        at = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
        self.table.put_item(
            Item={
                "correlation_id": correlation_id,
                "sk": f"{at}#{hop}#{uuid.uuid4().hex[:8]}",
                "at": at,
                "hop": hop,
                "status": status,
                "detail": redact(detail or {}),
                "expires_at": int(time.time()) + TRACE_TTL_SECONDS,
            }
        )

    def events(self, correlation_id: str) -> list[dict[str, Any]]:
        """All entries for a correlation id, oldest first."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "correlation_id = :c",
            "ExpressionAttributeValues": {":c": correlation_id},
            "ScanIndexForward": True,
        }
        while True:
            page = self.table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [
            {"at": i["at"], "hop": i["hop"], "status": i["status"], "detail": _plain(i.get("detail", {}))}
            for i in items
        ]


class MemoryTraceStore:
    """In-memory trace for unit tests."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None) -> None:
        entry = {"correlation_id": correlation_id, "hop": hop, "status": status, "detail": redact(detail or {})}
        self.entries.append(entry)

    def hops(self, correlation_id: str) -> list[str]:
        return [e["hop"] for e in self.entries if e["correlation_id"] == correlation_id]


def _plain(value: Any) -> Any:
    """DynamoDB hands numbers back as Decimal; the API answers plain JSON numbers."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
