"""The locations registry (validated data) and available-to-promise per position and per SKU."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from shared.atp import (
    atp_by_location,
    available_to_promise,
    online_available_to_promise,
    sku_available_to_promise,
)
from shared.locations import InvalidLocations, load_locations, parse_locations
from shared.models import InventoryPosition, LocationKind


def loc(
    location_id: str, kind: str = "store", parent: str | None = None, online: bool = False, tz: str = "UTC"
) -> dict[str, object]:
    return {
        "location_id": location_id,
        "name": location_id,
        "kind": kind,
        "parent": parent,
        "fulfils_online": online,
        "time_zone": tz,
    }


def test_the_shipped_registry_is_a_valid_hierarchy_with_every_kind() -> None:
    registry = load_locations()
    assert {location.kind for location in registry} == set(LocationKind)
    assert "dc-east" in registry.online_location_ids()
    assert [a.location_id for a in registry.ancestors("D7AVYMEAPJ3A3")] == ["dc-east"]
    assert "store-7" in [d.location_id for d in registry.descendants("dc-east")]


@pytest.mark.parametrize(
    ("locations", "problem"),
    [
        ([loc("a"), loc("a")], "twice"),
        ([loc("a", parent="nowhere")], "unknown parent"),
        ([loc("a", parent="b"), loc("b", parent="a")], "cycle"),
    ],
)
def test_a_registry_that_is_not_a_hierarchy_is_refused(locations: list[dict[str, object]], problem: str) -> None:
    with pytest.raises(InvalidLocations, match=problem):
        parse_locations(json.dumps(locations))


@pytest.mark.parametrize("bad", [{"kind": "warehouse"}, {"time_zone": "Mars/Olympus"}, {"location_id": "a b"}])
def test_a_location_with_an_invalid_field_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        parse_locations(json.dumps([{**loc("a"), **bad}]))


def position(location_id: str, **counts: int) -> InventoryPosition:
    return InventoryPosition(sku="SKU-1", location_id=location_id, **counts)


def test_atp_subtracts_reserved_damaged_and_safety_stock_but_never_counts_in_transit() -> None:
    p = position("dc-east", on_hand=20, reserved=4, damaged=3, safety_stock=2, in_transit=50)
    assert available_to_promise(p) == 11


def test_atp_never_goes_negative() -> None:
    assert available_to_promise(position("dc-east", on_hand=2, reserved=5, safety_stock=3)) == 0


def test_sku_atp_sums_only_the_named_locations_and_online_ones_by_registry() -> None:
    positions = [
        position("dc-east", on_hand=10),
        position("store-7", on_hand=4),
        position("store-12", on_hand=3, reserved=5),
    ]
    assert sku_available_to_promise(positions) == 14
    assert sku_available_to_promise(positions, ["dc-east", "store-12"]) == 10
    assert atp_by_location(positions, ["store-7"]) == {"store-7": 4}
    assert online_available_to_promise(positions, load_locations()) == 10  # store-7 does not ship online
