"""The scheduled backfill: every item and price of the ERP's export applied as if its webhook had
come (functions/pricing/logic/intake.py). What we already keep at that version or newer changes
nothing, so a daily backfill repairs only what a lost or refused webhook left behind; a record
the models refuse is counted and skipped, never the whole run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from functions.pricing.dal.price_store import PriceStore
from functions.pricing.logic.intake import Boundaries, apply
from shared.channels.erp import ITEM_UPDATED, PRICE_UPDATED, command_from_erp


class CatalogExport(Protocol):
    def rows(self, kind: str) -> list[dict[str, Any]]: ...


def backfill(
    export: CatalogExport, store: PriceStore, boundaries: Boundaries | None, now: Callable[[], datetime]
) -> dict[str, int]:
    counts = {"applied": 0, "stale": 0, "invalid": 0}
    for kind, event_type in (("items", ITEM_UPDATED), ("prices", PRICE_UPDATED)):
        for row in export.rows(kind):
            try:
                command = command_from_erp({**row, "event_type": event_type})
            except ValidationError:
                counts["invalid"] += 1
                continue
            counts[apply(command, store, boundaries, now)] += 1
    return counts
