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
        if order is None:
            return StatusItems(order=None)
        ledger = self.query_items(f"ORDERRETURNS#{channel}#{channel_order_id}")
        return StatusItems(
            order=order,
            shipments=self.query_items(shipments_pk(channel, channel_order_id)),
            # Consistent: a return saved just before its ReturnStatusChanged is read as saved.
            returns=self.batch_get_items([{"pk": f"RETURNCASE#{entry['sk']}", "sk": "RETURNCASE"} for entry in ledger]),
        )

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
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return None
        plain = from_dynamo(item)
        return str(plain["channel"]), str(plain["channel_order_id"])
