"""Canonical models (schema v1): what every function speaks; no vendor payload goes past an adapter."""

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
