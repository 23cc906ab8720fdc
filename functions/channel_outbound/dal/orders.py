"""The orders the outbound worker reads (the order item the OrderFlow records; read only)."""

from __future__ import annotations

from typing import Protocol

from shared.adapters.state_store import DynamoStateStore
from shared.models import Order


class OrderReader(Protocol):
    def order(self, channel: str, channel_order_id: str) -> Order | None: ...


class DynamoOrderReader:
    def __init__(self, table_name: str) -> None:
        self.store = DynamoStateStore(table_name)

    def order(self, channel: str, channel_order_id: str) -> Order | None:
        """The canonical order as recorded (with each channel line id as `line_id`), or None."""
        record = self.store.get_order(channel, channel_order_id)
        return None if record is None else record.order
