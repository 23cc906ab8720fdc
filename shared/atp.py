"""Available-to-promise: the one place it is derived (public: availability and ops read it here).

ATP of a position = on hand - reserved - damaged / quarantined - safety stock, never negative;
in-transit units are not available until received. ATP of a SKU over a set of locations is the sum
of its positions' ATP at those locations (a location short of stock never borrows from another).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from shared.locations import LocationRegistry
from shared.models import InventoryPosition


def available_to_promise(position: InventoryPosition) -> int:
    """ATP of one position: `max(on_hand - reserved - damaged - safety_stock, 0)`."""
    return position.available


def sku_available_to_promise(
    positions: Iterable[InventoryPosition], location_ids: Collection[str] | None = None
) -> int:
    """ATP of one SKU summed over `location_ids` (every location of `positions` when None)."""
    wanted = None if location_ids is None else set(location_ids)
    return sum(available_to_promise(p) for p in positions if wanted is None or p.location_id in wanted)


def atp_by_location(
    positions: Iterable[InventoryPosition], location_ids: Collection[str] | None = None
) -> dict[str, int]:
    """Location id -> ATP, for the positions at `location_ids` (all when None)."""
    wanted = None if location_ids is None else set(location_ids)
    return {p.location_id: available_to_promise(p) for p in positions if wanted is None or p.location_id in wanted}


def online_available_to_promise(positions: Iterable[InventoryPosition], registry: LocationRegistry) -> int:
    """ATP of one SKU at the locations that fulfil online orders."""
    return sku_available_to_promise(positions, registry.online_location_ids())
