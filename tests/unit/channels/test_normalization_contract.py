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
from shared.models import InventoryAdjustment, InventoryMovement, Order, OrderCancellation, Shipment
from shared.models.order_changes import Fulfilment, OrderLinesCancelled, OrderUpdate, Refund
from shared.models.returns import ReturnAuthorization, ReturnInspection, StoreReturn
from tests.support.events import EVENTS_DIR, load_event, load_expected, load_headers
from tests.unit.channels.conftest import FakeEbay, FakeSquare, FakeWalmart, envelope
from tests.unit.channels.pull_fakes import FakeSpApi

MODELS: dict[str, type[Any]] = {
    "Order": Order,
    "OrderCancellation": OrderCancellation,
    "InventoryAdjustment": InventoryAdjustment,
    "InventoryMovement": InventoryMovement,
    "Shipment": Shipment,
    "OrderUpdate": OrderUpdate,
    "Fulfilment": Fulfilment,
    "Refund": Refund,
    "OrderLinesCancelled": OrderLinesCancelled,
    "ReturnAuthorization": ReturnAuthorization,
    "StoreReturn": StoreReturn,
    "ReturnInspection": ReturnInspection,
}
CASES = sorted(
    str(path.relative_to(EVENTS_DIR)).removesuffix(".expected.json")
    for path in EVENTS_DIR.glob("*/*.expected.json")
    # JSON bodies only: the POS nightly CSV files are checked in test_pull_channels_contract.py.
    if path.with_name(path.name.removesuffix(".expected.json") + ".json").is_file()
)
ENRICHERS: dict[str, Any] = {"square": FakeSquare, "walmart": FakeWalmart, "amazon": FakeSpApi, "ebay": FakeEbay}


def event_type_of(name: str, payload: dict[str, Any]) -> str:
    """The event type the edge would put on the envelope: from the headers or the body, per vendor."""
    source = name.split("/")[0]
    if source == "shopify":
        return load_headers(name)["X-Shopify-Topic"]
    if source == "walmart":
        return str(payload["source"]["eventType"])
    if source == "loop":
        return str(payload["trigger"])
    if source == "amazon":  # an EventBridge event from the SP-API partner event source
        return str(payload["detail-type"])
    if source == "zalando":  # a polled orders page
        return "Order"
    if source == "ebay":  # Notification API: the topic is in the body's metadata
        return str(payload["metadata"]["topic"])
    return str(payload.get("type") or payload["event_type"])


def normalize(name: str) -> list[CanonicalCommand]:
    source = name.split("/")[0]
    payload = load_event(name)
    enrich = ENRICHERS[source]() if source in ENRICHERS else None
    return adapter_for(source).normalize(envelope(source, event_type_of(name, payload), payload), enrich=enrich)


def test_there_are_contract_cases_for_every_normalizing_source() -> None:
    assert {name.split("/")[0] for name in CASES} >= {"shopify", "square", "wms", "walmart", "loop", "ebay"}


@pytest.mark.parametrize("name", CASES)
def test_fixture_normalizes_to_its_expected_json(name: str) -> None:
    produced = [{"command": type(c).__name__, "data": c.model_dump(mode="json")} for c in normalize(name)]
    assert produced == load_expected(name)


@pytest.mark.parametrize("name", CASES)
def test_expected_json_parses_back_to_the_same_commands(name: str) -> None:
    parsed = [MODELS[item["command"]].model_validate(item["data"]) for item in load_expected(name)]
    assert parsed == normalize(name)
