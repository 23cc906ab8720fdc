"""Store sales against the state table: one transaction per SKU of a sale (docs/inventory.md).

The transaction holds a marker per sale line (`MOVEMENT#store-sale:<order_id>:<line_id>` /
`SKU#<sku>#LOC#<store>`, put only if absent), the position write held to the `version` it was
read with (or put only if absent), and, when the count did not cover the sale, the variance as a
reconciliation exception (`EXCEPTION#RECONCILIATION`). So the sale lowers on hand once however
often it is delivered, and a variance is raised once with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from shared.adapters.dynamo_codec import put_if_absent
from shared.adapters.movement_markers import marker_put
from shared.adapters.state_store import DynamoStateStore, cancellation_reason_codes, iso, position_write
from shared.models import InventoryPosition, MovementKind
from shared.store_sales import CommitOutcome, SalePlan

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EXCEPTION_PK = "EXCEPTION#RECONCILIATION"  # the partition the ops exceptions route lists
_POSITION_FIELDS = ("on_hand", "sold_through_ms", "updated_at")


def variance_exception_id(at: datetime, plan: SalePlan) -> str:
    """Sorts by time like the reconciliation's ids; the suffix comes from the sale, not a random."""
    suffix = hashlib.sha256(f"{plan.lines[0].event_id}|{plan.sku}".encode()).hexdigest()[:8]
    return f"{at.strftime('%Y%m%dT%H%M%S%fZ')}-{suffix}"


class DynamoStoreSaleStore:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._state = DynamoStateStore(table_name, client)

    @property
    def client(self) -> DynamoDBClient:
        return self._state.client

    def get_positions(self, location_id: str, skus: Iterable[str]) -> dict[str, InventoryPosition]:
        return self._state.get_positions(location_id, skus)

    def commit_sale(self, plan: SalePlan, variance: dict[str, Any] | None, at: datetime) -> CommitOutcome:
        items = [
            marker_put(self.table_name, line.event_id, plan.sku, plan.location_id, MovementKind.STORE_SALE.value, 0, at)
            for line in plan.lines
        ]
        if plan.position is not None:
            items.append(position_write(self.table_name, plan.current, plan.position, _POSITION_FIELDS))
        if variance is not None:
            exception_id = variance_exception_id(at, plan)
            item = {"pk": EXCEPTION_PK, "sk": exception_id, "exception_id": exception_id, "status": "OPEN"}
            item.update(at=iso(at), **variance)
            items.append(put_if_absent(self.table_name, item))
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("TransactionConflictException", "ThrottlingException"):
                return CommitOutcome.CONFLICT
            if code != "TransactionCanceledException":
                raise
            codes = cancellation_reason_codes(exc)
            if any(c == "ConditionalCheckFailed" for c in codes[: len(plan.lines)]):
                return CommitOutcome.DUPLICATE
            return CommitOutcome.CONFLICT
        return CommitOutcome.COMMITTED
