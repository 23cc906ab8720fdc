"""The state table: orders, reservations and inventory positions (wiring.md, "State table items").

This module owns the table's layout (keys and item codecs); the inventory DAL and the ops API
reuse it. Writes that must hold together (a reservation and its position updates, a release and
its position updates) are one TransactWriteItems, and the transaction's CancellationReasons say
which condition failed, so callers get a domain answer instead of a ClientError.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from botocore.exceptions import ClientError

from shared.adapters.dynamo_codec import from_dynamo, put_if_absent, to_dynamo
from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.models import InventoryPosition, OrderCancellation, OrderStatus, order_id_for
from shared.models.catalog import PriceMaster
from shared.models.state import OrderRecord, Reservation, ReservationLine, ReservationStatus
from shared.reservation import PositionRelease, PositionReserve

# A SKU whose availability must be published again (shared/adapters/availability_store.py
# owns the partition; inventory reconciliation marks a SKU it corrected).
AVAILABILITY_DIRTY_PK = "AVAILABILITY#DIRTY"
CLOSED_RESERVATION_TTL_SECONDS = 30 * 24 * 3600
_BATCH_GET_LIMIT = 100


class CommitResult(StrEnum):
    COMMITTED = "COMMITTED"
    RESERVATION_EXISTS = "RESERVATION_EXISTS"  # the reservation item was already there: a replay
    ORDER_CANCELLED = "ORDER_CANCELLED"  # the order (or its tombstone) is CANCELLED
    CONFLICT = "CONFLICT"  # a position or the reservation changed since it was read: re-read, retry


# Keys ---------------------------------------------------------------------------------------------


def order_key(channel: str, channel_order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{channel}#{channel_order_id}", "sk": "ORDER"}


def reservation_key(order_id: str) -> dict[str, str]:
    return {"pk": f"RESERVATION#{order_id}", "sk": "RESERVATION"}


def position_key(sku: str, location_id: str) -> dict[str, str]:
    return {"pk": f"SKU#{sku}", "sk": f"LOC#{location_id}"}


def fulfilment_pk(channel: str, channel_order_id: str) -> str:
    """An order's shipments as written to the ERP (item fulfilments), one item per shipment id."""
    return f"FULFILMENT#{channel}#{channel_order_id}"


class OrderRef(StrEnum):
    """The ids an order is found by besides its own key (`GET /v1/ops/find`)."""

    CHANNEL_ORDER_ID = "CHANNEL_ORDER_ID"  # the same id may exist on several channels
    ORDER_ID = "ORDER_ID"
    ERP_SALES_ORDER_ID = "ERP_SALES_ORDER_ID"


def order_ref_key(ref: OrderRef, value: str, channel: str, channel_order_id: str) -> dict[str, str]:
    """A pointer item: `ORDERREF#<ref>#<value>` / `<channel>#<channel_order_id>`, one per order and id."""
    return {"pk": f"ORDERREF#{ref.value}#{value}", "sk": f"{channel}#{channel_order_id}"}


def order_refs(record: OrderRecord) -> list[tuple[OrderRef, str]]:
    refs = [(OrderRef.CHANNEL_ORDER_ID, record.channel_order_id), (OrderRef.ORDER_ID, record.order_id)]
    if record.erp_sales_order_id:
        refs.append((OrderRef.ERP_SALES_ORDER_ID, record.erp_sales_order_id))
    return refs


# Codecs -------------------------------------------------------------------------------------------


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def position_from_item(item: Mapping[str, Any]) -> InventoryPosition:
    return InventoryPosition.from_item(dict(item))


def position_write(
    table_name: str, current: InventoryPosition | None, position: InventoryPosition, fields: Sequence[str]
) -> dict[str, Any]:
    """The TransactWriteItems entry writing `position` as read (`current`): put when there was none
    (refused if one appeared meanwhile), else its `fields` set and `version` moved on by one, held
    to the version it was read with (optimistic lock)."""
    key = position_key(position.sku, position.location_id)
    if current is None:
        return put_if_absent(table_name, {**key, **position.to_item()})
    values = position.model_dump(mode="json", include=set(fields))
    return {
        "Update": {
            "TableName": table_name,
            "Key": to_dynamo(key),
            "UpdateExpression": "SET " + ", ".join(f"#{name} = :{name}" for name in fields) + ", #version = :next",
            "ConditionExpression": "#version = :v",
            "ExpressionAttributeNames": {**{f"#{name}": name for name in fields}, "#version": "version"},
            "ExpressionAttributeValues": to_dynamo(
                {**{f":{name}": values[name] for name in fields}, ":v": current.version, ":next": current.version + 1}
            ),
        }
    }


def reservation_to_item(reservation: Reservation) -> dict[str, Any]:
    return {**reservation_key(reservation.order_id), **reservation.model_dump(mode="json", exclude_none=True)}


def reservation_from_item(item: Mapping[str, Any]) -> Reservation:
    return Reservation.model_validate(item)


def order_record_to_item(record: OrderRecord) -> dict[str, Any]:
    return {
        **order_key(record.channel, record.channel_order_id),
        **record.model_dump(mode="json", exclude_none=True),
    }


def order_record_from_item(item: Mapping[str, Any]) -> OrderRecord:
    return OrderRecord.model_validate(item)


def order_not_cancelled(table_name: str, channel: str, channel_order_id: str, *, or_absent: bool) -> dict[str, Any]:
    """The TransactWriteItems check that the order is not CANCELLED (`or_absent`: or not there yet)."""
    condition = "#status <> :cancelled"
    return {
        "ConditionCheck": {
            "TableName": table_name,
            "Key": to_dynamo(order_key(channel, channel_order_id)),
            "ConditionExpression": f"attribute_not_exists(pk) OR {condition}" if or_absent else condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": to_dynamo({":cancelled": OrderStatus.CANCELLED.value}),
        }
    }


def cancellation_reason_codes(error: ClientError) -> list[str]:
    """Per-item codes of a cancelled transaction, in TransactItems order ("None" = that item was fine)."""
    reasons = error.response.get("CancellationReasons") or []  # type: ignore[typeddict-item]
    return [str(reason.get("Code", "None")) for reason in reasons]


# Port ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReservationContext:
    """What ReserveStock decides on, read together: the order (cancelled?), its reservation (a
    replay?) and the positions of its SKUs at the location."""

    order: OrderRecord | None
    reservation: Reservation | None
    positions: dict[str, InventoryPosition]
    # The price master of the order's SKUs (`PRICE#<sku>`, the ERP's prices): the review's reference.
    prices: dict[str, PriceMaster] = field(default_factory=dict)


class StateStore(Protocol):
    """What the order tasks need from the state table (the Dynamo store and the in-memory fake)."""

    def get_order(self, channel: str, channel_order_id: str) -> OrderRecord | None: ...

    def find_orders(self, ref: OrderRef, value: str) -> list[OrderRecord]: ...

    def save_order(self, record: OrderRecord, expected_status: OrderStatus | None) -> bool: ...

    def mark_cancelled(self, cancellation: OrderCancellation, correlation_id: str, at: datetime) -> OrderRecord: ...

    def get_reservation(self, order_id: str) -> Reservation | None: ...

    def get_positions(self, location_id: str, skus: Iterable[str]) -> dict[str, InventoryPosition]: ...

    def get_positions_at(
        self, location_ids: Sequence[str], skus: Iterable[str]
    ) -> dict[str, dict[str, InventoryPosition]]: ...

    def reservation_context(
        self, channel: str, channel_order_id: str, order_id: str, location_id: str, skus: Iterable[str]
    ) -> ReservationContext: ...

    def positions_for_sku(self, sku: str) -> list[InventoryPosition]: ...

    def unknown_skus(self, skus: Iterable[str]) -> set[str]: ...

    def fulfilments(self, channel: str, channel_order_id: str) -> list[dict[str, Any]]: ...

    def try_reserve(
        self, reservation: Reservation, channel: str, channel_order_id: str, writes: Sequence[PositionReserve]
    ) -> CommitResult: ...

    def try_release(
        self, reservation: Reservation, releases: Sequence[PositionRelease], at: datetime
    ) -> CommitResult: ...

    def try_release_lines(
        self,
        reservation: Reservation,
        releases: Sequence[PositionRelease],
        lines: Sequence[ReservationLine],
        change_id: str,
        at: datetime,
    ) -> CommitResult: ...

    def try_discard(
        self, reservation: Reservation, releases: Sequence[PositionRelease], at: datetime
    ) -> CommitResult: ...


# DynamoDB -----------------------------------------------------------------------------------------


class DynamoStateStore(DynamoTableAdapter):
    """StateStore on DynamoDB (low-level client, typed serializer, consistent reads)."""

    def _get(self, key: Mapping[str, str]) -> dict[str, Any] | None:
        response = self.client.get_item(TableName=self.table_name, Key=to_dynamo(key), ConsistentRead=True)
        item = response.get("Item")
        return from_dynamo(item) if item else None

    # Orders -------------------------------------------------------------------------------------

    def fulfilments(self, channel: str, channel_order_id: str) -> list[dict[str, Any]]:
        """The order's shipments with their ERP item fulfilment ids, in shipping order."""
        items = self.query_items(fulfilment_pk(channel, channel_order_id))
        return sorted(items, key=lambda item: (str(item.get("shipped_at", "")), str(item.get("sk", ""))))

    def record_fulfilment(self, channel: str, channel_order_id: str, fulfilment: dict[str, Any]) -> None:
        """One shipment as the ERP took it (written again, identical, when the shipment is replayed)."""
        item = {"pk": fulfilment_pk(channel, channel_order_id), "sk": str(fulfilment["shipment_id"]), **fulfilment}
        self.client.put_item(TableName=self.table_name, Item=to_dynamo(item))

    def get_order(self, channel: str, channel_order_id: str) -> OrderRecord | None:
        item = self._get(order_key(channel, channel_order_id))
        return order_record_from_item(item) if item else None

    def save_order(self, record: OrderRecord, expected_status: OrderStatus | None) -> bool:
        """Write the order item if its status is still `expected_status` (None: if it does not exist)."""
        kwargs: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        if expected_status is not None:
            kwargs = {
                "ConditionExpression": "#status = :expected",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_dynamo({":expected": expected_status.value}),
            }
        try:
            self.client.put_item(TableName=self.table_name, Item=to_dynamo(order_record_to_item(record)), **kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        self._index(record)
        return True

    def _index(self, record: OrderRecord) -> None:
        """The order's pointer items, each put once (`attribute_not_exists`): written after every
        successful order write, so a crash between the two is mended by the task's retry."""
        for ref, value in order_refs(record):
            key = order_ref_key(ref, value, record.channel, record.channel_order_id)
            item = {**key, "ref": ref.value, "channel": record.channel, "channel_order_id": record.channel_order_id}
            self.put_once(item)

    def find_orders(self, ref: OrderRef, value: str) -> list[OrderRecord]:
        """The orders whose `ref` id is `value` (pointer query, then one consistent BatchGetItem)."""
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_dynamo({":pk": f"ORDERREF#{ref.value}#{value}"}),
            Limit=_BATCH_GET_LIMIT,
        )
        pointers = [from_dynamo(item) for item in response.get("Items", [])]
        keys = [order_key(p["channel"], p["channel_order_id"]) for p in pointers]
        records = [order_record_from_item(item) for item in self.batch_get_items(keys)] if keys else []
        return sorted(records, key=lambda r: (r.channel, r.channel_order_id))

    def mark_cancelled(self, cancellation: OrderCancellation, correlation_id: str, at: datetime) -> OrderRecord:
        """CANCELLED, unconditionally (it is terminal); an unknown order gets a tombstone."""
        response = self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo(order_key(cancellation.channel, cancellation.channel_order_id)),
            UpdateExpression=(
                "SET #status = :cancelled, #cancel_reason = :reason, #updated_at = :now, "
                "#order_id = if_not_exists(#order_id, :order_id), "
                "#channel = if_not_exists(#channel, :channel), "
                "#coid = if_not_exists(#coid, :coid), #cid = if_not_exists(#cid, :cid), "
                "#lines = if_not_exists(#lines, :no_lines)"
            ),
            ExpressionAttributeNames={
                "#status": "status",
                "#cancel_reason": "cancel_reason",
                "#updated_at": "updated_at",
                "#order_id": "order_id",
                "#channel": "channel",
                "#coid": "channel_order_id",
                "#cid": "correlation_id",
                "#lines": "lines",
            },
            ExpressionAttributeValues=to_dynamo(
                {
                    ":cancelled": OrderStatus.CANCELLED.value,
                    ":reason": cancellation.reason,
                    ":now": iso(at),
                    ":order_id": order_id_for(cancellation.channel, cancellation.channel_order_id),
                    ":channel": cancellation.channel,
                    ":coid": cancellation.channel_order_id,
                    ":cid": correlation_id,
                    ":no_lines": [],
                }
            ),
            ReturnValues="ALL_NEW",
        )
        record = order_record_from_item(from_dynamo(response["Attributes"]))
        self._index(record)
        return record

    # Reservations and positions -----------------------------------------------------------------

    def get_reservation(self, order_id: str) -> Reservation | None:
        item = self._get(reservation_key(order_id))
        return reservation_from_item(item) if item else None

    def get_positions(self, location_id: str, skus: Iterable[str]) -> dict[str, InventoryPosition]:
        items = self.batch_get_items([position_key(sku, location_id) for sku in sorted(set(skus))])
        positions = (position_from_item(item) for item in items)
        return {position.sku: position for position in positions}

    def get_positions_at(
        self, location_ids: Sequence[str], skus: Iterable[str]
    ) -> dict[str, dict[str, InventoryPosition]]:
        """Positions per location then SKU (sourcing's candidates), in one BatchGetItem per 100 keys."""
        wanted = sorted(set(skus))
        out: dict[str, dict[str, InventoryPosition]] = {location_id: {} for location_id in location_ids}
        keys = [position_key(sku, location_id) for location_id in location_ids for sku in wanted]
        for item in self.batch_get_items(keys):
            position = position_from_item(item)
            out.setdefault(position.location_id, {})[position.sku] = position
        return out

    def reservation_context(
        self, channel: str, channel_order_id: str, order_id: str, location_id: str, skus: Iterable[str]
    ) -> ReservationContext:
        """One consistent BatchGetItem for the order, its reservation and the positions."""
        order_pk, reservation_pk = order_key(channel, channel_order_id)["pk"], reservation_key(order_id)["pk"]
        keys = [order_key(channel, channel_order_id), reservation_key(order_id)]
        keys += [position_key(sku, location_id) for sku in sorted(set(skus))]
        keys += [{"pk": f"PRICE#{sku}", "sk": "PRICE"} for sku in sorted(set(skus))]
        order: OrderRecord | None = None
        reservation: Reservation | None = None
        positions: dict[str, InventoryPosition] = {}
        prices: dict[str, PriceMaster] = {}
        for item in self.batch_get_items(keys):
            if item["pk"] == order_pk:
                order = order_record_from_item(item)
            elif item["pk"] == reservation_pk:
                reservation = reservation_from_item(item)
            elif str(item["pk"]).startswith("PRICE#"):
                price = PriceMaster.model_validate_json(str(item["record"]))
                prices[price.sku] = price
            else:
                position = position_from_item(item)
                positions[position.sku] = position
        return ReservationContext(order, reservation, positions, prices)

    def unknown_skus(self, skus: Iterable[str]) -> set[str]:
        """The SKUs neither the product master (`PRODUCT#<sku>`) nor any stock position knows."""
        wanted = sorted(set(skus))
        mastered = {
            str(item["pk"]).removeprefix("PRODUCT#")
            for item in self.batch_get_items([{"pk": f"PRODUCT#{sku}", "sk": "PRODUCT"} for sku in wanted])
        }
        return {sku for sku in wanted if sku not in mastered and not self.positions_for_sku(sku)}

    def positions_for_sku(self, sku: str) -> list[InventoryPosition]:
        request = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :loc)",
            "ExpressionAttributeValues": to_dynamo({":pk": f"SKU#{sku}", ":loc": "LOC#"}),
            "ConsistentRead": True,
        }
        return [position_from_item(from_dynamo(item)) for item in self.page_through("query", request)]

    def try_reserve(
        self, reservation: Reservation, channel: str, channel_order_id: str, writes: Sequence[PositionReserve]
    ) -> CommitResult:
        """One transaction: the reservation item (if new), the order not cancelled, every position.

        Item 0 is the reservation put, item 1 the order check, items 2.. the positions, which is
        how the CancellationReasons are read back.
        """
        now = iso(reservation.created_at)
        items: list[dict[str, Any]] = [
            put_if_absent(self.table_name, reservation_to_item(reservation)),
            order_not_cancelled(self.table_name, channel, channel_order_id, or_absent=True),
        ]
        for write in writes:
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": to_dynamo(position_key(write.sku, write.location_id)),
                        "UpdateExpression": "SET #reserved = #reserved + :q, #version = #version + :one, "
                        "#updated_at = :now",
                        "ConditionExpression": "#version = :v AND #on_hand >= :needed",
                        "ExpressionAttributeNames": {
                            "#reserved": "reserved",
                            "#version": "version",
                            "#on_hand": "on_hand",
                            "#updated_at": "updated_at",
                        },
                        "ExpressionAttributeValues": to_dynamo(
                            {
                                ":q": write.quantity,
                                ":one": 1,
                                ":v": write.expected_version,
                                ":needed": write.needed,
                                ":now": now,
                            }
                        ),
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = cancellation_reason_codes(exc)
            if codes[:1] == ["ConditionalCheckFailed"]:
                return CommitResult.RESERVATION_EXISTS
            if codes[1:2] == ["ConditionalCheckFailed"]:
                return CommitResult.ORDER_CANCELLED
            return CommitResult.CONFLICT
        return CommitResult.COMMITTED

    def try_release(self, reservation: Reservation, releases: Sequence[PositionRelease], at: datetime) -> CommitResult:
        """HELD -> RELEASED (if the reservation is as read) and `reserved -= q` per position, together."""
        update = self._held_reservation_update(
            reservation,
            "#status = :released, #released_at = :now, #expires_at = :ttl",
            {"#status": "status", "#released_at": "released_at", "#expires_at": "expires_at"},
            {
                ":released": ReservationStatus.RELEASED.value,
                ":now": iso(at),
                ":ttl": int(time.time()) + CLOSED_RESERVATION_TTL_SECONDS,
            },
        )
        items = [update]
        items.extend(self._position_releases(releases, at))
        return self._commit(items)

    def try_discard(self, reservation: Reservation, releases: Sequence[PositionRelease], at: datetime) -> CommitResult:
        """A HELD reservation (as read) deleted and `reserved -= q` per position, together: the
        compensation of an order a later step refused for good, so running it again reserves anew."""
        version_check = "#version = :v" if reservation.version else "(#version = :v OR attribute_not_exists(#version))"
        delete = {
            "Delete": {
                "TableName": self.table_name,
                "Key": to_dynamo(reservation_key(reservation.order_id)),
                "ConditionExpression": f"#status = :held AND {version_check}",
                "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                "ExpressionAttributeValues": to_dynamo(
                    {":held": ReservationStatus.HELD.value, ":v": reservation.version}
                ),
            }
        }
        return self._commit([delete, *self._position_releases(releases, at)])

    def try_release_lines(
        self,
        reservation: Reservation,
        releases: Sequence[PositionRelease],
        lines: Sequence[ReservationLine],
        change_id: str,
        at: datetime,
    ) -> CommitResult:
        """Some lines given back, the reservation still HELD: its lines become `lines`, `change_id`
        is recorded (a replay of it changes nothing) and `reserved -= q` per position, together."""
        reservation_update = self._held_reservation_update(
            reservation,
            "#lines = :lines, #updated_at = :now, #cancelled = list_append(if_not_exists(#cancelled, :none), :change)",
            {"#lines": "lines", "#cancelled": "line_cancellations", "#updated_at": "updated_at"},
            {
                ":lines": [line.model_dump(mode="json") for line in lines],
                ":change": [change_id],
                ":none": [],
                ":now": iso(at),
            },
        )
        return self._commit([reservation_update, *self._position_releases(releases, at)])

    def _held_reservation_update(
        self, reservation: Reservation, sets: str, names: dict[str, str], values: dict[str, Any]
    ) -> dict[str, Any]:
        """One transaction item: `SET <sets>` on the reservation if it is still HELD at the version
        read (an item written before versions counts as version 0), its version counted up."""
        version_check = "#version = :v" if reservation.version else "(#version = :v OR attribute_not_exists(#version))"
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": to_dynamo(reservation_key(reservation.order_id)),
                "UpdateExpression": f"SET {sets}, #version = if_not_exists(#version, :zero) + :one",
                "ConditionExpression": f"#status = :held AND {version_check}",
                "ExpressionAttributeNames": {"#status": "status", "#version": "version", **names},
                "ExpressionAttributeValues": to_dynamo(
                    {":held": ReservationStatus.HELD.value, ":v": reservation.version, ":zero": 0, ":one": 1, **values}
                ),
            }
        }

    def _position_releases(self, releases: Sequence[PositionRelease], at: datetime) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for release in releases:
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": to_dynamo(position_key(release.sku, release.location_id)),
                        "UpdateExpression": "SET #reserved = #reserved - :q, #version = #version + :one, "
                        "#updated_at = :now",
                        "ConditionExpression": "#reserved >= :q",
                        "ExpressionAttributeNames": {
                            "#reserved": "reserved",
                            "#version": "version",
                            "#updated_at": "updated_at",
                        },
                        "ExpressionAttributeValues": to_dynamo({":q": release.quantity, ":one": 1, ":now": iso(at)}),
                    }
                }
            )
        return items

    def _commit(self, items: list[dict[str, Any]]) -> CommitResult:
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return CommitResult.CONFLICT
        return CommitResult.COMMITTED
