"""In-memory fakes for the outside systems the functions talk to."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.adapters.event_bus import BusEvent
from shared.adapters.parking_queue import ParkedMessage
from shared.errors import UnknownSource
from shared.models import Envelope


class FakeErp:
    """The ERP keyed by external id; `fail_with` makes the next calls raise."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, str] = {}
        self.cancelled: list[str] = []
        self.calls: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None

    def _maybe_fail(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def upsert_sales_order(self, order_id: str, sales_order: dict[str, Any]) -> str:
        self.calls.append(("upsert", order_id))
        self._maybe_fail()
        self.records[order_id] = sales_order
        return self.ids.setdefault(order_id, str(1000 + len(self.ids)))

    def cancel_sales_order(self, order_id: str) -> bool:
        self.calls.append(("cancel", order_id))
        self._maybe_fail()
        if order_id not in self.records:
            return False
        self.cancelled.append(order_id)
        return True

    def close_sales_order_lines(self, order_id: str, items: list[dict[str, Any]]) -> None:
        self.calls.append(("close_lines", order_id))
        self._maybe_fail()
        self.records[order_id] = {**self.records.get(order_id, {}), "item": {"items": items}}

    def get_sales_order(self, order_id: str) -> dict[str, Any] | None:
        return self.records.get(order_id)


class FakeOrderFlow:
    """Step Functions with Standard-workflow name uniqueness: a repeated name is refused."""

    def __init__(self) -> None:
        self.executions: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        with self.lock:
            if name in self.executions:
                return False
            self.executions[name] = execution_input
            return True


class FakeEventBus:
    def __init__(self) -> None:
        self.events: list[BusEvent] = []

    def publish(self, events: Sequence[BusEvent]) -> None:
        self.events.extend(events)


class PassThroughPayloads:
    """Envelopes arrive with their payload inline; claim-checked ones resolve from `stored`."""

    def __init__(self, stored: dict[str, dict[str, Any]] | None = None) -> None:
        self.stored = stored or {}

    def resolve(self, envelope: Envelope) -> Envelope:
        if envelope.payload is None and envelope.payload_ref:
            return envelope.model_copy(update={"payload": self.stored[envelope.payload_ref]})
        return envelope


@dataclass
class FakeChannelAdapter:
    """Normalizes by calling `normalizer(envelope)`: return commands or raise."""

    normalizer: Callable[[Envelope], list[Any]]
    seen: list[Envelope] = field(default_factory=list)

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[Any]:
        self.seen.append(envelope)
        return self.normalizer(envelope)


def adapter_lookup(adapters: dict[str, FakeChannelAdapter]) -> Callable[[str], FakeChannelAdapter]:
    def lookup(source: str) -> FakeChannelAdapter:
        if source not in adapters:
            raise UnknownSource("no webhook endpoint for this source")
        return adapters[source]

    return lookup


class FakeParkingQueue:
    def __init__(self, bodies: Sequence[str] = ()) -> None:
        self.messages = [ParkedMessage(receipt_handle=f"rh-{i}", body=body) for i, body in enumerate(bodies)]
        self.in_flight: list[ParkedMessage] = []

    def receive(self, max_messages: int, hold_seconds: int | None = None) -> list[ParkedMessage]:
        batch, self.messages = self.messages[:max_messages], self.messages[max_messages:]
        self.in_flight.extend(batch)
        return batch

    def delete(self, message: ParkedMessage) -> None:
        self.in_flight.remove(message)

    def release(self, message: ParkedMessage) -> None:
        self.in_flight.remove(message)
        self.messages.append(message)


class RecordingQueue:
    """A queue port that keeps what was sent (body, message attributes), in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []

    def send(self, body: str, attributes: dict[str, str]) -> str:
        self.sent.append((body, attributes))
        return f"m-{len(self.sent)}"


class FakeTraceReader:
    def __init__(self, events: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.by_correlation_id = events or {}

    def events(self, correlation_id: str) -> list[dict[str, Any]]:
        return list(self.by_correlation_id.get(correlation_id, []))
