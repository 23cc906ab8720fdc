"""The items a customer status is composed of, read from the state table; shipments recorded.

| item | pk | sk | written by |
| --- | --- | --- | --- |
| the order | `ORDER#<ch>#<id>` | `ORDER` | the OrderFlow tasks |
| the order's shipments | `ORDERSHIPMENTS#<ch>#<id>` | `<shipment_id>` | this domain, from OrderShipped (once) |
| the order's returns ledger | `ORDERRETURNS#<ch>#<id>` | `<source>:<source_return_id>` | ReturnFlow |
| a return | `RETURNCASE#<source>:<source_return_id>` | `RETURNCASE` | ReturnFlow |

A read is one GetItem (the order), one Query per ledger (shipments, returns) and, when the order
has returns, one BatchGetItem: four calls at most. Shipments have a partition of their own so that
the functions writing them may write nothing else (`dynamodb:LeadingKeys` `ORDERSHIPMENTS#*`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError

from shared.adapters.dynamo_codec import from_dynamo, to_dynamo
from shared.adapters.dynamo_table import DynamoTableAdapter

_BATCH_GET_LIMIT = 100


def order_key(channel: str, channel_order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{channel}#{channel_order_id}", "sk": "ORDER"}


def shipments_pk(channel: str, channel_order_id: str) -> str:
    return f"ORDERSHIPMENTS#{channel}#{channel_order_id}"


@dataclass
class StatusItems:
    order: dict[str, Any] | None
    shipments: list[dict[str, Any]] = field(default_factory=list)
    returns: list[dict[str, Any]] = field(default_factory=list)


class StatusStore(Protocol):
    def read(self, channel: str, channel_order_id: str) -> StatusItems: ...

    def record_shipment(self, shipment: Mapping[str, Any]) -> bool:
        """Keep a shipment of an order (carrier, tracking, lines, when); False if it was kept before."""
        ...

    def order_of_return(self, return_key: str) -> tuple[str, str] | None:
        """(channel, channel_order_id) of a return, None if the return is not (yet) recorded."""
        ...


class DynamoStatusStore(DynamoTableAdapter):
    def read(self, channel: str, channel_order_id: str) -> StatusItems:
        found = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo(order_key(channel, channel_order_id)), ConsistentRead=True
        ).get("Item")
        order = from_dynamo(found) if found else None
        shipments = self._query(shipments_pk(channel, channel_order_id)) if order else []
        ledger = self._query(f"ORDERRETURNS#{channel}#{channel_order_id}") if order else []
        keys = [{"pk": f"RETURNCASE#{entry['sk']}", "sk": "RETURNCASE"} for entry in ledger]
        return StatusItems(order=order, shipments=shipments, returns=self._batch_get(keys))

    def record_shipment(self, shipment: Mapping[str, Any]) -> bool:
        item = {
            "pk": shipments_pk(str(shipment["channel"]), str(shipment["channel_order_id"])),
            "sk": str(shipment["shipment_id"]),
            "shipment_id": shipment["shipment_id"],
            "shipped_at": shipment["shipped_at"],
            "lines": [{"sku": line["sku"], "quantity": line["quantity"]} for line in shipment["lines"]],
            **{key: shipment[key] for key in ("carrier", "tracking_number") if shipment.get(key)},
        }
        try:
            self.client.put_item(
                TableName=self.table_name, Item=to_dynamo(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def order_of_return(self, return_key: str) -> tuple[str, str] | None:
        item = self.client.get_item(
            TableName=self.table_name,
            Key=to_dynamo({"pk": f"RETURNCASE#{return_key}", "sk": "RETURNCASE"}),
            ProjectionExpression="channel, channel_order_id",
        ).get("Item")
        if not item:
            return None
        plain = from_dynamo(item)
        return str(plain["channel"]), str(plain["channel_order_id"])

    def _query(self, pk: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": to_dynamo({":pk": pk}),
            "ConsistentRead": True,
        }
        while True:
            answer = self.client.query(**kwargs)
            items += [from_dynamo(item) for item in answer.get("Items", [])]
            if "LastEvaluatedKey" not in answer:
                return items
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), _BATCH_GET_LIMIT):
            pending: dict[str, Any] = {
                self.table_name: {"Keys": [to_dynamo(key) for key in keys[start : start + _BATCH_GET_LIMIT]]}
            }
            while pending:
                answer = self.client.batch_get_item(RequestItems=pending)
                items += [from_dynamo(item) for item in answer.get("Responses", {}).get(self.table_name, [])]
                pending = dict(answer.get("UnprocessedKeys") or {})
        return items
