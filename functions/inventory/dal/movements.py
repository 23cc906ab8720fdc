"""Aggregated movement writes: one transaction per position per batch (docs/inventory.md).

Each transaction holds a marker item per (event, position) (`MOVEMENT#<event_id>`, put only if
absent, expiring after 30 days) and one write of the position, so a movement is applied exactly
once however often it is delivered, and a hot SKU's item is written once per batch, not once per
movement. Two ways to write the position:
- fast: a conditional `ADD` of the batch's net deltas (no read; concurrent batches commute);
- exact: read, `apply_effects`, write under the optimistic lock on `version` (counts, safety stock,
  out-of-order batches, a counter that would go negative).
Every write bumps `version`, so a reservation that read the position before it retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from functions.inventory.logic.movements import (
    DELTA_COUNTERS,
    Effect,
    FastUpdate,
    GroupResult,
    PositionChange,
    apply_effects,
    fast_update,
)
from shared.adapters.movement_markers import marker_put
from shared.adapters.state_store import (
    DynamoStateStore,
    cancellation_reason_codes,
    iso,
    position_key,
    position_write,
    to_dynamo,
)
from shared.errors import ConcurrentModification
from shared.models import InventoryPosition
from shared.retry import RetryPolicy

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_TRANSACTION_ITEMS = 100  # DynamoDB TransactWriteItems limit
_CONDITION_FAILED = "ConditionalCheckFailed"
_CONFLICT_CODES = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
# What an exact write sets on a position it read (the rest of the item is the read's).
_EXACT_FIELDS = (
    *DELTA_COUNTERS,
    "safety_stock",
    "last_sequence",
    "count_sequence",
    "safety_sequence",
    "counted_at_ms",
    "sold_through_ms",
    "updated_at",
)


@dataclass
class _Attempt:
    committed: bool = False
    duplicates: set[int] = field(default_factory=set)
    position_refused: bool = False


class DynamoMovementStore(DynamoStateStore):
    """Movement groups against the state table."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None, retry: RetryPolicy | None = None) -> None:
        super().__init__(table_name, client)
        self.retry = retry or RetryPolicy(max_attempts=8)

    def read_position(self, sku: str, location_id: str) -> InventoryPosition | None:
        return self.get_positions(location_id, [sku]).get(sku)

    def apply_group(self, sku: str, location_id: str, effects: Sequence[Effect], at: datetime) -> GroupResult:
        """Apply one position's effects exactly once; ConcurrentModification when races keep winning."""
        chunk = MAX_TRANSACTION_ITEMS - 1
        if len(effects) <= chunk:
            return self._apply(sku, location_id, list(effects), at)
        results = [
            self._apply(sku, location_id, list(effects[i : i + chunk]), at) for i in range(0, len(effects), chunk)
        ]
        last = results[-1]
        return GroupResult(
            change=PositionChange(
                position=last.change.position,
                applied=tuple(e for r in results for e in r.change.applied),
                stale=tuple(e for r in results for e in r.change.stale),
                shortfall={k: v for r in results for k, v in r.change.shortfall.items()},
            ),
            duplicates=tuple(e for r in results for e in r.duplicates),
            fast=all(r.fast for r in results),
            writes=sum(r.writes for r in results),
        )

    def _apply(self, sku: str, location_id: str, pending: list[Effect], at: datetime) -> GroupResult:
        duplicates: list[str] = []
        use_fast = True
        for attempt in range(self.retry.max_attempts):
            if not pending:
                current = self.read_position(sku, location_id)
                base = current or InventoryPosition(sku=sku, location_id=location_id)
                return GroupResult(change=PositionChange(position=base), duplicates=tuple(duplicates))
            fast = fast_update(pending) if use_fast else None
            change: PositionChange | None = None
            position_write: dict[str, Any] | None
            if fast is not None:
                position_write = self._fast_write(sku, location_id, fast, at)
            else:
                current = self.read_position(sku, location_id)
                change = apply_effects(current, sku, location_id, pending, at)
                position_write = self._exact_write(current, change) if change.changed else None
            markers = [self._marker(effect, at) for effect in pending]
            outcome = self._transact(
                [*markers, *([position_write] if position_write else [])], position_write is not None
            )
            if outcome.committed:
                writes = len(markers) + (1 if position_write else 0)
                if change is None:  # fast: every effect applied; read back what the ADD produced
                    position = self.read_position(sku, location_id)
                    assert position is not None
                    change = PositionChange(position=position, applied=tuple(e.event_id for e in pending))
                return GroupResult(change=change, duplicates=tuple(duplicates), fast=fast is not None, writes=writes)
            if outcome.duplicates:
                duplicates.extend(pending[i].event_id for i in sorted(outcome.duplicates))
                pending = [e for i, e in enumerate(pending) if i not in outcome.duplicates]
                continue
            if outcome.position_refused and fast is not None:
                use_fast = False  # out of order, a legacy item, or a counter going negative
                continue
            self.retry.pause(attempt)
        raise ConcurrentModification(f"position {sku}@{location_id} kept changing")

    def _transact(self, items: list[dict[str, Any]], with_position: bool) -> _Attempt:
        """Markers first, the position write (if any) last: CancellationReasons say which refused."""
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("TransactionConflictException", "ThrottlingException"):
                return _Attempt()
            if code != "TransactionCanceledException":
                raise
            codes = cancellation_reason_codes(exc)
            failed = {i for i, c in enumerate(codes) if c == _CONDITION_FAILED}
            if not failed and not any(c in _CONFLICT_CODES for c in codes):
                raise
            position_index = len(items) - 1 if with_position else -1
            return _Attempt(duplicates=failed - {position_index}, position_refused=position_index in failed)
        return _Attempt(committed=True)

    def _marker(self, effect: Effect, at: datetime) -> dict[str, Any]:
        return marker_put(
            self.table_name, effect.event_id, effect.sku, effect.location_id, effect.kind.value, effect.sequence, at
        )

    def _fast_write(self, sku: str, location_id: str, fast: FastUpdate, at: datetime) -> dict[str, Any]:
        names = {
            "#sku": "sku",
            "#loc": "location_id",
            "#updated_at": "updated_at",
            "#reserved": "reserved",
            "#count_sequence": "count_sequence",
            "#last_sequence": "last_sequence",
            "#safety_stock": "safety_stock",
            "#safety_sequence": "safety_sequence",
            "#version": "version",
            **{f"#{counter}": counter for counter in DELTA_COUNTERS},
        }
        values: dict[str, Any] = {
            ":sku": sku,
            ":loc": location_id,
            ":now": iso(at),
            ":zero": 0,
            ":neg": -1,
            ":one": 1,
            **{f":d_{counter}": delta for counter, delta in fast.net.items()},
        }
        sets = [
            "#sku = :sku",
            "#loc = :loc",
            "#updated_at = :now",
            "#reserved = if_not_exists(#reserved, :zero)",
            "#count_sequence = if_not_exists(#count_sequence, :neg)",
            "#safety_stock = if_not_exists(#safety_stock, :zero)",
            "#safety_sequence = if_not_exists(#safety_sequence, :neg)",
        ]
        conditions = ["attribute_exists(#count_sequence)"]
        if fast.max_on_hand_sequence is not None and fast.min_on_hand_sequence is not None:
            sets.append("#last_sequence = :max_seq")
            values[":max_seq"] = fast.max_on_hand_sequence
            values[":min_seq"] = fast.min_on_hand_sequence
            conditions += ["#count_sequence < :min_seq", "#last_sequence < :max_seq"]
        else:
            sets.append("#last_sequence = if_not_exists(#last_sequence, :neg)")
        for counter, need in fast.needs.items():
            conditions.append(f"#{counter} >= :need_{counter}")
            values[f":need_{counter}"] = need
        condition = " AND ".join(conditions)
        if not fast.needs:  # nothing lowered: a position that does not exist yet can start from zero
            condition = f"attribute_not_exists(pk) OR ({condition})"
        adds = ["#version :one", *(f"#{counter} :d_{counter}" for counter in DELTA_COUNTERS)]
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": to_dynamo(position_key(sku, location_id)),
                "UpdateExpression": f"SET {', '.join(sets)} ADD {', '.join(adds)}",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_dynamo(values),
            }
        }

    def _exact_write(self, current: InventoryPosition | None, change: PositionChange) -> dict[str, Any]:
        return position_write(self.table_name, current, change.position, _EXACT_FIELDS)
