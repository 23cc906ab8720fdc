"""The catalog queue's messages: the ERP's products and prices kept (newest version only), the
SKU marked for the price publisher, a promotion's start and end scheduled.

- `ProductMaster`: kept if newer; its SKU is marked (a new channel listing needs its price).
- `PriceMaster`: kept if newer; its SKU is marked, and each boundary of its sale still ahead (start,
  end) gets a one-time schedule that runs the publisher for that SKU at that instant.
- An older version (out of order, or a redelivery) changes nothing: counted as `stale`.
- `{"reprice": "<sku>"}` (an ops retry of a `price` exception): the SKU is marked again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from functions.pricing.dal.price_store import PriceStore
from shared.models.catalog import PriceMaster, ProductMaster


class Boundaries(Protocol):
    def at(self, when: datetime, sku: str, version: int) -> bool: ...


def apply(
    command: ProductMaster | PriceMaster,
    store: PriceStore,
    boundaries: Boundaries | None,
    now: Callable[[], datetime],
) -> str:
    """`applied` or `stale`."""
    if isinstance(command, ProductMaster):
        if not store.save_product(command):
            return "stale"
        store.mark_dirty([command.sku], now())
        return "applied"
    if not store.save_price(command):
        return "stale"
    at = now()
    store.mark_dirty([command.sku], at)
    if boundaries is not None:
        for moment in command.boundaries_after(at):
            boundaries.at(moment, command.sku, command.version)
    return "applied"
