"""Load the vendor-shaped fixtures under `events/`.

load_event("shopify/orders_create")          -> dict (the parsed body)
load_event_bytes("shopify/orders_create")    -> bytes, exactly as sent (what signatures cover)
load_headers("shopify/orders_create")        -> the delivery's unsigned headers ({} if none)
load_expected("shopify/orders_create")       -> the canonical commands it normalizes to
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"


def event_path(name: str, suffix: str = ".json") -> Path:
    path = EVENTS_DIR / f"{name}{suffix}"
    if not path.is_file():
        raise FileNotFoundError(f"no fixture {name!r} ({path})")
    return path


def load_event_bytes(name: str) -> bytes:
    return event_path(name).read_bytes()


def load_event(name: str) -> dict[str, Any]:
    value = json.loads(load_event_bytes(name))
    if not isinstance(value, dict):
        raise ValueError(f"fixture {name!r} is not a JSON object")
    return value


def load_headers(name: str) -> dict[str, str]:
    path = EVENTS_DIR / f"{name}.headers.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def load_expected(name: str) -> list[dict[str, Any]]:
    """`[{"command": "Order" | "OrderCancellation" | "InventoryAdjustment" | "Shipment", "data": {...}}]`."""
    value = json.loads(event_path(name, ".expected.json").read_text())
    if not isinstance(value, list):
        raise ValueError(f"expected output of {name!r} must be a list of commands")
    return value
