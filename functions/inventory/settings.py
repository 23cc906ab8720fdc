"""Settings of the inventory worker (read once per cold start)."""

from __future__ import annotations

from shared.settings import EventBusSettings, IdempotencySettings, TablesSettings


class InventoryWorkerSettings(TablesSettings, IdempotencySettings, EventBusSettings):
    pass
