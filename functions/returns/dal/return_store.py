"""Returns in the state table (the same table as orders; keys below are this domain's own).

| item | pk | sk |
| --- | --- | --- |
| the return (`ReturnCase`) | `RETURNCASE#<source>:<source_return_id>` | `RETURNCASE` |
| the order's returns ledger | `ORDERRETURNS#<channel>#<channel_order_id>` | `<source>:<source_return_id>` |
| the returns created on a day | `RETURNSBYDAY#<yyyy-mm-dd>` | `<source>:<source_return_id>` (TTL 90 days) |

The ledger item holds the units each return of an order accepted, so a later return of that order
is judged against what is left (one Query). The order itself is read from its item
(`ORDER#<channel>#<channel_order_id>` / `ORDER`, docs/wiring.md "State table items"): its lines,
currency and when it was placed. The day index lets the stuck-return sweep read the returns of the
last weeks with one Query per day instead of a Scan. Writes are conditional: the return is created once (a replayed
start finds it) and every later change holds the version it read.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

from botocore.exceptions import ClientError

from functions.returns.models.returns import PurchasedOrder, ReturnCase
from shared.adapters.dynamo_codec import from_dynamo
from shared.adapters.dynamo_codec import to_dynamo as codec_to_dynamo
from shared.adapters.dynamo_table import DynamoTableAdapter


class StaleReturn(Exception):
    """The return changed since it was read (optimistic lock): read it again."""


class ReturnStore(Protocol):
    def get_order(self, channel: str, channel_order_id: str) -> PurchasedOrder | None: ...

    def accepted_by_order(self, channel: str, channel_order_id: str, except_key: str) -> list[dict[str, int]]: ...

    def create(self, case: ReturnCase) -> bool:
        """Store a new return and its ledger entry; False when it exists already."""
        ...

    def get(self, return_key: str) -> ReturnCase | None: ...

    def created_on(self, day: date) -> list[ReturnCase]:
        """The returns created on `day` (UTC), whatever their state now."""
        ...

    def save(self, case: ReturnCase) -> ReturnCase:
        """Write `case` if nobody changed it since it was read (else StaleReturn); answers it with
        the next version."""
        ...


def to_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    """The item in attribute values, its None values left out (absent, not NULL)."""
    return codec_to_dynamo({key: value for key, value in item.items() if value is not None})


def case_key(return_key: str) -> dict[str, str]:
    return {"pk": f"RETURNCASE#{return_key}", "sk": "RETURNCASE"}


DAY_INDEX_TTL = timedelta(days=90)


def day_pk(day: date) -> str:
    return f"RETURNSBYDAY#{day.isoformat()}"


def ledger_pk(channel: str, channel_order_id: str) -> str:
    return f"ORDERRETURNS#{channel}#{channel_order_id}"


def order_from_item(item: dict[str, Any]) -> PurchasedOrder | None:
    order = item.get("order") or {}
    if not order.get("placed_at") or not item.get("lines"):
        return None
    return PurchasedOrder.model_validate(
        {
            "order_id": item["order_id"],
            "channel": item["channel"],
            "channel_order_id": item["channel_order_id"],
            "currency": order["currency"],
            "placed_at": order["placed_at"],
            "lines": item["lines"],
            "location_id": item.get("location_id"),
            "status": item.get("status"),
            "customer": order.get("customer"),
            "shipping_address": order.get("shipping_address"),
        }
    )


class DynamoReturnStore(DynamoTableAdapter):
    def get_order(self, channel: str, channel_order_id: str) -> PurchasedOrder | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=to_dynamo({"pk": f"ORDER#{channel}#{channel_order_id}", "sk": "ORDER"}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return order_from_item(from_dynamo(item)) if item else None

    def accepted_by_order(self, channel: str, channel_order_id: str, except_key: str) -> list[dict[str, int]]:
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_dynamo({":pk": ledger_pk(channel, channel_order_id)}),
            ConsistentRead=True,
        )
        out: list[dict[str, int]] = []
        for raw in response.get("Items", []):
            item = from_dynamo(raw)
            if item["sk"] != except_key:
                out.append({sku: int(units) for sku, units in (item.get("accepted") or {}).items()})
        return out

    def create(self, case: ReturnCase) -> bool:
        case_item = {**case_key(case.return_key), **case.model_dump(mode="json")}
        ledger = {
            "pk": ledger_pk(case.channel, case.channel_order_id),
            "sk": case.return_key,
            "accepted": case.accepted_units(),
        }
        day_entry = {
            "pk": day_pk(case.created_at.date()),
            "sk": case.return_key,
            "expires_at": int((case.created_at + DAY_INDEX_TTL).timestamp()),
        }
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": to_dynamo(case_item),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": self.table_name, "Item": to_dynamo(ledger)}},
                    {"Put": {"TableName": self.table_name, "Item": to_dynamo(day_entry)}},
                ]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def get(self, return_key: str) -> ReturnCase | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo(case_key(return_key)), ConsistentRead=True
        )
        item = response.get("Item")
        return ReturnCase.model_validate(from_dynamo(item)) if item else None

    def created_on(self, day: date) -> list[ReturnCase]:
        keys = [case_key(str(entry["sk"])) for entry in self.query_items(day_pk(day))]
        cases = [ReturnCase.model_validate(item) for item in self.batch_get_items(keys)]
        return sorted(cases, key=lambda case: case.return_key)

    def save(self, case: ReturnCase) -> ReturnCase:
        saved = case.model_copy(update={"version": case.version + 1})
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo({**case_key(case.return_key), **saved.model_dump(mode="json")}),
                ConditionExpression="version = :v",
                ExpressionAttributeValues=to_dynamo({":v": case.version}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleReturn(case.return_key) from exc
            raise
        return saved


class MemoryReturnStore:
    """The same contract in a dict (unit tests)."""

    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], PurchasedOrder] = {}
        self.cases: dict[str, ReturnCase] = {}

    def get_order(self, channel: str, channel_order_id: str) -> PurchasedOrder | None:
        return self.orders.get((channel, channel_order_id))

    def accepted_by_order(self, channel: str, channel_order_id: str, except_key: str) -> list[dict[str, int]]:
        return [
            case.accepted_units()
            for key, case in self.cases.items()
            if key != except_key and (case.channel, case.channel_order_id) == (channel, channel_order_id)
        ]

    def create(self, case: ReturnCase) -> bool:
        if case.return_key in self.cases:
            return False
        self.cases[case.return_key] = case
        return True

    def get(self, return_key: str) -> ReturnCase | None:
        return self.cases.get(return_key)

    def created_on(self, day: date) -> list[ReturnCase]:
        return sorted((c for c in self.cases.values() if c.created_at.date() == day), key=lambda c: c.return_key)

    def save(self, case: ReturnCase) -> ReturnCase:
        current = self.cases.get(case.return_key)
        if current is None or current.version != case.version:
            raise StaleReturn(case.return_key)
        saved = case.model_copy(update={"version": case.version + 1})
        self.cases[case.return_key] = saved
        return saved
