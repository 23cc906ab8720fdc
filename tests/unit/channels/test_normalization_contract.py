"""Contract: every fixture with an `.expected.json` normalizes to exactly those canonical commands.

Both directions: what the adapter produces dumps to the expected JSON, and the expected JSON
parses back into models equal to what the adapter produces (so the file is valid canonical input
for the workers' own tests).
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.channels.base import CanonicalCommand
from shared.channels.registry import adapter_for
from shared.models import InventoryAdjustment, Order, OrderCancellation, Shipment
from tests.support.events import EVENTS_DIR, load_event, load_expected
from tests.unit.channels.conftest import FakeSquare, envelope

MODELS: dict[str, type[Any]] = {
    "Order": Order,
    "OrderCancellation": OrderCancellation,
    "InventoryAdjustment": InventoryAdjustment,
    "Shipment": Shipment,
}
CASES = sorted(
    str(path.relative_to(EVENTS_DIR)).removesuffix(".expected.json")
    for path in EVENTS_DIR.glob("*/*.expected.json")
)
SHOPIFY_TOPICS = {"shopify/orders_cancelled": "orders/cancelled"}


def normalize(name: str) -> list[CanonicalCommand]:
    source = name.split("/")[0]
    payload = load_event(name)
    event_type = (
        SHOPIFY_TOPICS.get(name, "orders/create")
        if source == "shopify"
        else payload.get("type") or payload["event_type"]
    )
    return adapter_for(source).normalize(envelope(source, event_type, payload), enrich=FakeSquare())


def test_there_are_contract_cases_for_every_normalizing_source() -> None:
    assert {name.split("/")[0] for name in CASES} >= {"shopify", "square", "wms"}


@pytest.mark.parametrize("name", CASES)
def test_fixture_normalizes_to_its_expected_json(name: str) -> None:
    produced = [{"command": type(c).__name__, "data": c.model_dump(mode="json")} for c in normalize(name)]
    assert produced == load_expected(name)


@pytest.mark.parametrize("name", CASES)
def test_expected_json_parses_back_to_the_same_commands(name: str) -> None:
    parsed = [MODELS[item["command"]].model_validate(item["data"]) for item in load_expected(name)]
    assert parsed == normalize(name)
