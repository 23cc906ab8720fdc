"""Order changes, held changes and returns in the state table (see logic/order_changes.py).

Items (all under the order's partition, so one Query finds what waits for an order):
- `ORDER#<ch>#<id>` / `SEEN`: the order's create reached the orders worker;
- `ORDER#<ch>#<id>` / `CHANGE#<kind>#<change_id>`: `kind`, `change` (JSON), `status` HELD|APPLIED,
  `published`, `correlation_id`, `recorded_at`;
- `RETURN#<source>#<id>` / `RETURN` and `STORE_RETURN#<channel>#<id>` / `STORE_RETURN`: the newest
  version of a return (`updated_at` guard).
A change is held with one TransactWriteItems: ConditionCheck "SEEN does not exist" + Put; if
the order was seen, the same Put goes in APPLIED. `mark_seen_and_take_held` puts SEEN first and
then queries (consistently) for HELD changes, so a change written concurrently is either in that
query or finds SEEN: it cannot fall between the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from functions.orders.logic.order_changes import ChangeRecorder, OrderChange, Outcome, StoredChange
from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.adapters.state_store import cancellation_reason_codes, from_dynamo, iso, to_dynamo
from shared.adapters.trace_store import TraceSink
from shared.models.order_changes import OrderUpdate
from shared.settings import EnvSettings


def _order_pk(channel: str, channel_order_id: str) -> str:
    return f"ORDER#{channel}#{channel_order_id}"


def _change_key(kind: str, change: OrderChange) -> dict[str, str]:
    return {"pk": _order_pk(change.channel, change.channel_order_id), "sk": f"CHANGE#{kind}#{change.change_id}"}


class DynamoChangeStore(DynamoTableAdapter):
    def record_change(self, kind: str, change: OrderChange, correlation_id: str, at: datetime) -> tuple[Outcome, bool]:
        key = _change_key(kind, change)
        item = {
            **key,
            "kind": kind,
            "change": change.model_dump(mode="json"),
            "correlation_id": correlation_id,
            "recorded_at": iso(at),
            "published": False,
        }
        seen_key = {"pk": key["pk"], "sk": "SEEN"}
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": to_dynamo(seen_key),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": to_dynamo({**item, "status": Outcome.HELD.value}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
            return Outcome.HELD, False
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = cancellation_reason_codes(exc)
        if codes[1:2] == ["ConditionalCheckFailed"]:
            return self._existing(key)
        if not self.put_once({**item, "status": Outcome.APPLIED.value}):
            return self._existing(key)
        return Outcome.APPLIED, False

    def _existing(self, key: dict[str, str]) -> tuple[Outcome, bool]:
        response = self.client.get_item(TableName=self.table_name, Key=to_dynamo(key), ConsistentRead=True)
        item = from_dynamo(response.get("Item") or {})
        # A held replay stays held (no event yet); an applied one is a duplicate.
        if item.get("status") == Outcome.HELD.value:
            return Outcome.HELD, False
        return Outcome.DUPLICATE, bool(item.get("published"))

    def mark_published(self, kind: str, change: OrderChange) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo(_change_key(kind, change)),
            UpdateExpression="SET published = :t",
            ExpressionAttributeValues=to_dynamo({":t": True}),
        )

    def applied_updates(self, channel: str, channel_order_id: str) -> list[OrderUpdate]:
        """Every `OrderUpdate` recorded APPLIED under the order (the ERP update step takes the newest)."""
        request = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :update)",
            "FilterExpression": "#status = :applied",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": to_dynamo(
                {":pk": _order_pk(channel, channel_order_id), ":update": "CHANGE#update#", ":applied": "APPLIED"}
            ),
            "ConsistentRead": True,
        }
        return [OrderUpdate.model_validate(from_dynamo(raw)["change"]) for raw in self.page_through("query", request)]

    def mark_seen_and_take_held(self, channel: str, channel_order_id: str, at: datetime) -> list[StoredChange]:
        pk = _order_pk(channel, channel_order_id)
        self.client.put_item(TableName=self.table_name, Item=to_dynamo({"pk": pk, "sk": "SEEN", "seen_at": iso(at)}))
        request = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :change)",
            "FilterExpression": "#status = :held",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": to_dynamo({":pk": pk, ":change": "CHANGE#", ":held": Outcome.HELD.value}),
            "ConsistentRead": True,
        }
        taken: list[StoredChange] = []
        for raw in self.page_through("query", request):
            item = from_dynamo(raw)
            if self._apply_held(item):
                taken.append(StoredChange(item["kind"], item["change"], str(item.get("correlation_id", "")), False))
        return sorted(taken, key=lambda c: str(c.change.get("updated_at") or c.change.get("change_id")))

    def _apply_held(self, item: dict[str, Any]) -> bool:
        """HELD -> APPLIED once (two workers releasing the same order apply each change once)."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo({"pk": item["pk"], "sk": item["sk"]}),
                UpdateExpression="SET #status = :applied",
                ConditionExpression="#status = :held",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_dynamo({":applied": Outcome.APPLIED.value, ":held": Outcome.HELD.value}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_return(self, key: tuple[str, str, str], item: dict[str, Any], updated_at: datetime) -> Outcome:
        prefix, owner, return_id = key
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo(
                    {"pk": f"{prefix}#{owner}#{return_id}", "sk": prefix, **item, "version_at": iso(updated_at)}
                ),
                ConditionExpression="attribute_not_exists(pk) OR version_at < :v",
                ExpressionAttributeValues=to_dynamo({":v": iso(updated_at)}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return Outcome.STALE
        return Outcome.APPLIED


class EventBridgePublisher:
    """EventPublisher on the domain bus (shared/adapters/event_bus.py)."""

    def __init__(self, bus_name: str) -> None:
        from shared.adapters.event_bus import EventBridgeBus

        self._bus = EventBridgeBus(bus_name)

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        from shared.adapters.event_bus import BusEvent

        self._bus.publish([BusEvent(detail_type, detail)])


class OrderChangesSettings(EnvSettings):
    state_table_name: str | None = None
    event_bus_name: str | None = None


def change_recorder(trace: TraceSink) -> ChangeRecorder | None:
    """The recorder when the worker has the state table and the bus; None (changes skipped) otherwise."""
    settings = OrderChangesSettings.from_env()
    if not settings.state_table_name or not settings.event_bus_name:
        return None
    from functions.orders.logic.line_cancellation import release_cancelled_lines
    from shared.adapters.state_store import DynamoStateStore

    state = DynamoStateStore(settings.state_table_name)
    return ChangeRecorder(
        DynamoChangeStore(settings.state_table_name),
        EventBridgePublisher(settings.event_bus_name),
        trace,
        release_lines=lambda change: release_cancelled_lines(state, change),
    )
