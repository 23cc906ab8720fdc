"""Inventory worker: a queued envelope -> adjustments and shipments applied -> InventoryChanged events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import ClientError

from functions.inventory.dal.positions import PositionStore
from functions.inventory.logic.movements import Effect, GroupResult, group_effects
from functions.inventory.logic.stock import plan_shipment
from shared.adapters.event_bus import BusEvent, EventBusPort, EventPublishFailed
from shared.adapters.payloads import PayloadResolver
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification, StaleUpdate
from shared.models import (
    Envelope,
    InventoryAdjustment,
    InventoryMovement,
    InventoryPosition,
    Shipment,
    order_id_for,
    utc_now,
)
from shared.models.inventory import INVENTORY_SCHEMA_VERSION
from shared.observability import logger
from shared.retry import RetryPolicy

HOP = "inventory-worker"
INVENTORY_CHANGED = "InventoryChanged"
ORDER_SHIPPED = "OrderShipped"

AdapterLookup = Callable[[str], Any]


class MovementStore(Protocol):
    def apply_group(self, sku: str, location_id: str, effects: Sequence[Effect], at: datetime) -> GroupResult:
        """Apply one position's effects exactly once (ConcurrentModification when races keep winning)."""
        ...


@dataclass
class MovementBatchOutcome:
    """Per envelope (by index): the movement event ids applied, stale or repeated; failed envelopes."""

    applied: dict[int, list[str]] = field(default_factory=dict)
    stale: dict[int, list[str]] = field(default_factory=dict)
    duplicates: dict[int, list[str]] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)
    positions: int = 0
    writes: int = 0


def _registry_lookup(source: str) -> Any:
    from shared.channels.registry import adapter_for  # imported on use: discovery imports every channel

    return adapter_for(source)


def inventory_changed(position: InventoryPosition, correlation_id: str, cause: dict[str, Any]) -> BusEvent:
    """InventoryChanged: the position (with derived `available`) + schema_version + correlation_id."""
    detail = position.model_dump(mode="json")
    detail.update(schema_version=INVENTORY_SCHEMA_VERSION, correlation_id=correlation_id, cause=cause)
    return BusEvent(detail_type=INVENTORY_CHANGED, detail=detail)


def order_shipped(shipment: Shipment, correlation_id: str) -> BusEvent:
    """OrderShipped: the canonical Shipment (channel, channel_order_id, lines, carrier, tracking) + order_id
    + correlation_id. The channel-outbound worker confirms it on the order's channel (docs/wiring.md)."""
    detail = shipment.model_dump(mode="json", exclude_none=True)  # carries schema_version
    detail.update(order_id=order_id_for(shipment.channel, shipment.channel_order_id), correlation_id=correlation_id)
    return BusEvent(detail_type=ORDER_SHIPPED, detail=detail)


@dataclass(eq=False)
class InventoryIntake:
    store: PositionStore
    bus: EventBusPort
    trace: TraceSink
    payloads: PayloadResolver
    adapter_for: AdapterLookup = _registry_lookup
    enrich: Any | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    now: Callable[[], datetime] = utc_now
    movements: MovementStore | None = None

    def normalize(self, envelope: Envelope) -> tuple[Envelope, list[Any]]:
        """The envelope with its payload resolved, and its canonical commands."""
        resolved = self.payloads.resolve(envelope)
        return resolved, list(self.adapter_for(resolved.source).normalize(resolved, enrich=self.enrich))

    def process(self, envelope: Envelope) -> dict[str, Any]:
        """Apply every command; publish what changed. Stale commands are successes that change nothing."""
        resolved, commands = self.normalize(envelope)
        cid = resolved.correlation_id
        events: list[BusEvent] = []
        shipped: list[BusEvent] = []  # OrderShipped (channel confirmation), published before InventoryChanged
        outcome: dict[str, list[str]] = {"applied": [], "ignored_stale": [], "skipped": []}
        movements = [command for command in commands if isinstance(command, InventoryMovement)]
        if movements:
            batch = self.apply_movements([(resolved, movements)], raise_on_failure=True)
            outcome["applied"] += batch.applied.get(0, [])
            outcome["ignored_stale"] += batch.stale.get(0, []) + batch.duplicates.get(0, [])
        for command in commands:
            if isinstance(command, InventoryMovement):
                continue
            if isinstance(command, InventoryAdjustment):
                changed = self._adjust(command, cid)
                cause = {"type": "InventoryAdjustment", "event_id": command.event_id}
            elif isinstance(command, Shipment):
                changed = self._ship(command, cid)
                cause = {"type": "Shipment", "event_id": command.event_id, "shipment_id": command.shipment_id}
                # The parcel left whatever the stock effect was (a later count may already show it): the
                # channel is told every time; the outbound worker's marker makes a repeat a no-op.
                shipped.append(order_shipped(command, cid))
            else:
                logger.warning("command this worker does not handle was skipped", command=type(command).__name__)
                outcome["skipped"].append(type(command).__name__)
                continue
            outcome["applied" if changed else "ignored_stale"].append(command.event_id)
            events.extend(inventory_changed(position, cid, cause) for position in changed)
        if shipped or events:
            self.bus.publish([*shipped, *events])
        return outcome

    def apply_movements(
        self, batch: Sequence[tuple[Envelope, Sequence[InventoryMovement]]], raise_on_failure: bool = False
    ) -> MovementBatchOutcome:
        """Movements of many envelopes, aggregated: one write per position (docs/inventory.md).

        A position that cannot be written fails every envelope with a movement on it (their queue
        records are retried; what did commit is recognised as repeated by its markers).
        InventoryChanged is published once per position touched, with the latest counts.
        """
        if self.movements is None:
            raise RuntimeError("this inventory intake has no movement store")
        owner: dict[str, list[int]] = {}
        for index, (_, movements) in enumerate(batch):
            for movement in movements:
                owner.setdefault(movement.event_id, []).append(index)
        result = MovementBatchOutcome()
        events: list[BusEvent] = []
        groups = group_effects(m for _, movements in batch for m in movements)
        for (sku, location_id), effects in groups.items():
            try:
                group = self.movements.apply_group(sku, location_id, effects, self.now())
            except (ConcurrentModification, ClientError) as exc:
                if raise_on_failure:
                    raise
                logger.warning(
                    "movement group failed; its records are retried",
                    sku=sku,
                    location_id=location_id,
                    error=type(exc).__name__,
                )
                result.failed.update(i for e in effects for i in owner[e.event_id])
                continue
            result.positions += 1
            result.writes += group.writes
            for target, ids in (
                (result.applied, group.change.applied),
                (result.stale, group.change.stale),
                (result.duplicates, group.duplicates),
            ):
                for event_id in ids:
                    for index in owner[event_id]:
                        target.setdefault(index, []).append(event_id)
            if group.change.shortfall:
                logger.warning(
                    "movements would take a count below zero; left at zero",
                    sku=sku,
                    location_id=location_id,
                    shortfall=group.change.shortfall,
                )
            if group.change.applied or group.duplicates:
                touched = [*group.change.applied, *group.duplicates]
                cids = sorted({batch[i][0].correlation_id for e in touched for i in owner[e]})
                cause = {"type": "InventoryMovement", "event_ids": touched, "correlation_ids": cids}
                events.append(inventory_changed(group.change.position, cids[-1], cause))
        for index, (envelope, movements) in enumerate(batch):
            if index in result.failed:
                continue
            self._trace_movements(envelope, movements, result, index)
        if events:
            try:
                self.bus.publish(events)
            except EventPublishFailed:
                if raise_on_failure:
                    raise
                # The writes stand (their markers make the retry a duplicate, which republishes).
                logger.warning("InventoryChanged not published; the batch's movement records are retried")
                result.failed.update(range(len(batch)))
        return result

    def _trace_movements(
        self, envelope: Envelope, movements: Sequence[InventoryMovement], result: MovementBatchOutcome, index: int
    ) -> None:
        applied = set(result.applied.get(index, []))
        duplicates = set(result.duplicates.get(index, []))
        for movement in movements:
            status = (
                "applied"
                if movement.event_id in applied
                else "duplicate"
                if movement.event_id in duplicates
                else "ignored_stale"
            )
            self.trace.record(
                envelope.correlation_id,
                HOP,
                status,
                {
                    "event_id": movement.event_id,
                    "kind": movement.kind.value,
                    "sku": movement.sku,
                    "location_id": movement.location_id,
                    "quantity": movement.quantity,
                    "sequence": movement.source_sequence,
                },
            )

    def _adjust(self, adjustment: InventoryAdjustment, cid: str) -> list[InventoryPosition]:
        where = {
            "event_id": adjustment.event_id,
            "sku": adjustment.sku,
            "location_id": adjustment.location_id,
        }
        try:
            position = self.store.apply_adjustment(adjustment, self.now())
        except StaleUpdate:
            self.trace.record(cid, HOP, "ignored_stale", {**where, "sequence": adjustment.source_sequence})
            return []
        self.trace.record(cid, HOP, "applied", {**where, "on_hand": position.on_hand, "reserved": position.reserved})
        return [position]

    def _ship(self, shipment: Shipment, cid: str) -> list[InventoryPosition]:
        where = {
            "event_id": shipment.event_id,
            "shipment_id": shipment.shipment_id,
            "location_id": shipment.location_id,
        }
        skus = {line.sku for line in shipment.lines}
        order_id = order_id_for(shipment.channel, shipment.channel_order_id)
        for attempt in range(self.retry.max_attempts):
            positions = self.store.get_positions(shipment.location_id, skus)
            applied = self.store.applied_skus(shipment.event_id, shipment.location_id, skus)
            plan = plan_shipment(shipment, positions, self.store.get_reservation(order_id), applied)
            if plan.stale:
                self.trace.record(cid, HOP, "ignored_stale", {**where, "sequence": shipment.source_sequence})
                return []
            at = self.now()
            if self.store.commit_shipment(plan, at):
                self.trace.record(cid, HOP, "applied", {**where, "order_id": order_id, "consumed": plan.consumed_now})
                return [update.written(at) for update in plan.positions]
            self.retry.pause(attempt)
        raise ConcurrentModification(f"positions for shipment {shipment.shipment_id} kept changing")
