"""What `make local` seeds (local/seed.py) is the demo's starting point: enough for every fixture order.

The seed reads the scenario's first phase and its rules steps instead of keeping a copy: these
tests fail if the scenario is reordered so that the seed no longer covers the fixtures' orders."""

from __future__ import annotations

from collections import defaultdict

from local.demo.scenario import DC, PHASES, SKUS
from local.seed import rule_steps, starting_stock
from tests.support.events import load_event


def _seeded_on_hand() -> dict[tuple[str, str], int]:
    on_hand: dict[tuple[str, str], int] = {}
    for delivery in starting_stock():
        event = {**load_event(delivery.fixture), **delivery.changes}
        on_hand[(event["sku"], event["location_id"])] = event["on_hand"]  # a later count replaces one
    return on_hand


def test_the_seeded_stock_covers_every_line_of_the_fixture_orders_at_dc_east() -> None:
    wanted: dict[str, int] = defaultdict(int)
    for fixture in ("shopify/orders_create", "walmart/get_order_response"):
        order = load_event(fixture)
        if "line_items" in order:
            for line in order["line_items"]:
                wanted[line["sku"]] += line["quantity"]
        else:
            for line in order["order"]["orderLines"]["orderLine"]:
                wanted[line["item"]["sku"]] += int(line["orderLineQuantity"]["amount"])
    on_hand = _seeded_on_hand()

    assert wanted, "the fixtures have lines"
    for sku, units in wanted.items():
        assert on_hand.get((sku, DC), 0) >= units, (sku, on_hand)


def test_the_seed_is_the_scenarios_first_phase_of_signed_wms_counts_for_every_sku() -> None:
    stock = starting_stock()

    assert stock == PHASES[0].steps  # every step of the first phase, nothing else
    assert {sku for sku, _ in _seeded_on_hand()} == set(SKUS)
    assert all(d.expect_status == 202 and not d.expect_duplicate and not d.tamper for d in stock)


def test_the_seed_sets_the_scenarios_allocation_rules_and_listing_ids() -> None:
    steps = rule_steps()

    assert [s.sku for s in steps] == ["IPOD2008PINK", "IPOD2008BLACK"]
    assert all(s.rules["channels"] and set(s.listing_ids) == {"shopify", "zalando"} for s in steps)
