"""The transaction trace: every hop appends an entry under the correlation id.

Details are written through `shared.redaction.redact`: the values of customer-data keys never
reach the table, whatever a hop passes in.

Inside a Lambda entry point the hops an invocation records are held and written when it ends
(`shared.observability.trace_batch`): one item per correlation id, its hops in `entries`, packed
so an item stays within one write unit (1 KB, "Item sizes and formats",
docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html). A lone
hop is written as before, flat. Readers expand both, so the trace still reads hop by hop in time
order.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.observability import current_trace_batch
from shared.redaction import redact

TRACE_TTL_SECONDS = 30 * 24 * 3600
WRITE_UNIT_BYTES = 1024
ITEM_OVERHEAD_BYTES = 160  # correlation_id, sk, expires_at and the attribute names, a generous bound


class TraceSink(Protocol):
    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None) -> None: ...


class DynamoTraceStore(DynamoTableAdapter):
    """Trace table: pk `correlation_id`, sk `<iso time>#<hop>#<random>` so a query returns time order."""

    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None) -> None:
        at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        entry = {"at": at, "hop": hop, "status": status, "detail": redact(detail or {})}
        batch = current_trace_batch()
        if batch is not None:
            batch.add(self, correlation_id, entry)
        else:
            self.write_entries(correlation_id, [entry])

    def write_entries(self, correlation_id: str, entries: list[dict[str, Any]]) -> None:
        """One PutItem per write unit's worth of hops, in the order they were recorded."""
        expires_at = int(time.time()) + TRACE_TTL_SECONDS
        for group in _packed(entries):
            first = group[0]
            item: dict[str, Any] = {
                "correlation_id": correlation_id,
                "sk": f"{first['at']}#{first['hop']}#{uuid.uuid4().hex[:8]}",
                "expires_at": expires_at,
            }
            if len(group) == 1:
                item.update(first)
            else:
                item["entries"] = group
            self.table.put_item(Item=item)

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
        entries = [entry for item in items for entry in item.get("entries") or [item]]
        entries.sort(key=lambda e: e["at"])  # stable: a batch's hops keep their order within one instant
        return [
            {"at": e["at"], "hop": e["hop"], "status": e["status"], "detail": _plain(e.get("detail", {}))}
            for e in entries
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


def _packed(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive hops grouped so each item's estimated size stays within one write unit; a hop
    too big for one on its own is an item of its own."""
    groups: list[list[dict[str, Any]]] = []
    size = WRITE_UNIT_BYTES
    for entry in entries:
        entry_size = len(json.dumps(entry, default=str, separators=(",", ":")).encode())
        if groups and size + entry_size <= WRITE_UNIT_BYTES:
            groups[-1].append(entry)
            size += entry_size
        else:
            groups.append([entry])
            size = ITEM_OVERHEAD_BYTES + entry_size
    return groups


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
