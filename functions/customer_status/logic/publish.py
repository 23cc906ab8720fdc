"""Order and return status changes -> the customer-service platform, once per visible change.

Every event that can change what the customer sees names its order (or its return, whose record
names the order). The publisher keeps the shipment an OrderShipped carries, recomposes the whole
view from the state table (`logic/view.py`) and, when the helpdesk has not been told this exact
view yet, tells it. "Told" is a call marker per (order, view fingerprint) claimed before the call
(`shared/adapters/call_markers.py`, prefix `CSEVENT`): a repeated or reordered event, or two events
racing to the same view, push once; a failed push releases the marker and is retried.

| event | names | also |
| --- | --- | --- |
| OrderAccepted, OrderOnHold, OrderCancelled, OrderLinesCancelled, OrderUpdated | `channel`, `channel_order_id` | |
| OrderShipped | `channel`, `channel_order_id` | the shipment kept (`ORDERSHIPMENTS#<ch>#<id>`, once) |
| ReturnAuthorized | `channel`, `channel_order_id` | |
| ReturnInspected | `return_key` (`<source>:<source_return_id>`) | its order read from the return |
| ReturnStatusChanged | `channel`, `channel_order_id` | (ReturnFlow's outcome: refunded, closed, rejected) |

An event whose order (or return) is not recorded yet is a success that pushes nothing: the
event that records it comes after and pushes the view then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from functions.customer_status.adapters.helpdesk import HelpdeskPort
from functions.customer_status.dal.status_store import StatusStore
from functions.customer_status.logic.view import compose, digest
from shared.adapters.call_markers import Claim, MarkerStore
from shared.adapters.trace_store import TraceSink

HOP = "customer-status"
ORDER_SHIPPED = "OrderShipped"
RETURN_INSPECTED = "ReturnInspected"
ORDER_EVENTS = frozenset(
    {
        "OrderAccepted",
        "OrderOnHold",
        "OrderCancelled",
        "OrderLinesCancelled",
        "OrderUpdated",
        ORDER_SHIPPED,
        "ReturnAuthorized",
        "ReturnStatusChanged",
    }
)
EVENT_TYPES = (*sorted(ORDER_EVENTS), RETURN_INSPECTED)


class UnreadableStatusEvent(ValueError):
    """Not an event this publisher reads (never retried)."""


class PushInProgress(Exception):
    """Another delivery is telling the helpdesk this very view right now: retry later (transient)."""


@dataclass
class StatusPublisher:
    store: StatusStore
    markers: MarkerStore
    trace: TraceSink
    helpdesk: HelpdeskPort | None = None  # no platform configured: the status route alone
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def handle(self, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
        correlation_id = str(detail.get("correlation_id") or "unknown")
        order = self._order_named(detail_type, detail)
        if order is None:
            return {"status": "return_not_recorded"}
        channel, channel_order_id = order
        if detail_type == ORDER_SHIPPED:
            self.store.record_shipment(detail)
        items = self.store.read(channel, channel_order_id)
        if items.order is None:
            return {"status": "order_not_recorded"}
        view = compose(items.order, items.shipments, items.returns)
        if self.helpdesk is None:
            return {"status": "no_helpdesk", "view": view.status.value}
        marker = f"VIEW#{digest(view)}"
        claim = self.markers.claim(channel, channel_order_id, marker, correlation_id)
        if claim is Claim.SENT:
            return {"status": "already_told", "view": view.status.value}
        if claim is Claim.BUSY:
            raise PushInProgress(f"{channel}:{channel_order_id} {marker}")
        customer = (items.order.get("order") or {}).get("customer") or {}
        try:
            self.helpdesk.track(view, customer.get("email"))
        except Exception:
            self.markers.release(channel, channel_order_id, marker)
            raise
        self.markers.sent(channel, channel_order_id, marker, None, self.now().isoformat().replace("+00:00", "Z"))
        self.trace.record(correlation_id, HOP, "helpdesk_told", {"status": view.status.value, "event": detail_type})
        return {"status": "told", "view": view.status.value}

    def _order_named(self, detail_type: str, detail: dict[str, Any]) -> tuple[str, str] | None:
        if detail_type == RETURN_INSPECTED:
            return_key = detail.get("return_key")
            if not isinstance(return_key, str) or ":" not in return_key:
                raise UnreadableStatusEvent("ReturnInspected without a `<source>:<id>` return_key")
            return self.store.order_of_return(return_key)
        if detail_type not in ORDER_EVENTS:
            raise UnreadableStatusEvent(f"{detail_type} is not a status event")
        channel, channel_order_id = detail.get("channel"), detail.get("channel_order_id")
        if not isinstance(channel, str) or not isinstance(channel_order_id, str) or not channel or not channel_order_id:
            raise UnreadableStatusEvent(f"{detail_type} without channel and channel_order_id")
        if detail_type == ORDER_SHIPPED and not (detail.get("shipment_id") and detail.get("lines")):
            raise UnreadableStatusEvent("OrderShipped without shipment_id and lines")
        return channel, channel_order_id
