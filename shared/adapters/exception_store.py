"""Exceptions of every kind but reconciliation's, in the state table: one partition per kind.

| item | pk | sk |
| --- | --- | --- |
| exception | `EXCEPTION#<KIND>` (`EXCEPTION#ENRICHMENT`) | its id, `<kind>-<yyyymmddThhmmssffffffZ>-<12 hex>` |

The id is made from what the exception is about, not drawn at random (`exception_id`): the same
failed delivery raised twice (a redelivery after a crash between the write and the delete) is one
item. The time in it is when the delivery was received, so a partition read backwards is newest
first, and the kind in front tells the ops routes which partition an id lives in (reconciliation's
ids, `functions/reconciliation/dal`, start with the time and have no kind in front).

Writes: `raise_open` (create, or count one more failure of an OPEN one), `mark_retried` (ops asked
for a retry: counted, still OPEN), `resolve` (held to OPEN: a resolved exception stays resolved).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from shared.adapters.dynamo_codec import codec, to_dynamo
from shared.adapters.dynamo_table import DynamoTableAdapter

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

OPEN = "OPEN"
# Every kind kept here, in the order `GET /v1/ops/exceptions` reads them (reconciliation's are in
# their own items, functions/reconciliation/dal). A writer of a new kind names it here, or the ops
# list does not see it. What each keeps beside the common fields (`reason`, `category` from
# shared/failures.py, `correlation_id`, `concerns`, `error`):
# - enrichment: the queued `envelope` and its `domain` (functions/orders/logic/enrichment.py);
# - dead_letter / channel_command: the message's `queue` (short name), `payload` (its body) and
#   string `attributes` (shared/adapters/dead_letters.py);
# - order: the OrderFlow execution `input` and the failed `state` (the flow's Catch);
# - return / settlement: their domains' own fields; retried when they keep `queue` and `payload`.
STORED_KINDS = ("enrichment", "order", "dead_letter", "channel_command", "return", "settlement", "price")
# The SQS message attribute of an envelope put back by an ops retry: the exception it retries.
RETRY_OF = "retail_sync_exception_id"
RESOLVED = "RESOLVED"


def exception_pk(kind: str) -> str:
    return f"EXCEPTION#{kind.upper()}"


def exception_id(kind: str, at: datetime, key: str) -> str:
    """`<kind>-<at, to the microsecond>-<12 hex of sha256(key)>`: the same kind, time and key, the same id."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{kind}-{at.strftime('%Y%m%dT%H%M%S%fZ')}-{digest}"


def kind_of(exception_id: str, kinds: tuple[str, ...]) -> str | None:
    """The kind named in front of an id, if it is one of `kinds`."""
    kind = exception_id.split("-", 1)[0]
    return kind if kind in kinds else None


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


class DynamoExceptionStore(DynamoTableAdapter):
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        super().__init__(table_name, client=client)

    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool:
        """Create the exception OPEN, or count one more failure of the same OPEN one.

        False (nothing written) when it exists and was resolved: a late redelivery does not reopen it.
        """
        values = {k: v for k, v in record.items() if v is not None}
        names = {f"#a{i}": name for i, name in enumerate(values)}
        sets = [f"#a{i} = :a{i}" for i in range(len(values))]
        attribute_values: dict[str, Any] = {f":a{i}": value for i, value in enumerate(values.values())}
        attribute_values.update({":open": OPEN, ":at": iso(at), ":id": exception_id, ":kind": kind, ":one": 1})
        names.update(
            {
                "#status": "status",
                "#raised": "at",
                "#last": "last_failed_at",
                "#id": "exception_id",
                "#kind": "kind",
                "#failures": "failures",
            }
        )
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_key(kind, exception_id),
                UpdateExpression="SET "
                + ", ".join(
                    [
                        *sets,
                        "#status = :open",
                        "#raised = if_not_exists(#raised, :at)",
                        "#last = :at",
                        "#id = :id",
                        "#kind = :kind",
                    ]
                )
                + " ADD #failures :one",
                ConditionExpression="attribute_not_exists(#status) OR #status = :open",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_dynamo(attribute_values),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get(self, kind: str, exception_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key=_key(kind, exception_id), ConsistentRead=True).get(
            "Item"
        )
        return _plain(item) if item else None

    def list(self, kind: str, status: str | None, limit: int) -> list[dict[str, Any]]:
        """Newest first; only those in `status` (OPEN / RESOLVED) when given."""
        return [
            _plain(item)
            for item in self.newest_first(exception_pk(kind), limit, {"status": status} if status else None)
        ]

    def mark_retried(self, kind: str, exception_id: str, at: datetime) -> bool:
        """Count a retry asked for by ops; False when the exception is no longer OPEN."""
        return self._update_open(
            kind,
            exception_id,
            "SET #last_retry = :at ADD #retries :one",
            {"#last_retry": "last_retry_at", "#retries": "retries"},
            {":at": iso(at), ":one": 1},
        )

    def resolve(self, kind: str, exception_id: str, resolution: dict[str, Any], at: datetime) -> bool:
        """Close an OPEN exception; False when it was not OPEN (or does not exist)."""
        return self._update_open(
            kind,
            exception_id,
            "SET #status = :resolved, #resolved_at = :at, #resolution = :resolution",
            {"#resolved_at": "resolved_at", "#resolution": "resolution"},
            {":resolved": RESOLVED, ":at": iso(at), ":resolution": resolution},
        )

    def _update_open(
        self, kind: str, exception_id: str, expression: str, names: dict[str, str], values: dict[str, Any]
    ) -> bool:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_key(kind, exception_id),
                UpdateExpression=expression,
                ConditionExpression="#status = :open",
                ExpressionAttributeNames={"#status": "status", **names},
                ExpressionAttributeValues=to_dynamo({":open": OPEN, **values}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


class MemoryExceptionStore:
    """The same behaviour in memory, for unit tests of the workers and the ops routes."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool:
        item = self.items.get((kind, exception_id))
        if item is not None and item["status"] != OPEN:
            return False
        item = item or {"exception_id": exception_id, "kind": kind, "at": iso(at), "failures": 0}
        item.update({k: v for k, v in record.items() if v is not None})
        item.update({"status": OPEN, "last_failed_at": iso(at), "failures": item["failures"] + 1})
        self.items[(kind, exception_id)] = item
        return True

    def get(self, kind: str, exception_id: str) -> dict[str, Any] | None:
        item = self.items.get((kind, exception_id))
        return dict(item) if item else None

    def list(self, kind: str, status: str | None, limit: int) -> list[dict[str, Any]]:
        mine = [dict(v) for (k, _), v in sorted(self.items.items(), reverse=True) if k == kind]
        return [item for item in mine if status is None or item["status"] == status][:limit]

    def mark_retried(self, kind: str, exception_id: str, at: datetime) -> bool:
        item = self.items.get((kind, exception_id))
        if item is None or item["status"] != OPEN:
            return False
        item.update({"last_retry_at": iso(at), "retries": item.get("retries", 0) + 1})
        return True

    def resolve(self, kind: str, exception_id: str, resolution: dict[str, Any], at: datetime) -> bool:
        item = self.items.get((kind, exception_id))
        if item is None or item["status"] != OPEN:
            return False
        item.update({"status": RESOLVED, "resolved_at": iso(at), "resolution": resolution})
        return True


def _key(kind: str, exception_id: str) -> dict[str, Any]:
    return to_dynamo({"pk": exception_pk(kind), "sk": exception_id})


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    values = {k: codec()[1].deserialize(v) for k, v in item.items()}
    # Counters come back as Decimal; every number these items hold is a whole count.
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in values.items()}
