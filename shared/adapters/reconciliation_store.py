"""Reconciliation in the state table: runs, corrections (with their audit entries), exceptions.

| item | pk | sk |
| --- | --- | --- |
| run | `RECON#<kind>` | `RUN#<run_id>` (run ids sort by time) |
| audit entry | `AUDIT#INVENTORY` | `<at>#<run_id>#<sku>#<location_id>` |
| exception | `EXCEPTION#RECONCILIATION` | `<yyyymmddThhmmssffffffZ>-<8 hex>` (its id: sorts by time, URL-safe) |

A correction is one transaction: the position's on-hand (only if its version and on-hand are
still what the run compared), the audit entry, and the SKU's dirty marker (its channels are
republished). It leaves `last_sequence` alone: the WMS's own sequence guard is unaffected.
Resolving an exception (ops) adds its status change, held to `OPEN`, to the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.adapters.dynamo_codec import put_if_absent
from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.adapters.state_store import AVAILABILITY_DIRTY_PK as DIRTY_PK
from shared.adapters.state_store import from_dynamo, iso, position_from_item, position_key, to_dynamo
from shared.models import InventoryPosition
from shared.models.reconciliation import ReconciliationRun

AUDIT_PK = "AUDIT#INVENTORY"
EXCEPTION_PK = "EXCEPTION#RECONCILIATION"
OPEN = "OPEN"
RESOLVED = "RESOLVED"


def new_exception_id(at: datetime) -> str:
    return f"{at.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"


def run_key(kind: str, run_id: str) -> dict[str, str]:
    return {"pk": f"RECON#{kind}", "sk": f"RUN#{run_id}"}


class DynamoReconciliationStore(DynamoTableAdapter):
    # Runs ------------------------------------------------------------------------------------------

    def save_run(self, run: ReconciliationRun) -> None:
        item = {
            **run_key(run.kind, run.run_id),
            "run_id": run.run_id,
            "status": run.status.value,
            "document": run.model_dump_json(),
        }
        self.client.put_item(TableName=self.table_name, Item=to_dynamo(item))

    def get_run(self, kind: str, run_id: str) -> ReconciliationRun | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo(run_key(kind, run_id)), ConsistentRead=True
        ).get("Item")
        return ReconciliationRun.model_validate_json(str(from_dynamo(item)["document"])) if item else None

    def list_runs(self, kind: str, limit: int = 20) -> list[ReconciliationRun]:
        page = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :run)",
            ExpressionAttributeValues=to_dynamo({":pk": f"RECON#{kind}", ":run": "RUN#"}),
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=True,
        )
        return [
            ReconciliationRun.model_validate_json(str(from_dynamo(item)["document"])) for item in page.get("Items", [])
        ]

    # Positions -------------------------------------------------------------------------------------

    def all_positions(self) -> list[InventoryPosition]:
        """Every position (a paginated Scan: hourly, and positions are most of the table's items)."""
        request = {
            "FilterExpression": "begins_with(pk, :sku) AND begins_with(sk, :loc)",
            "ExpressionAttributeValues": to_dynamo({":sku": "SKU#", ":loc": "LOC#"}),
            "ConsistentRead": True,
        }
        return [position_from_item(from_dynamo(item)) for item in self.page_through("scan", request)]

    # Corrections and exceptions ----------------------------------------------------------------------

    def correct(
        self,
        position: InventoryPosition,
        on_hand: int,
        audit: dict[str, Any],
        at: datetime,
        also: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """False (and nothing written) when the position moved or one of `also`'s conditions failed."""
        now = iso(at)
        key = position_key(position.sku, position.location_id)
        if position.version:
            write: dict[str, Any] = {
                "Update": {
                    "TableName": self.table_name,
                    "Key": to_dynamo(key),
                    "UpdateExpression": "SET #on_hand = :n, #updated_at = :now, #version = #version + :one",
                    "ConditionExpression": "#version = :v AND #on_hand = :ours",
                    "ExpressionAttributeNames": {
                        "#on_hand": "on_hand",
                        "#updated_at": "updated_at",
                        "#version": "version",
                    },
                    "ExpressionAttributeValues": to_dynamo(
                        {":n": on_hand, ":now": now, ":one": 1, ":v": position.version, ":ours": position.on_hand}
                    ),
                }
            }
        else:  # the WMS counts stock we never heard of: the position starts at its count
            write = put_if_absent(
                self.table_name,
                {
                    **key,
                    "sku": position.sku,
                    "location_id": position.location_id,
                    "on_hand": on_hand,
                    "reserved": 0,
                    "last_sequence": -1,
                    "version": 1,
                    "updated_at": now,
                },
            )
        items: list[dict[str, Any]] = [
            write,
            self._audit_put(audit, now),
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": to_dynamo({"pk": DIRTY_PK, "sk": f"SKU#{position.sku}"}),
                    "UpdateExpression": "SET #sku = :sku, #first = if_not_exists(#first, :now), #last = :now "
                    "ADD #version :one",
                    "ExpressionAttributeNames": {
                        "#sku": "sku",
                        "#first": "first_changed_at",
                        "#last": "last_changed_at",
                        "#version": "version",
                    },
                    "ExpressionAttributeValues": to_dynamo({":sku": position.sku, ":now": now, ":one": 1}),
                }
            },
            *also,
        ]
        return self._transact(items)

    def _audit_put(self, audit: dict[str, Any], now: str) -> dict[str, Any]:
        return put_if_absent(self.table_name, {"pk": AUDIT_PK, "sk": audit["audit_id"], "at": now, **audit})

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def raise_exception(self, record: dict[str, Any], at: datetime) -> str:
        exception_id = new_exception_id(at)
        item = {"pk": EXCEPTION_PK, "sk": exception_id, "exception_id": exception_id, "status": OPEN, "at": iso(at)}
        self.client.put_item(TableName=self.table_name, Item=to_dynamo({**item, **record}))
        return exception_id

    def get_exception(self, exception_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo({"pk": EXCEPTION_PK, "sk": exception_id}), ConsistentRead=True
        ).get("Item")
        return from_dynamo(item) if item else None

    def resolve(
        self,
        exception_id: str,
        resolution: dict[str, Any],
        audit: dict[str, Any],
        at: datetime,
        correction: tuple[InventoryPosition, int] | None = None,
    ) -> bool:
        """Close an OPEN exception with its audit entry, and (accept theirs) the correction, in one
        transaction; False and nothing written when it is no longer OPEN or the position moved."""
        now = iso(at)
        close = {
            "Update": {
                "TableName": self.table_name,
                "Key": to_dynamo({"pk": EXCEPTION_PK, "sk": exception_id}),
                "UpdateExpression": "SET #status = :resolved, #resolved_at = :now, #resolution = :resolution",
                "ConditionExpression": "#status = :open",
                "ExpressionAttributeNames": {
                    "#status": "status",
                    "#resolved_at": "resolved_at",
                    "#resolution": "resolution",
                },
                "ExpressionAttributeValues": to_dynamo(
                    {":resolved": RESOLVED, ":open": OPEN, ":now": now, ":resolution": resolution}
                ),
            }
        }
        if correction is not None:
            position, on_hand = correction
            return self.correct(position, on_hand, audit, at, also=[close])
        return self._transact([close, self._audit_put(audit, now)])

    def audit_entries(self, limit: int = 100, sku: str | None = None) -> list[dict[str, Any]]:
        """Newest first; only the SKU's when given."""
        return [from_dynamo(item) for item in self.newest_first(AUDIT_PK, limit, {"sku": sku} if sku else None)]

    def exceptions(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        """Newest first; only those in `status` (OPEN / RESOLVED) when given."""
        return [
            from_dynamo(item) for item in self.newest_first(EXCEPTION_PK, limit, {"status": status} if status else None)
        ]
