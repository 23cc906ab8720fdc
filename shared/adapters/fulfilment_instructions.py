"""An order's fulfilment instructions in the state table (issue 10.1/10.2).

One item per order and location: `pk = INSTRUCTION#<channel>#<channel_order_id>`, `sk = <location_id>`,
the instruction's lines and method, its status (PLANNED -> RELEASED -> SHIPPED, or CANCELLED /
CANCEL_REFUSED), the warehouse's or store's id for it, and what has shipped (per SKU, with the
shipment ids applied, so a redelivered shipment counts once).

Written by the fulfilment release (functions/orders/logic/fulfilment_release.py), CancelOrder and
the shipment consumer; read by the ops API's order view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.adapters.dynamo_codec import from_dynamo, to_dynamo
from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.adapters.state_store import iso, order_not_cancelled
from shared.models.fulfilment import FulfilmentInstruction, InstructionStatus, StoredInstruction


def instructions_pk(channel: str, channel_order_id: str) -> str:
    return f"INSTRUCTION#{channel}#{channel_order_id}"


def _key(channel: str, channel_order_id: str, location_id: str) -> dict[str, str]:
    return {"pk": instructions_pk(channel, channel_order_id), "sk": location_id}


def _failed_condition(exc: ClientError) -> bool:
    code = exc.response["Error"]["Code"]
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


class DynamoInstructionStore(DynamoTableAdapter):
    def list(self, channel: str, channel_order_id: str) -> list[StoredInstruction]:
        return [
            StoredInstruction.model_validate(item)
            for item in self.query_items(instructions_pk(channel, channel_order_id))
        ]

    def plan(
        self,
        channel: str,
        channel_order_id: str,
        order_id: str,
        instructions: Sequence[FulfilmentInstruction],
        correlation_id: str,
        at: datetime,
    ) -> None:
        """Each instruction PLANNED unless it is already there (whatever its status now)."""
        for instruction in instructions:
            item = {
                **_key(channel, channel_order_id, instruction.location_id),
                **instruction.model_dump(mode="json"),
                "status": InstructionStatus.PLANNED.value,
                "order_id": order_id,
                "channel": channel,
                "channel_order_id": channel_order_id,
                "correlation_id": correlation_id,
                "shipped": {},
                "shipments": [],
                "updated_at": iso(at),
            }
            self.put_once(item)

    def mark_released(self, channel: str, channel_order_id: str, location_id: str, wms_id: str, at: datetime) -> bool:
        """PLANNED -> RELEASED, only while the order is not cancelled (one transaction); False when
        the order was cancelled or the instruction moved on meanwhile."""
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": to_dynamo(_key(channel, channel_order_id, location_id)),
                    "UpdateExpression": "SET #status = :released, wms_id = :wms, updated_at = :at",
                    "ConditionExpression": "#status = :planned",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_dynamo(
                        {
                            ":released": InstructionStatus.RELEASED.value,
                            ":planned": InstructionStatus.PLANNED.value,
                            ":wms": wms_id,
                            ":at": iso(at),
                        }
                    ),
                }
            },
            order_not_cancelled(self.table_name, channel, channel_order_id, or_absent=False),
        ]
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            return False
        return True

    def move(
        self,
        channel: str,
        channel_order_id: str,
        location_id: str,
        to: InstructionStatus,
        from_statuses: Sequence[InstructionStatus],
        at: datetime,
    ) -> bool:
        """`to` if the instruction is in one of `from_statuses`; False otherwise (or when absent)."""
        names = {f":from{i}": status.value for i, status in enumerate(from_statuses)}
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(_key(channel, channel_order_id, location_id)),
                UpdateExpression="SET #status = :to, updated_at = :at",
                ConditionExpression=f"#status IN ({', '.join(names)})",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_dynamo({":to": to.value, ":at": iso(at), **names}),
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            return False
        return True

    def revise(
        self, channel: str, channel_order_id: str, revised: FulfilmentInstruction, wms_id: str | None, at: datetime
    ) -> None:
        """The instruction at the revised one's location becomes it (id, lines; the WMS's new id when
        it was sent again), its status unchanged: an order update cut its lines."""
        values: dict[str, Any] = {
            ":id": revised.instruction_id,
            ":lines": [line.model_dump(mode="json") for line in revised.lines],
            ":at": iso(at),
        }
        sets = ["instruction_id = :id", "#lines = :lines", "updated_at = :at"]
        if wms_id is not None:
            values[":wms"] = wms_id
            sets.append("wms_id = :wms")
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo(_key(channel, channel_order_id, revised.location_id)),
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#lines": "lines"},
            ExpressionAttributeValues=to_dynamo(values),
        )

    def record_shipment(
        self,
        channel: str,
        channel_order_id: str,
        location_id: str,
        shipment_id: str,
        units: Mapping[str, int],
        at: datetime,
    ) -> StoredInstruction | None:
        """Adds a shipment's units once (its id is kept); SHIPPED once every line has shipped. None
        when the order has no instruction at that location or the shipment was counted already."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {":one": [shipment_id], ":id": shipment_id, ":at": iso(at), ":zero": 0}
        sets = ["shipments = list_append(shipments, :one)", "updated_at = :at"]
        for i, (sku, quantity) in enumerate(sorted(units.items())):
            names[f"#s{i}"] = sku
            values[f":q{i}"] = quantity
            sets.append(f"shipped.#s{i} = if_not_exists(shipped.#s{i}, :zero) + :q{i}")
        try:
            answer = self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(_key(channel, channel_order_id, location_id)),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="attribute_exists(pk) AND NOT contains(shipments, :id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_dynamo(values),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            return None
        stored = StoredInstruction.model_validate(from_dynamo(answer["Attributes"]))
        # The parcel left: whatever the instruction said before (a cancel the warehouse refused, or a
        # release whose record had not landed yet), it is shipped now.
        shippable = [InstructionStatus.PLANNED, InstructionStatus.RELEASED, InstructionStatus.CANCEL_REFUSED]
        if stored.fully_shipped() and stored.status in shippable:
            self.move(channel, channel_order_id, location_id, InstructionStatus.SHIPPED, shippable, at)
            stored = stored.model_copy(update={"status": InstructionStatus.SHIPPED})
        return stored
