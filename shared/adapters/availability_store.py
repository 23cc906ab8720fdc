"""Availability state in the state table: allocation rules, listing ids, dirty-SKU markers,
what was last published per channel, and the feeds sent per channel (hourly feed limits).

| item | pk | sk |
| --- | --- | --- |
| rules | `ALLOCATION_RULES` | `SCOPE#default` / `SCOPE#<sku>` |
| listing ids | `LISTINGS` | `SKU#<sku>` |
| dirty marker | `AVAILABILITY#DIRTY` | `SKU#<sku>` (`ALL`: republish every SKU) |
| published | `AVAILABILITY#PUBLISHED` | `SKU#<sku>` |
| feeds sent | `AVAILABILITY#FEEDS` | `CHANNEL#<channel>` |

Coalescing: a dirty marker is one item per SKU whose `version` every change increments; the
publisher deletes it only if the version is still the one it read, so a change arriving while
it publishes keeps the SKU dirty for the next run. `first_changed_at` (kept from the first
change since the last publish) is where the publish lag is measured from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.adapters.state_store import AVAILABILITY_DIRTY_PK, DynamoStateStore, from_dynamo, iso, to_dynamo
from shared.errors import ConcurrentModification
from shared.models import InventoryPosition
from shared.models.allocation import DEFAULT_SCOPE, AllocationRules, AllocationRulesInput

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RULES_PK = "ALLOCATION_RULES"
LISTINGS_PK = "LISTINGS"
DIRTY_PK = AVAILABILITY_DIRTY_PK
PUBLISHED_PK = "AVAILABILITY#PUBLISHED"
FEEDS_PK = "AVAILABILITY#FEEDS"
ALL_SKUS = "ALL"
_FEED_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class DirtySku:
    sku: str  # ALL_SKUS for "republish everything"
    version: int
    first_changed_at: datetime


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class AvailabilityStore(Protocol):
    def mark_dirty(self, skus: Iterable[str], at: datetime) -> None: ...

    def mark_all_dirty(self, at: datetime) -> None: ...

    def dirty(self, limit: int) -> list[DirtySku]: ...

    def clear_dirty(self, marker: DirtySku) -> bool: ...

    def positions(self, sku: str) -> list[InventoryPosition]: ...

    def get_rules(self, scope: str) -> AllocationRules | None: ...

    def put_rules(self, scope: str, rules: AllocationRulesInput, at: datetime) -> AllocationRules: ...

    def rules_for(self, sku: str) -> AllocationRules | None: ...

    def listing_ids(self, sku: str) -> dict[str, str]: ...

    def put_listing_ids(self, sku: str, ids: dict[str, str]) -> None: ...

    def published(self, sku: str) -> dict[str, int]: ...

    def record_published(self, sku: str, units: dict[str, int], at: datetime) -> None: ...

    def known_skus(self) -> Iterator[str]: ...

    def feeds_sent_since(self, channel: str, since: datetime) -> int: ...

    def record_feed(self, channel: str, at: datetime) -> None: ...


class DynamoAvailabilityStore(DynamoTableAdapter):
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        super().__init__(table_name, client)
        self._positions = DynamoStateStore(table_name, client)

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo({"pk": pk, "sk": sk}), ConsistentRead=True
        ).get("Item")
        return from_dynamo(item) if item else None

    def _query(self, pk: str, limit: int | None = None) -> Iterator[dict[str, Any]]:
        request = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": to_dynamo({":pk": pk}),
            "ConsistentRead": True,
        }
        for item in islice(self.page_through("query", request), limit):
            yield from_dynamo(item)

    # Dirty markers -------------------------------------------------------------------------------

    def _mark(self, sk: str, sku: str, at: datetime) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo({"pk": DIRTY_PK, "sk": sk}),
            UpdateExpression="SET #sku = :sku, #first = if_not_exists(#first, :at), #last = :at ADD #version :one",
            ExpressionAttributeNames={
                "#sku": "sku",
                "#first": "first_changed_at",
                "#last": "last_changed_at",
                "#version": "version",
            },
            ExpressionAttributeValues=to_dynamo({":sku": sku, ":at": iso(at), ":one": 1}),
        )

    def mark_dirty(self, skus: Iterable[str], at: datetime) -> None:
        for sku in sorted(set(skus)):
            self._mark(f"SKU#{sku}", sku, at)

    def mark_all_dirty(self, at: datetime) -> None:
        self._mark(ALL_SKUS, ALL_SKUS, at)

    def dirty(self, limit: int) -> list[DirtySku]:
        return [
            DirtySku(
                sku=str(item["sku"]),
                version=int(item["version"]),
                first_changed_at=_parse_time(str(item["first_changed_at"])),
            )
            for item in self._query(DIRTY_PK, limit)
        ]

    def clear_dirty(self, marker: DirtySku) -> bool:
        sk = ALL_SKUS if marker.sku == ALL_SKUS else f"SKU#{marker.sku}"
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=to_dynamo({"pk": DIRTY_PK, "sk": sk}),
                ConditionExpression="#version = :v",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=to_dynamo({":v": marker.version}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False  # changed again while we published: stays dirty for the next run
            raise
        return True

    # Positions (the inventory domain's items, read through the state table's codecs) ---------------

    def positions(self, sku: str) -> list[InventoryPosition]:
        return self._positions.positions_for_sku(sku)

    # Rules -----------------------------------------------------------------------------------------

    def get_rules(self, scope: str) -> AllocationRules | None:
        item = self._get(RULES_PK, f"SCOPE#{scope}")
        if item is None:
            return None
        return AllocationRules.model_validate(
            {
                **json.loads(str(item["document"])),
                "scope": scope,
                "version": item["version"],
                "updated_at": item["updated_at"],
            }
        )

    def put_rules(self, scope: str, rules: AllocationRulesInput, at: datetime) -> AllocationRules:
        """Replace the scope's rules; the version moves by one (a concurrent PUT loses with 409-like error)."""
        current = self.get_rules(scope)
        version = (current.version if current else 0) + 1
        condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        if current is not None:
            condition = {
                "ConditionExpression": "#version = :v",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": to_dynamo({":v": current.version}),
            }
        item = {
            "pk": RULES_PK,
            "sk": f"SCOPE#{scope}",
            "scope": scope,
            "document": rules.model_dump_json(),
            "version": version,
            "updated_at": iso(at),
        }
        try:
            self.client.put_item(TableName=self.table_name, Item=to_dynamo(item), **condition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentModification(f"allocation rules {scope} changed meanwhile") from exc
            raise
        return AllocationRules.model_validate(
            {**rules.model_dump(), "scope": scope, "version": version, "updated_at": at}
        )

    def rules_for(self, sku: str) -> AllocationRules | None:
        return self.get_rules(sku) or self.get_rules(DEFAULT_SCOPE)

    # Listing ids -----------------------------------------------------------------------------------

    def listing_ids(self, sku: str) -> dict[str, str]:
        item = self._get(LISTINGS_PK, f"SKU#{sku}")
        return {str(k): str(v) for k, v in (item or {}).get("ids", {}).items()}

    def put_listing_ids(self, sku: str, ids: dict[str, str]) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item=to_dynamo({"pk": LISTINGS_PK, "sk": f"SKU#{sku}", "sku": sku, "ids": ids}),
        )

    # Published -------------------------------------------------------------------------------------

    def published(self, sku: str) -> dict[str, int]:
        item = self._get(PUBLISHED_PK, f"SKU#{sku}")
        return {str(k): int(v["units"]) for k, v in (item or {}).get("channels", {}).items()}

    def record_published(self, sku: str, units: dict[str, int], at: datetime) -> None:
        if not units:
            return
        names = {"#sku": "sku", "#channels": "channels"}
        values: dict[str, Any] = {":sku": sku, ":empty": {}}
        sets = []
        for i, (channel, count) in enumerate(sorted(units.items())):
            names[f"#c{i}"] = channel
            values[f":u{i}"] = {"units": count, "at": iso(at)}
            sets.append(f"#channels.#c{i} = :u{i}")
        # The map must exist before its keys can be set: two updates keep each one simple.
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo({"pk": PUBLISHED_PK, "sk": f"SKU#{sku}"}),
            UpdateExpression="SET #sku = :sku, #channels = if_not_exists(#channels, :empty)",
            ExpressionAttributeNames={"#sku": "sku", "#channels": "channels"},
            ExpressionAttributeValues=to_dynamo({":sku": sku, ":empty": {}}),
        )
        values.pop(":sku")
        values.pop(":empty")
        names.pop("#sku")
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo({"pk": PUBLISHED_PK, "sk": f"SKU#{sku}"}),
            UpdateExpression="SET " + ", ".join(sets),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamo(values),
        )

    def known_skus(self) -> Iterator[str]:
        for item in self._query(PUBLISHED_PK):
            yield str(item["sku"])

    # Feed budget -----------------------------------------------------------------------------------

    def _feeds(self, channel: str) -> tuple[list[datetime], int]:
        item = self._get(FEEDS_PK, f"CHANNEL#{channel}") or {}
        return [_parse_time(str(t)) for t in item.get("sent", [])], int(item.get("version", 0))

    def feeds_sent_since(self, channel: str, since: datetime) -> int:
        sent, _ = self._feeds(channel)
        return sum(1 for at in sent if at > since)

    def record_feed(self, channel: str, at: datetime) -> None:
        sent, version = self._feeds(channel)
        recent = [iso(t) for t in sent if t > at - _FEED_WINDOW] + [iso(at)]
        condition = "attribute_not_exists(pk) OR #version = :v"
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo({"pk": FEEDS_PK, "sk": f"CHANNEL#{channel}", "sent": recent, "version": version + 1}),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=to_dynamo({":v": version}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentModification(f"feed budget of {channel} changed meanwhile") from exc
            raise
