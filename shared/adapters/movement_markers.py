"""Movement markers: one state-table item per (event id, stock position) an inventory effect was
applied to (`MOVEMENT#<event_id>` / `SKU#<sku>#LOC#<location_id>`), put in the same transaction as
the effect and refused when already there. The inventory worker's movements and a till sale applied
by ReserveStock (shared/store_sales.py) write the same markers, so one sale is applied once
whichever path sees it first. Kept 30 days (`expires_at`, the table's TTL)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from shared.adapters.dynamo_codec import put_if_absent
from shared.adapters.state_store import iso

MARKER_TTL_SECONDS = 30 * 24 * 3600


def movement_marker_key(event_id: str, sku: str, location_id: str) -> dict[str, str]:
    return {"pk": f"MOVEMENT#{event_id}", "sk": f"SKU#{sku}#LOC#{location_id}"}


def marker_put(
    table_name: str, event_id: str, sku: str, location_id: str, kind: str, sequence: int, at: datetime
) -> dict[str, Any]:
    """The transaction item recording one (event, position) effect, refused when already there."""
    item = {
        **movement_marker_key(event_id, sku, location_id),
        "kind": kind,
        "sku": sku,
        "location_id": location_id,
        "sequence": sequence,
        "recorded_at": iso(at),
        "expires_at": int(time.time()) + MARKER_TTL_SECONDS,
    }
    return put_if_absent(table_name, item)
