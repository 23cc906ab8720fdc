"""Each movement kind moves stock between the position's states as docs/inventory.md says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from functions.inventory.logic.movements import Effect, apply_effects, effects_of, fast_update, group_effects
from shared.atp import available_to_promise
from shared.models import InventoryMovement, InventoryPosition, MovementKind

LOC = "dc-east"
STORE = "D7AVYMEAPJ3A3"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def move(kind: str, quantity: int, sequence: int = 10, *, event: str | None = None, **extra: Any) -> InventoryMovement:
    return InventoryMovement.model_validate(
        {
            "event_id": event or f"{kind}-{sequence}",
            "kind": kind,
            "sku": "SKU-1",
            "location_id": extra.pop("location_id", LOC),
            "quantity": quantity,
            "source_sequence": sequence,
            "occurred_at": NOW,
            **extra,
        }
    )


def position(**counts: int) -> InventoryPosition:
    return InventoryPosition(sku="SKU-1", location_id=LOC, last_sequence=5, count_sequence=5, version=3, **counts)


def after(
    current: InventoryPosition | None, *movements: InventoryMovement, location_id: str = LOC
) -> InventoryPosition:
    effects = group_effects(movements).get(("SKU-1", location_id), [])
    return apply_effects(current, "SKU-1", location_id, effects, NOW).position


def test_a_receipt_adds_to_on_hand() -> None:
    assert after(position(on_hand=10), move("receipt", 24)).on_hand == 34


@pytest.mark.parametrize("kind", ["pick", "store_sale"])
def test_a_pick_or_a_store_sale_takes_units_off_on_hand(kind: str) -> None:
    updated = after(position(on_hand=10, reserved=2), move(kind, 3))
    assert (updated.on_hand, updated.reserved) == (7, 2)


def test_a_return_to_stock_adds_sellable_units() -> None:
    assert after(position(on_hand=10), move("return_to_stock", 1)).on_hand == 11


def test_a_return_released_from_quarantine_makes_units_sellable_without_adding_on_hand() -> None:
    updated = after(position(on_hand=10, damaged=2), move("return_to_stock", 2, from_quarantine=True))
    assert (updated.on_hand, updated.damaged, updated.available) == (10, 0, 10)


def test_a_transfer_out_leaves_the_origin_and_is_in_transit_at_the_destination() -> None:
    transfer = move("transfer_out", 6, counterpart_location_id=STORE)

    origin = after(position(on_hand=10), transfer)
    destination = after(None, transfer, location_id=STORE)

    assert origin.on_hand == 4
    assert (destination.on_hand, destination.in_transit, destination.available) == (0, 6, 0)


def test_a_transfer_in_moves_units_from_in_transit_to_on_hand() -> None:
    current = position(in_transit=6)
    updated = after(current, move("transfer_in", 6, counterpart_location_id=STORE))
    assert (updated.on_hand, updated.in_transit, updated.available) == (6, 0, 6)


def test_damage_keeps_units_on_hand_but_not_available() -> None:
    updated = after(position(on_hand=10, reserved=1), move("damage", 3))
    assert (updated.on_hand, updated.damaged, updated.available) == (10, 3, 6)


def test_a_write_off_removes_damaged_units() -> None:
    updated = after(position(on_hand=10, damaged=3), move("write_off", 3))
    assert (updated.on_hand, updated.damaged, updated.available) == (7, 0, 7)


def test_an_adjustment_applies_a_signed_delta() -> None:
    assert after(position(on_hand=10), move("adjustment", -4)).on_hand == 6
    assert after(position(on_hand=10), move("adjustment", 4)).on_hand == 14


def test_a_cycle_count_sets_on_hand_absolutely_and_becomes_the_baseline() -> None:
    updated = after(position(on_hand=10, reserved=2), move("cycle_count", 7, sequence=9))
    assert (updated.on_hand, updated.reserved, updated.count_sequence, updated.last_sequence) == (7, 2, 9, 9)


def test_safety_stock_is_never_promised() -> None:
    updated = after(position(on_hand=10, reserved=2), move("safety_stock", 3))
    assert (updated.safety_stock, updated.available) == (3, 5)
    assert available_to_promise(updated) == 5


def test_in_transit_units_are_not_available() -> None:
    assert position(on_hand=0, in_transit=50).available == 0


def test_a_cycle_count_older_than_later_movements_does_not_overwrite_them() -> None:
    # GIVEN a receipt at sequence 12 applied on top of a count at 5
    received = after(position(on_hand=10), move("receipt", 5, sequence=12))
    # WHEN a count taken at sequence 11 (before the receipt) arrives late
    change = apply_effects(received, "SKU-1", LOC, effects_of(move("cycle_count", 3, sequence=11)), NOW)
    # THEN it changes nothing
    assert not change.changed and change.stale == ("cycle_count-11",)
    assert change.position.on_hand == 15


def test_a_delta_older_than_the_last_count_is_already_in_it() -> None:
    change = apply_effects(position(on_hand=10), "SKU-1", LOC, effects_of(move("receipt", 5, sequence=4)), NOW)
    assert not change.changed and change.position.on_hand == 10


def test_deltas_arriving_out_of_order_after_a_count_all_apply() -> None:
    current = after(position(on_hand=10), move("store_sale", 1, sequence=9))
    updated = after(current, move("receipt", 5, sequence=7))  # older than the sale, newer than the count
    assert (updated.on_hand, updated.last_sequence) == (14, 9)


def test_a_count_in_the_same_batch_supersedes_the_deltas_before_it_only() -> None:
    updated = after(
        position(on_hand=10),
        move("receipt", 5, sequence=6),
        move("cycle_count", 20, sequence=7),
        move("store_sale", 2, sequence=8),
    )
    assert updated.on_hand == 18


def test_a_batch_that_would_go_below_zero_leaves_zero_and_reports_the_shortfall() -> None:
    effects = effects_of(move("store_sale", 5))
    change = apply_effects(position(on_hand=3), "SKU-1", LOC, effects, NOW)
    assert change.position.on_hand == 0 and change.shortfall == {"on_hand": 2}


def test_the_same_event_twice_in_a_batch_counts_once() -> None:
    assert after(position(on_hand=10), move("receipt", 5), move("receipt", 5)).on_hand == 15


def test_a_group_of_deltas_has_a_fast_form_and_a_count_does_not() -> None:
    deltas = group_effects([move("receipt", 5, sequence=7), move("pick", 8, sequence=8, event="p")])
    fast = fast_update(deltas[("SKU-1", LOC)])
    assert fast is not None
    assert (fast.net["on_hand"], fast.needs, fast.min_on_hand_sequence, fast.max_on_hand_sequence) == (
        -3,
        {"on_hand": 3},
        7,
        8,
    )
    assert fast_update(effects_of(move("cycle_count", 5))) is None


@pytest.mark.parametrize(
    ("kind", "quantity", "extra"),
    [
        ("receipt", 0, {}),
        ("pick", -1, {}),
        ("adjustment", 0, {}),
        ("cycle_count", -1, {}),
        ("transfer_out", 2, {}),
        ("transfer_out", 2, {"counterpart_location_id": LOC}),
    ],
)
def test_a_movement_that_makes_no_sense_is_refused(kind: str, quantity: int, extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        move(kind, quantity, **extra)


def test_every_kind_has_an_effect() -> None:
    for kind in MovementKind:
        extra: dict[str, Any] = {"counterpart_location_id": STORE} if kind is MovementKind.TRANSFER_OUT else {}
        effects: list[Effect] = effects_of(move(kind.value, 1, **extra))
        assert effects and all(e.event_id == f"{kind.value}-10" for e in effects)
