"""Inventory worker: a queued envelope -> adjustments and shipments applied -> InventoryChanged events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from functions.inventory.adapters.event_bus import BusEvent, EventBusPort
from functions.inventory.dal.positions import PositionStore
from functions.inventory.logic.stock import plan_shipment
from functions.orders.adapters.payloads import PayloadResolver
from functions.orders.logic.retry import RetryPolicy
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification, StaleUpdate
from shared.models import Envelope, InventoryAdjustment, InventoryPosition, Shipment, order_id_for, utc_now
from shared.models.inventory import INVENTORY_SCHEMA_VERSION
from shared.observability import logger

HOP = "inventory-worker"
INVENTORY_CHANGED = "InventoryChanged"

AdapterLookup = Callable[[str], Any]


def _registry_lookup(source: str) -> Any:
    from shared.channels.registry import adapter_for  # imported on use: discovery imports every channel

    return adapter_for(source)


def inventory_changed(position: InventoryPosition, correlation_id: str, cause: dict[str, Any]) -> BusEvent:
    """InventoryChanged: the position (with derived `available`) + schema_version + correlation_id."""
    detail = position.model_dump(mode="json")
    detail.update(schema_version=INVENTORY_SCHEMA_VERSION, correlation_id=correlation_id, cause=cause)
    return BusEvent(detail_type=INVENTORY_CHANGED, detail=detail)


class InventoryIntake:
    def __init__(
        self,
        store: PositionStore,
        bus: EventBusPort,
        trace: TraceSink,
        payloads: PayloadResolver,
        adapter_for: AdapterLookup = _registry_lookup,
        enrich: Any | None = None,
        retry: RetryPolicy | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.bus = bus
        self.trace = trace
        self.payloads = payloads
        self.adapter_for = adapter_for
        self.enrich = enrich
        self.retry = retry or RetryPolicy()
        self.now = now

    def process(self, envelope: Envelope) -> dict[str, Any]:
        """Apply every command; publish what changed. Stale commands are successes that change nothing."""
        resolved = self.payloads.resolve(envelope)
        commands = self.adapter_for(resolved.source).normalize(resolved, enrich=self.enrich)
        cid = resolved.correlation_id
        events: list[BusEvent] = []
        outcome: dict[str, list[str]] = {"applied": [], "ignored_stale": [], "skipped": []}
        for command in commands:
            if isinstance(command, InventoryAdjustment):
                changed = self._adjust(command, cid)
                cause = {"type": "InventoryAdjustment", "event_id": command.event_id}
            elif isinstance(command, Shipment):
                changed = self._ship(command, cid)
                cause = {"type": "Shipment", "event_id": command.event_id, "shipment_id": command.shipment_id}
            else:
                logger.warning(
                    "command this worker does not handle was skipped", command=type(command).__name__
                )
                outcome["skipped"].append(type(command).__name__)
                continue
            outcome["applied" if changed else "ignored_stale"].append(command.event_id)
            events.extend(inventory_changed(position, cid, cause) for position in changed)
        if events:
            self.bus.publish(events)
        return outcome

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
        self.trace.record(
            cid, HOP, "applied", {**where, "on_hand": position.on_hand, "reserved": position.reserved}
        )
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
            plan = plan_shipment(shipment, positions, self.store.get_reservation(order_id))
            if plan.stale:
                self.trace.record(cid, HOP, "ignored_stale", {**where, "sequence": shipment.source_sequence})
                return []
            at = self.now()
            if self.store.commit_shipment(plan, at):
                self.trace.record(
                    cid, HOP, "applied", {**where, "order_id": order_id, "consumed": plan.consumed_now}
                )
                return [
                    InventoryPosition(
                        sku=u.sku,
                        location_id=u.location_id,
                        on_hand=u.on_hand,
                        reserved=u.reserved,
                        last_sequence=u.last_sequence,
                        version=(u.expected_version or 0) + 1,
                        updated_at=at,
                    )
                    for u in plan.positions
                ]
            self.retry.pause(attempt)
        raise ConcurrentModification(f"positions for shipment {shipment.shipment_id} kept changing")
