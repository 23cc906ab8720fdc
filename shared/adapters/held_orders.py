"""Orders ON_HOLD for stock, kept where they can be found again (issue 10.4).

| item | pk | sk |
| --- | --- | --- |
| held order | `HELD_ORDERS` | our order id |

With `received_at` (when its command was received: the order they are looked at again), the
`location_id` its reservation was tried at, and the OrderFlow `input` to start it with again.
RecordOrder writes the item when an order goes ON_HOLD and deletes it when the order leaves
ON_HOLD (accepted, cancelled, failed to the ERP); the HeldOrdersRetry schedule reads them.
One partition: held orders are few (a shortage, not the order stream) and read together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from shared.adapters.dynamo_codec import from_dynamo, to_dynamo
from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.models.orders import OrderStatus

PK = "HELD_ORDERS"
# The statuses an order is kept here in: short of stock, or waiting for its payment or a person.
WAITING = (OrderStatus.ON_HOLD, OrderStatus.IN_REVIEW)


@dataclass(frozen=True)
class HeldOrder:
    order_id: str
    received_at: str
    location_id: str | None
    execution_input: dict[str, Any]


class HeldOrdersPort(Protocol):
    def hold(self, held: HeldOrder) -> None: ...

    def release(self, order_id: str) -> None: ...

    def get(self, order_id: str) -> HeldOrder | None: ...

    def oldest(self, limit: int) -> list[HeldOrder]: ...


class DynamoHeldOrders(DynamoTableAdapter):
    def hold(self, held: HeldOrder) -> None:
        """Idempotent: the same order held again keeps one item (its first `received_at`)."""
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo({"pk": PK, "sk": held.order_id}),
            UpdateExpression="SET #received = if_not_exists(#received, :received), #location = :location, "
            "#input = :input",
            ExpressionAttributeNames={"#received": "received_at", "#location": "location_id", "#input": "input"},
            ExpressionAttributeValues=to_dynamo(
                {
                    ":received": held.received_at,
                    ":location": held.location_id or "",
                    ":input": json.dumps(held.execution_input, sort_keys=True),
                }
            ),
        )

    def release(self, order_id: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key=to_dynamo({"pk": PK, "sk": order_id}))

    def get(self, order_id: str) -> HeldOrder | None:
        raw = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo({"pk": PK, "sk": order_id}), ConsistentRead=True
        ).get("Item")
        return _held(from_dynamo(raw)) if raw else None

    def oldest(self, limit: int) -> list[HeldOrder]:
        """Every held order (paginated), oldest received first, at most `limit`."""
        found = sorted((_held(item) for item in self.query_items(PK)), key=lambda h: (h.received_at, h.order_id))
        return found[:limit]


def _held(item: dict[str, Any]) -> HeldOrder:
    return HeldOrder(
        order_id=str(item["sk"]),
        received_at=str(item.get("received_at") or ""),
        location_id=str(item.get("location_id") or "") or None,
        execution_input=json.loads(str(item["input"])),
    )


class MemoryHeldOrders:
    """The same in memory, for unit tests."""

    def __init__(self) -> None:
        self.items: dict[str, HeldOrder] = {}

    def hold(self, held: HeldOrder) -> None:
        first = self.items.get(held.order_id)
        self.items[held.order_id] = (
            held
            if first is None
            else HeldOrder(held.order_id, first.received_at, held.location_id, held.execution_input)
        )

    def release(self, order_id: str) -> None:
        self.items.pop(order_id, None)

    def get(self, order_id: str) -> HeldOrder | None:
        return self.items.get(order_id)

    def oldest(self, limit: int) -> list[HeldOrder]:
        return sorted(self.items.values(), key=lambda h: (h.received_at, h.order_id))[:limit]
