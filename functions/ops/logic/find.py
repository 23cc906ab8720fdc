"""Find an order by any of its ids, and say where it is stuck (`GET /v1/ops/find?id=...`).

One id is tried as each kind at once, because an operator holding an id rarely knows which it is:
- a channel's order id (`ORDERREF#CHANNEL_ORDER_ID#<id>`: the same id may exist on several channels),
- our order id (`ord_...`) and the ERP sales order id (pointer items written with the order:
  `shared/adapters/state_store.py`, `order_refs`),
- a correlation id: the trace under it, and the orders its hops name,
- an open exception's id, or what an open exception names (an order the flow never recorded, such as
  a notification whose vendor read failed on every attempt).
"""

from __future__ import annotations

from typing import Any, Protocol

from functions.ops.logic.views import TraceReader, transaction_timeline, view_of
from functions.ops.models.exceptions import RETRYABLE_KINDS
from functions.ops.models.find import ExceptionSummary, FindResult, FoundOrder, MatchedBy, Stuck
from functions.ops.models.responses import TraceEntry
from shared.adapters.state_store import OrderRef
from shared.errors import NotFound, ValidationFailed
from shared.models import OrderStatus
from shared.models.state import OrderRecord

MAX_ID_LENGTH = 256
OPEN_EXCEPTIONS_READ = 200  # per kind: the newest open ones are where a stuck order is
# Trace statuses a hop writes when its work did not go through (the orders, outbound and intake hops).
FAILED_STATUSES = frozenset({"failed", "poison", "exception", "conflict", "rejected", "dead_lettered"})

_REFS = (
    (OrderRef.CHANNEL_ORDER_ID, MatchedBy.CHANNEL_ORDER_ID),
    (OrderRef.ORDER_ID, MatchedBy.ORDER_ID),
    (OrderRef.ERP_SALES_ORDER_ID, MatchedBy.ERP_SALES_ORDER_ID),
)


class OrderFinder(Protocol):
    def find_orders(self, ref: OrderRef, value: str) -> list[OrderRecord]: ...


class OpenExceptions(Protocol):
    def list(self, kind: str, status: str | None, limit: int) -> list[dict[str, Any]]: ...


def parse_id(value: str | None) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_ID_LENGTH or not text.isprintable():
        raise ValidationFailed(
            f"id must be 1 to {MAX_ID_LENGTH} printable characters", details=[{"field": "id", "message": text[:64]}]
        )
    return text


def find(
    any_id: str, finder: OrderFinder, trace: TraceReader, exceptions: OpenExceptions | None = None
) -> FindResult:
    """Every order the id names (with its trace and where it is stuck), the open exceptions about
    them, and the transaction under the id; NotFound when the id names nothing."""
    found: dict[tuple[str, str], tuple[OrderRecord, set[MatchedBy]]] = {}

    def add(record: OrderRecord, by: MatchedBy) -> None:
        found.setdefault((record.channel, record.channel_order_id), (record, set()))[1].add(by)

    for ref, by in _REFS:
        for record in finder.find_orders(ref, any_id):
            add(record, by)
    id_trace = _timeline(any_id, trace)
    for order_id in sorted({str(e.detail["order_id"]) for e in id_trace if e.detail.get("order_id")}):
        for record in finder.find_orders(OrderRef.ORDER_ID, order_id):
            add(record, MatchedBy.CORRELATION_ID)
    for record, matched in found.values():
        if record.correlation_id == any_id:
            matched.add(MatchedBy.CORRELATION_ID)

    open_items = _open_exceptions(exceptions)
    named = [item for item in open_items if _names(item, any_id)]
    for item in named:
        if item.get("channel") and item.get("channel_order_id"):
            for record in finder.find_orders(OrderRef.CHANNEL_ORDER_ID, str(item["channel_order_id"])):
                if record.channel == item["channel"]:
                    add(record, MatchedBy.EXCEPTION)
    keys = set(found)
    correlation_ids = {record.correlation_id for record, _ in found.values()}
    about = [
        item
        for item in open_items
        if item in named
        or (item.get("channel"), item.get("channel_order_id")) in keys
        or item.get("correlation_id") in correlation_ids
    ]
    summaries = [_summary(item) for item in about]
    if not found and not id_trace and not summaries:
        raise NotFound(f"no order, transaction or open exception is known by {any_id}")

    orders = []
    for key in sorted(found):
        record, matched = found[key]
        events = id_trace if record.correlation_id == any_id else _timeline(record.correlation_id, trace)
        mine = [
            s for s in summaries if (s.channel, s.channel_order_id) == key or s.correlation_id == record.correlation_id
        ]
        orders.append(
            FoundOrder(
                matched_by=sorted(matched),
                order=view_of(record),
                stuck=_order_stuck(record, mine, events),
                trace=events,
            )
        )
    in_flight = not any(record.correlation_id == any_id for record, _ in found.values())
    loose = [s for s in summaries if not any((s.channel, s.channel_order_id) == key for key in keys)]
    return FindResult(
        id=any_id,
        orders=orders,
        exceptions=summaries,
        trace=id_trace if in_flight else [],
        stuck=_loose_stuck(loose, id_trace if in_flight else []),
    )


def _timeline(correlation_id: str, trace: TraceReader) -> list[TraceEntry]:
    try:
        return transaction_timeline(correlation_id, trace).events
    except NotFound:
        return []


def _open_exceptions(store: OpenExceptions | None) -> list[dict[str, Any]]:
    if store is None:
        return []
    return [item for kind in RETRYABLE_KINDS for item in store.list(kind, "OPEN", OPEN_EXCEPTIONS_READ)]


def _names(item: dict[str, Any], any_id: str) -> bool:
    return any_id in (item.get("exception_id"), item.get("channel_order_id"), item.get("correlation_id"))


def _summary(item: dict[str, Any]) -> ExceptionSummary:
    return ExceptionSummary(
        id=str(item["exception_id"]),
        kind=str(item.get("kind", "")),
        status=str(item.get("status", "")).lower(),
        reason=str(item.get("reason", "")),
        channel=item.get("channel"),
        channel_order_id=item.get("channel_order_id"),
        correlation_id=item.get("correlation_id"),
        raised_at=item.get("at"),
        failures=item.get("failures"),
        retries=item.get("retries"),
    )


def _exception_stuck(summary: ExceptionSummary) -> Stuck:
    return Stuck(
        state="EXCEPTION",
        reason=f"open {summary.kind} exception {summary.id}: {summary.reason}",
        next_action=f"retail-sync exceptions retry {summary.id} (or resolve it with a note)",
    )


def _trace_stuck(events: list[TraceEntry]) -> Stuck | None:
    last = events[-1] if events else None
    if last is None or last.status not in FAILED_STATUSES:
        return None
    error = last.detail.get("error") or last.detail.get("reason")
    return Stuck(
        state="FAILED",
        reason=f"the last hop, {last.hop}, answered {last.status}" + (f" ({error})" if error else ""),
        next_action="read the trace; a message that reached a dead-letter queue comes back with "
        "retail-sync dlq redrive <queue>",
    )


def _order_stuck(record: OrderRecord, exceptions: list[ExceptionSummary], events: list[TraceEntry]) -> Stuck | None:
    """The most actionable reason first: an open exception, the order's status, then the trace."""
    if exceptions:
        return _exception_stuck(exceptions[0])
    if record.status is OrderStatus.ERP_FAILED:
        return Stuck(
            state="PARKED",
            reason="the ERP failed or stayed down: the order is parked for replay (ERP_FAILED)",
            next_action="retail-sync orders replay, once the ERP answers again",
        )
    if record.status is OrderStatus.IN_REVIEW:
        return Stuck(
            state="IN_REVIEW",
            reason="held for payment or fraud review (stock reserved, not yet sent to the ERP or the warehouse)",
            next_action="it goes on when the channel reports the payment; or retail-sync orders release|cancel",
        )
    if record.status is OrderStatus.ON_HOLD:
        skus = ", ".join(sorted({line.sku for line in record.lines}))
        return Stuck(
            state="ON_HOLD",
            reason="not enough stock at any location: nothing is reserved",
            next_action=f"check stock with retail-sync inventory <sku> ({skus}); the order waits for stock or a person",
        )
    return _trace_stuck(events)


def _loose_stuck(exceptions: list[ExceptionSummary], events: list[TraceEntry]) -> Stuck | None:
    if exceptions:
        return _exception_stuck(exceptions[0])
    return _trace_stuck(events)

