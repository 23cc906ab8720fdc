"""Aggregated movement writes on DynamoDB (moto): one position write per batch, exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.inventory.dal.movements import DynamoMovementStore
from functions.inventory.dal.positions import DynamoPositionStore
from functions.inventory.logic.movements import group_effects
from shared.adapters.movement_markers import movement_marker_key
from shared.adapters.state_store import from_dynamo, to_dynamo
from shared.models import InventoryMovement
from shared.retry import RetryPolicy
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import adjustment

LOC = "dc-east"
STORE = "D7AVYMEAPJ3A3"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def move(kind: str, quantity: int, sequence: int, event: str | None = None, **extra: Any) -> InventoryMovement:
    return InventoryMovement.model_validate(
        {
            "event_id": event or f"{kind}-{sequence}",
            "kind": kind,
            "sku": extra.pop("sku", "SKU-1"),
            "location_id": extra.pop("location_id", LOC),
            "quantity": quantity,
            "source_sequence": sequence,
            "occurred_at": NOW,
            **extra,
        }
    )


class Writes:
    """Counts the items each DynamoDB write call puts into the table."""

    def __init__(self, client: Any) -> None:
        self.calls: list[tuple[str, int]] = []
        client.meta.events.register("before-parameter-build.dynamodb.*", self._count)

    def _count(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "TransactWriteItems":
            self.calls.append((model.name, len(params["TransactItems"])))
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.calls.append((model.name, 1))


@pytest.fixture
def store(dynamodb: Any) -> DynamoMovementStore:
    return DynamoMovementStore(STATE_TABLE, client=dynamodb, retry=RetryPolicy(max_attempts=30, sleep=lambda _: None))


def apply(store: DynamoMovementStore, *movements: InventoryMovement) -> dict[tuple[str, str], Any]:
    return {key: store.apply_group(key[0], key[1], effects, NOW) for key, effects in group_effects(movements).items()}


def test_a_batch_of_movements_on_one_position_is_one_transaction_with_one_position_write(
    store: DynamoMovementStore, dynamodb: Any
) -> None:
    writes = Writes(dynamodb)
    movements = [move("receipt", 2, sequence=i) for i in range(1, 26)]

    [result] = apply(store, *movements).values()

    assert result.fast and result.change.position.on_hand == 50
    assert writes.calls == [("TransactWriteItems", 26)]  # 25 markers + the position once
    assert result.writes == 26


def test_a_repeated_delivery_changes_nothing(store: DynamoMovementStore) -> None:
    apply(store, move("receipt", 5, sequence=1))

    [again] = apply(store, move("receipt", 5, sequence=1), move("receipt", 1, sequence=2)).values()

    assert again.duplicates == ("receipt-1",)
    assert again.change.applied == ("receipt-2",)
    assert store.read_position("SKU-1", LOC).on_hand == 6  # type: ignore[union-attr]


def test_each_movement_leaves_a_marker_that_expires(store: DynamoMovementStore, dynamodb: Any) -> None:
    apply(store, move("receipt", 5, sequence=1))

    item = dynamodb.get_item(TableName=STATE_TABLE, Key=to_dynamo(movement_marker_key("receipt-1", "SKU-1", LOC)))
    marker = from_dynamo(item["Item"])
    assert (marker["kind"], marker["sequence"]) == ("receipt", 1) and marker["expires_at"] > NOW.timestamp()


def test_an_older_cycle_count_does_not_overwrite_later_movements(store: DynamoMovementStore) -> None:
    apply(store, move("cycle_count", 10, sequence=5))
    apply(store, move("store_sale", 2, sequence=8))

    [late] = apply(store, move("cycle_count", 30, sequence=7)).values()

    assert late.change.stale == ("cycle_count-7",)
    position = store.read_position("SKU-1", LOC)
    assert position is not None and (position.on_hand, position.count_sequence, position.last_sequence) == (8, 5, 8)


def test_a_newer_cycle_count_replaces_on_hand(store: DynamoMovementStore) -> None:
    apply(store, move("receipt", 10, sequence=5))
    [count] = apply(store, move("cycle_count", 7, sequence=9)).values()
    assert not count.fast and count.change.position.on_hand == 7


def test_an_out_of_order_batch_falls_back_to_the_exact_write_and_still_applies(store: DynamoMovementStore) -> None:
    apply(store, move("cycle_count", 10, sequence=5), move("receipt", 3, sequence=9))

    [late] = apply(store, move("store_sale", 1, sequence=7)).values()  # older than 9, newer than the count

    assert not late.fast
    position = store.read_position("SKU-1", LOC)
    assert position is not None and (position.on_hand, position.last_sequence) == (12, 9)


def test_a_batch_that_would_go_negative_is_clamped_at_zero(store: DynamoMovementStore) -> None:
    apply(store, move("receipt", 2, sequence=1))
    [result] = apply(store, move("store_sale", 5, sequence=2)).values()
    assert result.change.shortfall == {"on_hand": 3} and result.change.position.on_hand == 0


def test_a_transfer_touches_two_positions_each_exactly_once(store: DynamoMovementStore) -> None:
    apply(store, move("receipt", 10, sequence=1))
    transfer = move("transfer_out", 4, sequence=2, counterpart_location_id=STORE)

    apply(store, transfer)
    apply(store, transfer)
    apply(store, move("transfer_in", 4, sequence=3, location_id=STORE, counterpart_location_id=LOC))

    origin, destination = store.read_position("SKU-1", LOC), store.read_position("SKU-1", STORE)
    assert origin is not None and destination is not None
    assert origin.on_hand == 6
    assert (destination.on_hand, destination.in_transit) == (4, 0)


def test_a_position_written_by_the_old_adjustment_path_keeps_its_count_guard(
    dynamodb: Any, store: DynamoMovementStore
) -> None:
    DynamoPositionStore(STATE_TABLE, client=dynamodb).apply_adjustment(adjustment(on_hand=10, sequence=5), NOW)

    apply(store, move("receipt", 1, sequence=4))  # older than the count: already in it
    apply(store, move("receipt", 2, sequence=6))

    position = store.read_position("SKU-1", LOC)
    assert position is not None and position.on_hand == 12


def test_every_movement_write_moves_the_version_a_reservation_locks_on(store: DynamoMovementStore) -> None:
    apply(store, move("receipt", 10, sequence=1))
    before = store.read_position("SKU-1", LOC)
    apply(store, move("damage", 1, sequence=2))
    after = store.read_position("SKU-1", LOC)
    assert before is not None and after is not None and after.version == before.version + 1


def test_concurrent_batches_on_one_hot_position_lose_nothing(store: DynamoMovementStore) -> None:
    # GIVEN 4 workers each applying 3 batches of 6 receipts, and a redelivery of part of each
    from local.moto_patches import install

    install()  # DynamoDB's per-item atomicity: moto's backend alone is not atomic across threads
    apply(store, move("cycle_count", 0, sequence=0))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        barrier.wait()
        try:
            for b in range(3):
                batch = [
                    move("receipt", 1, sequence=1 + w * 100 + b * 10 + i, event=f"r-{w}-{b}-{i}") for i in range(6)
                ]
                apply(store, *batch)
                apply(store, *batch[:3])  # a redelivery of part of it
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # THEN every receipt counted exactly once
    assert not errors
    position = store.read_position("SKU-1", LOC)
    assert position is not None and position.on_hand == 4 * 3 * 6
