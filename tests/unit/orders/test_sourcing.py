"""Sourcing by rules that are data (issue 10.1): one location when one can take the order, a split by
whole lines over the rule's candidates when none can, ON_HOLD when even a split cannot."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.locations import load_locations
from shared.models import InventoryPosition
from shared.models.fulfilment import FulfilmentMethod, SourcingRules
from shared.sourcing import (
    Candidates,
    InvalidSourcingRules,
    candidates_for,
    check_rules,
    instructions,
    load_rules,
    plan_sourcing,
)
from tests.fakes.builders import order

CANDIDATES = Candidates(("dc-east", "dc-west", "store-12"), allow_split=True, max_locations=2)


def _positions(stock: dict[str, dict[str, int]]) -> dict[str, dict[str, InventoryPosition]]:
    return {
        location_id: {
            sku: InventoryPosition(sku=sku, location_id=location_id, on_hand=units, reserved=0, version=1)
            for sku, units in by_sku.items()
        }
        for location_id, by_sku in stock.items()
    }


def test_an_order_the_first_candidate_can_take_is_not_split() -> None:
    stock = _positions({"dc-east": {"A": 5, "B": 5}, "dc-west": {"A": 9, "B": 9}})

    plan = plan_sourcing({"A": 2, "B": 1}, CANDIDATES, stock)

    assert plan.lines_by_location == {"dc-east": {"A": 2, "B": 1}}
    assert [(w.location_id, w.sku, w.quantity) for w in plan.writes] == [("dc-east", "A", 2), ("dc-east", "B", 1)]


def test_a_later_candidate_holding_every_line_is_preferred_to_a_split() -> None:
    stock = _positions({"dc-east": {"A": 5}, "dc-west": {"A": 2, "B": 1}})

    plan = plan_sourcing({"A": 2, "B": 1}, CANDIDATES, stock)

    assert plan.lines_by_location == {"dc-west": {"A": 2, "B": 1}}


def test_a_split_takes_whole_lines_from_the_candidates_in_order() -> None:
    stock = _positions({"dc-east": {"A": 5, "B": 0}, "dc-west": {"A": 1}, "store-12": {"B": 3}})

    plan = plan_sourcing({"A": 2, "B": 3}, CANDIDATES, stock)

    assert plan.lines_by_location == {"dc-east": {"A": 2}, "store-12": {"B": 3}}
    assert plan.location_id == "dc-east"
    planned = instructions("shopify-1001", plan.lines_by_location, load_locations())
    assert [(i.instruction_id, i.method) for i in planned] == [
        ("shopify-1001@dc-east", FulfilmentMethod.SHIP_FROM_DC),
        ("shopify-1001@store-12", FulfilmentMethod.SHIP_FROM_STORE),
    ]


def test_a_split_over_more_locations_than_the_rule_allows_puts_the_order_on_hold() -> None:
    stock = _positions({"dc-east": {"A": 1}, "dc-west": {"B": 1}, "store-12": {"C": 1}})

    plan = plan_sourcing({"A": 1, "B": 1, "C": 1}, CANDIDATES, stock)

    assert plan.is_short
    assert [(s.sku, s.requested, s.available) for s in plan.shortages] == [("B", 1, 0), ("C", 1, 0)]


def test_a_line_no_single_candidate_can_fill_is_never_cut_in_two() -> None:
    stock = _positions({"dc-east": {"A": 2}, "dc-west": {"A": 2}})

    plan = plan_sourcing({"A": 3}, CANDIDATES, stock)

    assert plan.is_short and plan.writes == ()


def test_a_rule_without_split_holds_the_order_when_no_candidate_has_it_all() -> None:
    stock = _positions({"dc-east": {"A": 1}, "dc-west": {"B": 1}})

    plan = plan_sourcing({"A": 1, "B": 1}, Candidates(("dc-east", "dc-west")), stock)

    assert plan.is_short


def test_an_order_that_names_its_store_is_picked_up_there_and_never_re_sourced() -> None:
    named = order(location_id="store-7")

    candidates = candidates_for(named, load_rules(), "dc-east")

    assert candidates == Candidates(("store-7",), pickup=True)
    [planned] = instructions(named.order_id, {"store-7": {"SKU-1": 1}}, load_locations(), pickup=True)
    assert planned.method is FulfilmentMethod.STORE_PICKUP


def test_the_packaged_rules_apply_to_every_channel_and_name_only_online_locations() -> None:
    rules = load_rules()

    candidates = candidates_for(order(channel="walmart"), rules, "dc-east")

    assert candidates.locations[0] == "dc-east" and candidates.allow_split
    assert "store-12" in candidates.locations


@pytest.mark.parametrize(
    ("location", "message"),
    [("nowhere-9", "unknown location nowhere-9"), ("store-7", "store-7 does not fulfil online orders")],
)
def test_rules_naming_a_location_that_cannot_ship_online_orders_are_refused(location: str, message: str) -> None:
    rules = SourcingRules.model_validate(
        {"rules": [{"name": "bad", "channels": ["*"], "locations": ["dc-east", location]}]}
    )

    with pytest.raises(InvalidSourcingRules, match=message):
        check_rules(rules, load_locations())


SKUS = ("A", "B", "C", "D")
LOCATIONS = CANDIDATES.locations


@settings(max_examples=300, deadline=None)
@given(
    wanted=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 6), min_size=1, max_size=4),
    stock=st.dictionaries(
        st.sampled_from(LOCATIONS),
        st.dictionaries(st.sampled_from(SKUS), st.integers(0, 6), max_size=4),
        max_size=3,
    ),
)
def test_a_plan_reserves_exactly_the_order_never_more_than_a_location_has(
    wanted: dict[str, int], stock: dict[str, dict[str, int]]
) -> None:
    plan = plan_sourcing(wanted, CANDIDATES, _positions(stock))

    if plan.is_short:
        assert plan.writes == () and plan.lines_by_location == {}
        return
    assert len(plan.lines_by_location) <= CANDIDATES.max_locations
    taken: dict[str, int] = {}
    for location_id, units in plan.lines_by_location.items():
        for sku, quantity in units.items():
            assert stock[location_id][sku] >= quantity
            taken[sku] = taken.get(sku, 0) + quantity
    assert taken == wanted
    assert sorted((w.location_id, w.sku, w.quantity) for w in plan.writes) == sorted(
        (loc, sku, q) for loc, units in plan.lines_by_location.items() for sku, q in units.items()
    )
