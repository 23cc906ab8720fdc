"""Domain events onto the EventBridge bus (`source = "retail-sync"`).

The inventory worker, the orders worker (order changes) and ReturnFlow's report step publish from
code; the OrderFlow publishes with its own PutEvents state.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.adapters.aws import LazyClient

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

SOURCE = "retail-sync"
_MAX_ENTRIES = 10  # PutEvents limit per call
_ATTEMPTS = 3


class EventPublishFailed(Exception):
    """Entries still refused after retrying them (transient: the queue record is retried)."""


@dataclass(frozen=True)
class BusEvent:
    detail_type: str
    detail: dict[str, Any]


class EventBusPort(Protocol):
    def publish(self, events: Sequence[BusEvent]) -> None: ...


class EventBridgeBus:
    client: LazyClient[EventBridgeClient] = LazyClient("events")

    def __init__(self, bus_name: str, client: EventBridgeClient | None = None, source: str = SOURCE) -> None:
        self.bus_name = bus_name
        self.source = source
        self._client = client

    def publish(self, events: Sequence[BusEvent]) -> None:
        """PutEvents in chunks of ten; refused entries (throttling, internal errors) are retried."""
        entries = [
            {
                "Source": self.source,
                "DetailType": event.detail_type,
                "Detail": json.dumps(event.detail, separators=(",", ":")),
                "EventBusName": self.bus_name,
            }
            for event in events
        ]
        for start in range(0, len(entries), _MAX_ENTRIES):
            pending = entries[start : start + _MAX_ENTRIES]
            for _ in range(_ATTEMPTS):
                response = self.client.put_events(Entries=pending)  # type: ignore[arg-type]
                if not response.get("FailedEntryCount"):
                    break
                pending = [
                    entry for entry, result in zip(pending, response["Entries"], strict=True) if result.get("ErrorCode")
                ]
            else:
                raise EventPublishFailed(f"{len(pending)} events refused by bus {self.bus_name}")
