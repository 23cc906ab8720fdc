"""Inventory writes to the state table: sequence-guarded positions, shipments consuming reservations.

The table's layout (keys, codecs, reads) lives in shared.adapters.state_store.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import ClientError

from functions.inventory.logic.stock import PositionUpdate, ReservationConsumption, ShipmentPlan
from shared.adapters.dynamo_codec import put_if_absent
from shared.adapters.movement_markers import marker_put, movement_marker_key
from shared.adapters.state_store import (
    CLOSED_RESERVATION_TTL_SECONDS,
    CommitResult,
    DynamoStateStore,
    from_dynamo,
    iso,
    position_from_item,
    position_key,
    reservation_key,
    to_dynamo,
)
from shared.errors import StaleUpdate
from shared.models import InventoryAdjustment, InventoryPosition
from shared.models.state import Reservation, ReservationStatus


class PositionStore(Protocol):
    def apply_adjustment(self, adjustment: InventoryAdjustment, at: datetime) -> InventoryPosition:
        """The position after the write; raises StaleUpdate when the sequence guard refuses it."""
        ...

    def get_positions(self, location_id: str, skus: Iterable[str]) -> dict[str, InventoryPosition]: ...

    def get_reservation(self, order_id: str) -> Reservation | None: ...

    def commit_shipment(self, plan: ShipmentPlan, at: datetime) -> bool:
        """Write the plan in one transaction; False when something changed since it was read."""
        ...

    def applied_skus(self, event_id: str, location_id: str, skus: Iterable[str]) -> set[str]:
        """SKUs whose on-hand change event `event_id` already made at `location_id` (markers exist)."""
        ...


class DynamoPositionStore(DynamoStateStore):
    """The state table's reads (positions, reservations) with the inventory worker's writes."""

    def apply_adjustment(self, adjustment: InventoryAdjustment, at: datetime) -> InventoryPosition:
        """Absolute on_hand (a count) under the guard `attribute_not_exists(pk) OR last_sequence < :seq`,
        and not taken before the latest till sale applied here (shared/store_sales.py)."""
        at_ms = int(adjustment.occurred_at.timestamp() * 1000)
        try:
            response = self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(position_key(adjustment.sku, adjustment.location_id)),
                UpdateExpression=(
                    "SET #sku = :sku, #loc = :loc, #on_hand = :on_hand, #last_sequence = :seq, #count_sequence = :seq, "
                    "#counted_at_ms = :at_ms, "
                    "#updated_at = :now, #reserved = if_not_exists(#reserved, :zero), "
                    "#version = if_not_exists(#version, :zero) + :one"
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (#last_sequence < :seq "
                    "AND (attribute_not_exists(#sold_through_ms) OR #sold_through_ms <= :at_ms))"
                ),
                ExpressionAttributeNames={
                    "#sku": "sku",
                    "#loc": "location_id",
                    "#on_hand": "on_hand",
                    "#last_sequence": "last_sequence",
                    "#count_sequence": "count_sequence",
                    "#counted_at_ms": "counted_at_ms",
                    "#sold_through_ms": "sold_through_ms",
                    "#updated_at": "updated_at",
                    "#reserved": "reserved",
                    "#version": "version",
                },
                ExpressionAttributeValues=to_dynamo(
                    {
                        ":sku": adjustment.sku,
                        ":loc": adjustment.location_id,
                        ":on_hand": adjustment.on_hand,
                        ":seq": adjustment.source_sequence,
                        ":at_ms": at_ms,
                        ":now": iso(at),
                        ":zero": 0,
                        ":one": 1,
                    }
                ),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                where = f"{adjustment.sku}@{adjustment.location_id}"
                raise StaleUpdate(
                    f"{where}: sequence {adjustment.source_sequence} is not newer, or the count is older than a sale"
                ) from exc
            raise
        return position_from_item(from_dynamo(response["Attributes"]))

    def applied_skus(self, event_id: str, location_id: str, skus: Iterable[str]) -> set[str]:
        keys = [to_dynamo(movement_marker_key(event_id, sku, location_id)) for sku in sorted(set(skus))]
        found: set[str] = set()
        request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}} if keys else {}
        while request:
            response = self.client.batch_get_item(RequestItems=request)
            found.update(
                str(from_dynamo(item)["sku"]) for item in response.get("Responses", {}).get(self.table_name, [])
            )
            request = dict(response.get("UnprocessedKeys") or {})
        return found

    def commit_shipment(self, plan: ShipmentPlan, at: datetime) -> bool:
        """Positions, the reservation and a movement marker per SKU whose on-hand change it makes."""
        items = [self._position_write(update, at) for update in plan.positions]
        items += [
            marker_put(
                self.table_name, plan.event_id, sku, plan.positions[0].location_id, "shipment", plan.sequence, at
            )
            for sku in plan.applied_skus
        ]
        if plan.reservation is not None:
            items.append(self._reservation_write(plan.reservation, at))
        return not items or self._commit(items) is CommitResult.COMMITTED

    def _position_write(self, update: PositionUpdate, at: datetime) -> dict[str, Any]:
        key = position_key(update.sku, update.location_id)
        if update.expected_version is None:
            item = {
                **key,
                "sku": update.sku,
                "location_id": update.location_id,
                "on_hand": update.on_hand,
                "reserved": update.reserved,
                "last_sequence": update.last_sequence,
                "count_sequence": -1,  # a shipment is a delta: no absolute count yet
                "version": 1,
                "updated_at": iso(at),
            }
            return put_if_absent(self.table_name, item)
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": to_dynamo(key),
                "UpdateExpression": "SET #on_hand = :on_hand, #reserved = :reserved, #last_sequence = :seq, "
                "#count_sequence = :counted, #updated_at = :now, #version = #version + :one",
                "ConditionExpression": "#version = :v",
                "ExpressionAttributeNames": {
                    "#on_hand": "on_hand",
                    "#reserved": "reserved",
                    "#last_sequence": "last_sequence",
                    "#count_sequence": "count_sequence",
                    "#updated_at": "updated_at",
                    "#version": "version",
                },
                "ExpressionAttributeValues": to_dynamo(
                    {
                        ":counted": update.count_sequence,
                        ":on_hand": update.on_hand,
                        ":reserved": update.reserved,
                        ":seq": update.last_sequence,
                        ":now": iso(at),
                        ":one": 1,
                        ":v": update.expected_version,
                    }
                ),
            }
        }

    def _reservation_write(self, consumption: ReservationConsumption, at: datetime) -> dict[str, Any]:
        values: dict[str, Any] = {
            ":consumed": consumption.consumed,
            ":status": consumption.status.value,
            ":shipments": consumption.shipments,
            ":now": iso(at),
            ":zero": 0,
            ":one": 1,
            ":v": consumption.expected_version,
        }
        update = (
            "SET #consumed = :consumed, #status = :status, #shipments = :shipments, #updated_at = :now, "
            "#version = if_not_exists(#version, :zero) + :one"
        )
        if consumption.status is ReservationStatus.CONSUMED:
            # A closed reservation is only history: let the table's TTL clean it up.
            update += ", #expires_at = :ttl"
            values[":ttl"] = int(time.time()) + CLOSED_RESERVATION_TTL_SECONDS
        version_check = (
            "#version = :v" if consumption.expected_version else "(#version = :v OR attribute_not_exists(#version))"
        )
        names = {
            "#consumed": "consumed",
            "#status": "status",
            "#shipments": "shipments",
            "#updated_at": "updated_at",
            "#version": "version",
        }
        if consumption.status is ReservationStatus.CONSUMED:
            names["#expires_at"] = "expires_at"
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": to_dynamo(reservation_key(consumption.order_id)),
                "UpdateExpression": update,
                "ConditionExpression": f"#status = :held AND {version_check}",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_dynamo({**values, ":held": ReservationStatus.HELD.value}),
            }
        }
