"""Reservation decisions: one location, all lines or none, writes guarded by what was read."""

from __future__ import annotations

from shared.models import InventoryPosition
from shared.reservation import choose_location, plan_release, plan_reservation
from tests.fakes.builders import order


def _position(sku: str, on_hand: int, reserved: int = 0, version: int = 3) -> InventoryPosition:
    return InventoryPosition(
        sku=sku, location_id="dc-east", on_hand=on_hand, reserved=reserved, version=version
    )


def test_an_order_without_a_location_is_reserved_at_the_default_location() -> None:
    assert choose_location(order(), "dc-east") == "dc-east"


def test_an_order_naming_its_fulfilment_location_is_reserved_there() -> None:
    assert choose_location(order(location_id="store-7"), "dc-east") == "store-7"


def test_plan_writes_each_line_with_the_version_and_reserved_count_it_read() -> None:
    plan = plan_reservation({"A": 2, "B": 1}, "dc-east", {"A": _position("A", 5, 1), "B": _position("B", 1)})

    assert not plan.is_short
    writes = {w.sku: w for w in plan.writes}
    assert (writes["A"].quantity, writes["A"].expected_version, writes["A"].needed) == (2, 3, 3)
    assert (writes["B"].quantity, writes["B"].needed) == (1, 1)


def test_one_short_line_puts_the_whole_order_on_hold_with_no_writes() -> None:
    plan = plan_reservation({"A": 2, "B": 3}, "dc-east", {"A": _position("A", 5), "B": _position("B", 4, 2)})

    assert plan.is_short
    assert plan.writes == ()
    assert [(s.sku, s.requested, s.available) for s in plan.shortages] == [("B", 3, 2)]


def test_a_sku_never_stocked_at_the_location_is_short_with_nothing_available() -> None:
    plan = plan_reservation({"NEW": 1}, "dc-east", {})

    assert [(s.sku, s.available) for s in plan.shortages] == [("NEW", 0)]


def test_release_gives_back_what_is_held_and_never_more_than_the_position_holds() -> None:
    releases = plan_release(
        {"A": 2, "B": 5, "C": 1}, "dc-east", {"A": _position("A", 9, 4), "B": _position("B", 9, 3)}
    )

    assert {(r.sku, r.quantity) for r in releases} == {("A", 2), ("B", 3)}
