"""Canonical models (schema v1): what every function speaks; no vendor payload goes past an adapter.

`from shared.models import Order` imports only the submodule that defines `Order` (PEP 562
`__getattr__`): building a pydantic model class costs cold start (all of them together about
95 ms on top of pydantic), and most functions use a few. Importing a submodule
(`shared.models.envelope`) runs this file too, which is why it imports nothing itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.models.common import Address, CustomerRef, utc_now
    from shared.models.envelope import Envelope
    from shared.models.inventory import (
        InventoryAdjustment,
        InventoryMovement,
        InventoryPosition,
        Location,
        LocationKind,
        MovementKind,
    )
    from shared.models.money import Money
    from shared.models.orders import Order, OrderCancellation, OrderLine, OrderStatus, order_id_for
    from shared.models.shipment import Shipment, ShipmentLine

_SUBMODULE = {
    "Address": "common",
    "CustomerRef": "common",
    "utc_now": "common",
    "Envelope": "envelope",
    "InventoryAdjustment": "inventory",
    "InventoryMovement": "inventory",
    "InventoryPosition": "inventory",
    "Location": "inventory",
    "LocationKind": "inventory",
    "MovementKind": "inventory",
    "Money": "money",
    "Order": "orders",
    "OrderCancellation": "orders",
    "OrderLine": "orders",
    "OrderStatus": "orders",
    "order_id_for": "orders",
    "Shipment": "shipment",
    "ShipmentLine": "shipment",
}

__all__ = [
    "Address",
    "CustomerRef",
    "Envelope",
    "InventoryAdjustment",
    "InventoryMovement",
    "InventoryPosition",
    "Location",
    "LocationKind",
    "Money",
    "MovementKind",
    "Order",
    "OrderCancellation",
    "OrderLine",
    "OrderStatus",
    "Shipment",
    "ShipmentLine",
    "order_id_for",
    "utc_now",
]


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULE.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULE})
