"""The kinds of stock movement, apart from the models that carry them: a module that needs only the
enum (ReturnFlow's dispositions) does not build the inventory models with it (issue 7)."""

from __future__ import annotations

from enum import StrEnum


class MovementKind(StrEnum):
    """What happened to stock at a location (docs/inventory.md has the effect of each)."""

    RECEIPT = "receipt"  # on_hand += q
    PICK = "pick"  # on_hand -= q (outbound the WMS fulfils itself; channel orders ship via Shipment)
    STORE_SALE = "store_sale"  # on_hand -= q
    RETURN_TO_STOCK = "return_to_stock"  # on_hand += q, or damaged -= q when released from quarantine
    TRANSFER_OUT = "transfer_out"  # on_hand -= q here; in_transit += q at the destination
    TRANSFER_IN = "transfer_in"  # on_hand += q here; in_transit -= q here
    DAMAGE = "damage"  # damaged += q (units stay on hand but are not sellable)
    WRITE_OFF = "write_off"  # on_hand -= q and damaged -= q (damaged units disposed of)
    ADJUSTMENT = "adjustment"  # on_hand += delta (signed)
    CYCLE_COUNT = "cycle_count"  # on_hand = count (absolute)
    SAFETY_STOCK = "safety_stock"  # safety_stock = level (absolute)
