"""Settings of the inventory worker (read once per cold start)."""

from __future__ import annotations

from shared.settings import EventBusSettings, IdempotencySettings, TablesSettings


class InventoryWorkerSettings(TablesSettings, IdempotencySettings, EventBusSettings):
    pass


class ReservationExpirySettings(TablesSettings, EventBusSettings):
    # At most this many expired reservations per run; the next run (5 min later) takes the rest.
    reservation_expiry_batch_limit: int = 500
