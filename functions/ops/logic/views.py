"""Read models behind the ops routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from functions.ops.models.responses import (
    ChannelCallView,
    InventoryView,
    LocationStock,
    OrderFulfilmentView,
    OrderShipmentView,
    OrderView,
    TraceEntry,
    TransactionTimeline,
)
from shared.adapters.state_store import StateStore, iso
from shared.allocation import channel_units
from shared.errors import NotFound
from shared.models.allocation import AllocationRules
from shared.models.fulfilment import StoredInstruction
from shared.models.state import OrderRecord


class TraceReader(Protocol):
    def events(self, correlation_id: str) -> list[dict[str, Any]]: ...


def _instant(at: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)  # unreadable times go last
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def transaction_timeline(correlation_id: str, trace: TraceReader) -> TransactionTimeline:
    """Every hop of one transaction, oldest first; NotFound when nothing was recorded under the id.

    Entries come from several writers (functions, the state machine) whose timestamps have
    different precision, so they are ordered by instant, not by the text of the sort key.
    """
    events = [TraceEntry.model_validate(event) for event in trace.events(correlation_id)]
    if not events:
        raise NotFound(f"no transaction with correlation id {correlation_id}")
    events.sort(key=lambda event: _instant(event.at))  # stable: equal instants keep the table's order
    events = [event.model_copy(update={"at": _utc_text(event.at)}) for event in events]
    return TransactionTimeline(correlation_id=correlation_id, events=events)


def _utc_text(at: str) -> str:
    """One format for every writer's timestamp: ISO 8601 in UTC with a `Z`."""
    instant = _instant(at)
    if instant == datetime.max.replace(tzinfo=UTC):
        return at
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def order_view(
    channel: str,
    channel_order_id: str,
    store: StateStore,
    instructions: InstructionReader | None = None,
    channel_calls: ChannelCallReader | None = None,
) -> OrderView:
    record = store.get_order(channel, channel_order_id)
    if record is None:
        raise NotFound(f"no order {channel_order_id} from {channel}")
    view = view_of(record)
    # The stored items' keys (pk, sk) and our ERP external id are not part of the view: ignored.
    view.shipments = [OrderShipmentView.model_validate(item) for item in store.fulfilments(channel, channel_order_id)]
    if instructions is not None:
        view.fulfilments = [
            OrderFulfilmentView.model_validate(item.model_dump(mode="json"))
            for item in instructions.list(channel, channel_order_id)
        ]
    if channel_calls is not None:
        view.channel_calls = [
            ChannelCallView.model_validate(call) for call in channel_calls.calls(channel, channel_order_id)
        ]
    return view


class ChannelCallReader(Protocol):
    """The calls made to the channel for an order (shared/adapters/call_markers.py)."""

    def calls(self, channel: str, channel_order_id: str) -> list[dict[str, Any]]: ...


class InstructionReader(Protocol):
    """An order's fulfilment instructions (shared/adapters/fulfilment_instructions.py)."""

    def list(self, channel: str, channel_order_id: str) -> list[StoredInstruction]: ...


def view_of(record: OrderRecord) -> OrderView:
    return OrderView(
        order_id=record.order_id,
        channel=record.channel,
        channel_order_id=record.channel_order_id,
        status=record.status.value,
        erp_sales_order_id=record.erp_sales_order_id,
        correlation_id=record.correlation_id,
        lines=record.lines,
        location_id=record.location_id,
        cancel_reason=record.cancel_reason,
        updated_at=iso(record.updated_at),
    )


def inventory_view(sku: str, store: StateStore, rules: AllocationRules | None) -> InventoryView:
    """Positions per location and what each channel may sell of them under the allocation rules
    (the per-SKU override, else the default; no rules: no channel is offered anything)."""
    positions = sorted(store.positions_for_sku(sku), key=lambda p: p.location_id)
    if not positions:
        raise NotFound(f"no stock position for SKU {sku}")
    return InventoryView(
        sku=sku,
        locations=[
            LocationStock(
                location_id=p.location_id,
                on_hand=p.on_hand,
                reserved=p.reserved,
                available=p.available,
                in_transit=p.in_transit,
                damaged=p.damaged,
                safety_stock=p.safety_stock,
                last_sequence=p.last_sequence,
                updated_at=iso(p.updated_at) if p.updated_at else None,
            )
            for p in positions
        ],
        channels=channel_units(positions, rules),
    )
