"""Channel allocation: pools, shares, buffers, feeding locations; no unit promised twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.allocation import allocate, channel_units
from shared.models import InventoryPosition
from shared.models.allocation import PUBLISHED_CHANNELS, AllocationRules, AllocationRulesInput

LOCATIONS = ["dc-east", "dc-west", "store-7"]


def _rules(*channels: dict[str, Any]) -> AllocationRules:
    return AllocationRules.model_validate({"channels": list(channels)})


@st.composite
def valid_rules(draw: st.DrawFn) -> AllocationRules:
    names = draw(st.lists(st.sampled_from(PUBLISHED_CHANNELS), min_size=1, max_size=5, unique=True))
    # Shares are drawn as parts of a whole per location so they never exceed 1 anywhere.
    channels = []
    share_left = {loc: Decimal(1) for loc in LOCATIONS}
    everywhere_left = Decimal(1)
    for name in names:
        every = draw(st.booleans()) and draw(st.booleans())
        locations = ["*"] if every else draw(st.lists(st.sampled_from(LOCATIONS), min_size=1, max_size=3, unique=True))
        room = min(share_left.values()) if every else min(min(share_left[loc] for loc in locations), everywhere_left)
        share = None
        if room > 0 and draw(st.booleans()):
            share = (Decimal(draw(st.integers(min_value=1, max_value=10_000))) / 10_000 * room).quantize(
                Decimal("0.0001"), rounding="ROUND_DOWN"
            )
            share = share if share > 0 else None
        pool = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=60)))
        if share is None and pool is None:
            pool = draw(st.integers(min_value=0, max_value=60))
        if share is not None:
            for loc in LOCATIONS if every else locations:
                share_left[loc] -= share
            if every:
                everywhere_left -= share
            else:
                everywhere_left = min(everywhere_left, min(share_left[loc] for loc in locations))
        channels.append(
            {"channel": name, "locations": locations, "pool": pool, "share": share, "buffer": draw(st.integers(0, 10))}
        )
    return AllocationRules.model_validate({"channels": channels})


atp_maps = st.dictionaries(st.sampled_from(LOCATIONS + ["store-9"]), st.integers(min_value=0, max_value=500))


@settings(max_examples=400, deadline=None)
@given(rules=valid_rules(), atp=atp_maps)
def test_no_location_ever_promises_more_units_than_it_can(rules: AllocationRules, atp: dict[str, int]) -> None:
    allocation = allocate(atp, rules)

    for location_id, units in atp.items():
        committed = sum(a.committed.get(location_id, 0) for a in allocation.values())
        assert committed <= units
    for a in allocation.values():
        rule = rules.rule_for(a.channel)
        assert rule is not None
        assert 0 <= a.units <= a.committed_total
        assert all(rule.feeds_from(loc) for loc in a.committed)  # only its own locations feed it
    # Together the channels are never told more than the SKU's whole available-to-promise.
    assert sum(a.units for a in allocation.values()) <= sum(atp.values())


def test_pools_come_first_then_shares_of_what_is_left_rounded_down_then_buffers() -> None:
    rules = _rules(
        {"channel": "amazon", "locations": ["dc-east"], "pool": 10, "buffer": 2},
        {"channel": "shopify", "locations": ["dc-east", "store-7"], "share": "0.6"},
        {"channel": "ebay", "locations": ["dc-east"], "share": "0.4", "buffer": 1},
    )

    allocation = allocate({"dc-east": 25, "store-7": 5}, rules)

    # dc-east: 10 to the amazon pool, 15 left: shopify floor(9.0) = 9, ebay floor(6.0) = 6.
    assert allocation["amazon"].committed == {"dc-east": 10} and allocation["amazon"].units == 8
    assert allocation["shopify"].committed == {"dc-east": 9, "store-7": 3} and allocation["shopify"].units == 12
    assert allocation["ebay"].committed == {"dc-east": 6} and allocation["ebay"].units == 5


def test_a_pool_larger_than_stock_drains_its_locations_in_the_order_listed() -> None:
    rules = _rules(
        {"channel": "amazon", "locations": ["dc-west", "dc-east"], "pool": 12},
        {"channel": "walmart", "locations": ["dc-east"], "pool": 50},
    )

    allocation = allocate({"dc-east": 10, "dc-west": 5}, rules)

    assert allocation["amazon"].committed == {"dc-east": 7, "dc-west": 5}
    assert allocation["walmart"].committed == {"dc-east": 3}


def test_positions_feed_channel_units_through_their_available_to_promise() -> None:
    rules = _rules({"channel": "shopify", "locations": ["*"], "share": "1"})
    positions = [
        InventoryPosition(sku="SKU-1", location_id="dc-east", on_hand=10, reserved=4),
        InventoryPosition(sku="SKU-1", location_id="store-7", on_hand=2, reserved=5),  # oversold: counts 0
    ]

    assert channel_units(positions, rules) == {"shopify": 6}


def test_without_rules_no_channel_is_offered_anything() -> None:
    assert allocate({"dc-east": 10}, None) == {}


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (
            [
                {"channel": "amazon", "locations": ["dc-east"], "share": "0.7"},
                {"channel": "ebay", "locations": ["dc-east"], "share": "0.4"},
            ],
            "shares at location dc-east",
        ),
        (
            [
                {"channel": "amazon", "locations": ["*"], "share": "0.7"},
                {"channel": "ebay", "locations": ["store-7"], "share": "0.4"},
            ],
            "shares at location store-7",
        ),
        (
            [
                {"channel": "amazon", "locations": ["dc-east"], "pool": 1},
                {"channel": "amazon", "locations": ["dc-west"], "pool": 1},
            ],
            "each channel may appear once",
        ),
        ([{"channel": "amazon", "locations": ["dc-east"]}], "give a pool, a share, or both"),
        ([{"channel": "amazon", "locations": ["*", "dc-east"], "pool": 1}], "cannot be combined"),
        ([{"channel": "tiktok", "locations": ["dc-east"], "pool": 1}], "channel"),
        ([{"channel": "amazon", "locations": ["dc-east"], "share": "1.5"}], "share"),
        ([{"channel": "amazon", "locations": ["dc-east"], "pool": -1}], "pool"),
        ([], "channels"),
    ],
)
def test_rules_that_could_promise_a_unit_twice_or_are_malformed_are_refused(
    channels: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        AllocationRulesInput.model_validate({"channels": channels})

    assert message in str(caught.value)
