"""Order changes and returns: record them in the state table and the trace, publish a domain event.

The OrderFlow handles orders and cancellations; what a channel reports afterwards (an update, a
fulfilment, a refund, auto-cancelled lines) and returns are recorded here, one small decision
per command, no ERP call:

| command | recorded as | event |
| --- | --- | --- |
| OrderUpdate | `ORDER#<ch>#<id>` / `CHANGE#update#<change_id>` | OrderUpdated |
| Fulfilment | `.../CHANGE#fulfilment#<change_id>` | OrderFulfilled |
| Refund | `.../CHANGE#refund#<change_id>` | RefundPosted |
| OrderLinesCancelled | `.../CHANGE#lines_cancelled#<change_id>` | OrderLinesCancelled |
| ReturnAuthorization | `RETURN#<source>#<return_id>` / `RETURN` (newest wins) | ReturnAuthorized/Updated/Closed |
| StoreReturn | `STORE_RETURN#<channel>#<return_id>` / `STORE_RETURN` | StoreReturnRecorded |
| ReturnInspection | `RETURN_INSPECTION#wms#<event_id>` / `RETURN_INSPECTION` | ReturnInspected (once) |

An applied `OrderLinesCancelled` also gives the cancelled lines' reserved units back, once per
change, before its event (functions/orders/logic/line_cancellation.py); a held one lowers the
order's lines before its flow reserves them.

Out of order: a change for an order whose create has not been seen yet is stored HELD (no
event); when the order arrives, `release_held` merges the newest held update into it (shipping
address, lines) before its flow starts and applies every held change (APPLIED, event published).
The store decides "seen" atomically (see `ChangeStore`), so a change racing its create is
either held and released, or applied: never lost. A replayed change is recorded once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from functions.orders.logic.line_cancellation import reduce_order_lines
from shared.adapters.trace_store import TraceSink
from shared.models import Envelope, Order
from shared.models.order_changes import Fulfilment, OrderLinesCancelled, OrderUpdate, Refund
from shared.models.returns import ReturnAuthorization, ReturnInspection, ReturnStatus, StoreReturn

HOP = "orders-worker"
OrderChange = OrderUpdate | Fulfilment | Refund | OrderLinesCancelled
Recordable = OrderChange | ReturnAuthorization | StoreReturn | ReturnInspection
RECORDABLE = (OrderUpdate, Fulfilment, Refund, OrderLinesCancelled, ReturnAuthorization, StoreReturn, ReturnInspection)

KINDS: dict[type[Any], tuple[str, str]] = {
    OrderUpdate: ("update", "OrderUpdated"),
    Fulfilment: ("fulfilment", "OrderFulfilled"),
    Refund: ("refund", "RefundPosted"),
    OrderLinesCancelled: ("lines_cancelled", "OrderLinesCancelled"),
}
MODELS: dict[str, type[OrderChange]] = {kind: model for model, (kind, _) in KINDS.items()}


class Outcome(StrEnum):
    APPLIED = "APPLIED"
    HELD = "HELD"
    DUPLICATE = "DUPLICATE"  # recorded before and its event published
    STALE = "STALE"  # an older version of a return than the one recorded


@dataclass(frozen=True)
class StoredChange:
    kind: str
    change: dict[str, Any]
    correlation_id: str
    published: bool


class ChangeStore(Protocol):
    """The state-table operations (DynamoDB in dal/order_changes.py, a dict in tests)."""

    def record_change(self, kind: str, change: OrderChange, correlation_id: str, at: datetime) -> tuple[Outcome, bool]:
        """HELD if the order is not seen yet, else APPLIED; (DUPLICATE, published?) for a replay."""
        ...

    def mark_published(self, kind: str, change: OrderChange) -> None: ...

    def mark_seen_and_take_held(self, channel: str, channel_order_id: str, at: datetime) -> list[StoredChange]:
        """Mark the order seen, then move every HELD change to APPLIED and return them (oldest first)."""
        ...

    def record_return(self, key: tuple[str, str, str], item: dict[str, Any], updated_at: datetime) -> Outcome:
        """Keep the newest version of a return (`key` = prefix, source/channel, id)."""
        ...


class EventPublisher(Protocol):
    def publish(self, detail_type: str, detail: dict[str, Any]) -> None: ...


def event_detail(model: Any, correlation_id: str, **extra: Any) -> dict[str, Any]:
    detail = model.model_dump(mode="json", exclude_none=True)  # carries schema_version
    order_id = getattr(model, "order_id", None)
    if order_id:
        detail["order_id"] = order_id
    detail.update(correlation_id=correlation_id, **extra)
    return detail


def merge_update(order: Order, update: OrderUpdate) -> Order:
    """The order with a newer update's address and lines; an older update changes nothing."""
    if order.source_updated_at is not None and update.updated_at <= order.source_updated_at:
        return order
    changes: dict[str, Any] = {"source_updated_at": update.updated_at}
    if update.shipping_address is not None:
        changes["shipping_address"] = update.shipping_address
    if update.lines:
        changes["lines"] = update.lines
    return Order.model_validate({**order.model_dump(), **changes})


def return_event_type(authorization: ReturnAuthorization, first: bool) -> str:
    if authorization.status in (ReturnStatus.CLOSED, ReturnStatus.CANCELLED, ReturnStatus.EXPIRED):
        return "ReturnClosed"
    return "ReturnAuthorized" if first else "ReturnUpdated"


class ChangeRecorder:
    """What the orders worker calls for every command the OrderFlow does not run."""

    def __init__(
        self,
        store: ChangeStore,
        events: EventPublisher,
        trace: TraceSink,
        release_lines: Callable[[OrderLinesCancelled], dict[str, int]] | None = None,
    ) -> None:
        self.store = store
        self.events = events
        self.trace = trace
        # Lines the channel cancelled give their reserved units back (functions/orders/logic/line_cancellation.py).
        self.release_lines = release_lines

    def record(self, envelope: Envelope, command: Recordable) -> Outcome:
        if isinstance(command, ReturnAuthorization):
            return self._return(envelope, command)
        if isinstance(command, StoreReturn):
            return self._store_return(envelope, command)
        if isinstance(command, ReturnInspection):
            return self._inspection(envelope, command)
        kind, event_type = KINDS[type(command)]
        outcome, published = self.store.record_change(kind, command, envelope.correlation_id, envelope.received_at)
        detail = {"kind": kind, "change_id": command.change_id, "order_id": command.order_id}
        self.trace.record(envelope.correlation_id, HOP, f"change_{outcome.value.lower()}", detail)
        if outcome is Outcome.APPLIED or (outcome is Outcome.DUPLICATE and not published):
            # Before the event: a crash in between redoes the release (once per change id) and publishes.
            if isinstance(command, OrderLinesCancelled) and self.release_lines is not None:
                released = self.release_lines(command)
                self.trace.record(
                    envelope.correlation_id,
                    HOP,
                    "lines_released",
                    {"change_id": command.change_id, "released": released},
                )
            self._publish(event_type, kind, command, envelope.correlation_id)
        return outcome

    def release_held(self, envelope: Envelope, order: Order) -> Order:
        """Called with an order about to start its flow: merge and apply what waited for it."""
        held = self.store.mark_seen_and_take_held(order.channel, order.channel_order_id, envelope.received_at)
        merged = order
        for stored in held:
            change = MODELS[stored.kind].model_validate(stored.change)
            if isinstance(change, OrderUpdate):
                merged = merge_update(merged, change)
            elif isinstance(change, OrderLinesCancelled):
                merged = reduce_order_lines(merged, change)  # not reserved yet: reserve only what stands
            self.trace.record(
                envelope.correlation_id,
                HOP,
                "change_released",
                {"kind": stored.kind, "change_id": change.change_id, "held_correlation_id": stored.correlation_id},
            )
            self._publish(KINDS[type(change)][1], stored.kind, change, stored.correlation_id)
        return merged

    def _publish(self, event_type: str, kind: str, change: OrderChange, correlation_id: str) -> None:
        self.events.publish(event_type, event_detail(change, correlation_id))
        self.store.mark_published(kind, change)

    def _return(self, envelope: Envelope, authorization: ReturnAuthorization) -> Outcome:
        # Loop's `return.created`, Walmart's `RETURN_CREATED`: a new return starts its ReturnFlow.
        first = authorization.updated_at == authorization.created_at or envelope.event_type.lower().endswith("created")
        key = ("RETURN", authorization.source, authorization.return_id)
        traced = ("return", {"return_id": authorization.return_id, "status": authorization.status.value})
        event_type = return_event_type(authorization, first)
        return self._record_return(envelope, authorization, key, authorization.updated_at, traced, event_type)

    def _store_return(self, envelope: Envelope, store_return: StoreReturn) -> Outcome:
        key = ("STORE_RETURN", store_return.channel, store_return.return_id)
        traced = ("store_return", {"return_id": store_return.return_id, "location_id": store_return.location_id})
        return self._record_return(envelope, store_return, key, store_return.returned_at, traced, "StoreReturnRecorded")

    def _inspection(self, envelope: Envelope, inspection: ReturnInspection) -> Outcome:
        # Recorded once per WMS event id: a redelivered inspection publishes nothing again (and the
        # returns domain would find no flow waiting for it anyway).
        key = ("RETURN_INSPECTION", "wms", inspection.event_id)
        traced = ("return_inspection", {"return_key": inspection.return_key, "location_id": inspection.location_id})
        return self._record_return(envelope, inspection, key, inspection.occurred_at, traced, "ReturnInspected")

    def _record_return(
        self,
        envelope: Envelope,
        record: ReturnAuthorization | StoreReturn | ReturnInspection,
        key: tuple[str, str, str],
        at: datetime,
        traced: tuple[str, dict[str, Any]],
        event_type: str,
    ) -> Outcome:
        """Keep the newest version of a return record (`key`, as of `at`), trace the outcome as
        `<traced status>_<outcome>` and publish `event_type` when it applied."""
        item = {**record.model_dump(mode="json"), "correlation_id": envelope.correlation_id}
        outcome = self.store.record_return(key, item, at)
        status, detail = traced
        self.trace.record(envelope.correlation_id, HOP, f"{status}_{outcome.value.lower()}", detail)
        if outcome is Outcome.APPLIED:
            self.events.publish(event_type, event_detail(record, envelope.correlation_id))
        return outcome
