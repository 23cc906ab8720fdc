"""The inventory worker on a whole SQS batch: WMS movements aggregated per position (moto)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.inventory.dal.movements import DynamoMovementStore
from functions.inventory.dal.positions import DynamoPositionStore
from functions.inventory.handlers.inventory_worker import lambda_handler
from functions.inventory.logic.batch import InventoryBatch
from functions.inventory.logic.intake import HOP, InventoryIntake
from shared.adapters.trace_store import MemoryTraceStore
from shared.envelope_worker import EnvelopeWorker
from shared.models import Envelope
from shared.retry import RetryPolicy
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import LambdaContext, sqs_event, sqs_record
from tests.fakes.ports import FakeEventBus, PassThroughPayloads
from tests.support.events import load_event

LOC = "dc-east"
STORE = "D7AVYMEAPJ3A3"


def wms_record(body: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
    envelope = Envelope.model_validate(
        {
            "event_id": body["event_id"],
            "source": "wms",
            "event_type": body["event_type"],
            "domain": "inventory",
            "delivery_id": body["event_id"],
            "correlation_id": f"corr-{body['event_id']}",
            "payload": body,
        }
    )
    return sqs_record(envelope.model_dump_json(), message_id=message_id or f"m-{body['event_id']}")


def moved(n: int, movement: str = "receipt", **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"wms-evt-{n:06d}",
        "event_type": "inventory.moved",
        "sequence": n,
        "movement": movement,
        "location_id": LOC,
        "sku": "IPOD2008PINK",
        "quantity": 1,
        "occurred_at": "2026-11-23T12:00:00Z",
        **fields,
    }


class World:
    def __init__(self, dynamodb: Any) -> None:
        self.bus = FakeEventBus()
        self.trace = MemoryTraceStore()
        self.positions = DynamoPositionStore(STATE_TABLE, client=dynamodb)
        intake = InventoryIntake(
            self.positions,
            self.bus,
            self.trace,
            PassThroughPayloads(),
            retry=RetryPolicy(sleep=lambda _: None),
            movements=DynamoMovementStore(STATE_TABLE, client=dynamodb),
        )
        self.batch = InventoryBatch(EnvelopeWorker(HOP, intake.process, self.trace), intake)

    def deliver(self, *records: dict[str, Any]) -> list[str]:
        response = lambda_handler(sqs_event(*records), LambdaContext(), worker=self.batch)
        return [str(item["itemIdentifier"]) for item in response["batchItemFailures"]]

    def position(self, location_id: str = LOC) -> Any:
        return self.positions.get_positions(location_id, ["IPOD2008PINK"])["IPOD2008PINK"]

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.trace.entries]


@pytest.fixture
def world(dynamodb: Any) -> World:
    return World(dynamodb)


def test_the_wms_movement_fixtures_replay_into_the_expected_positions(world: World) -> None:
    names = [
        "movement_receipt",
        "movement_pick",
        "movement_transfer_out",
        "movement_damage",
        "movement_return_to_stock",
        "movement_transfer_in",
    ]
    assert world.deliver(*(wms_record(load_event(f"wms/{n}")) for n in names)) == []
    dc, store = world.position(), world.position(STORE)
    # 24 received - 2 picked - 6 transferred + 1 returned; 1 damaged stays on hand
    assert (dc.on_hand, dc.damaged, dc.available) == (17, 1, 16)
    assert (store.on_hand, store.in_transit) == (6, 0)

    assert world.deliver(wms_record(load_event("wms/movement_cycle_count"))) == []
    assert world.deliver(wms_record(load_event("wms/movement_adjustment"))) == []
    assert world.deliver(wms_record(load_event("wms/movement_safety_stock"))) == []
    assert world.deliver(wms_record(load_event("wms/movement_store_sale"))) == []
    dc, store = world.position(), world.position(STORE)
    assert (dc.on_hand, dc.safety_stock, dc.available) == (56, 3, 52)
    assert store.on_hand == 5


def test_a_batch_for_one_hot_sku_publishes_one_change_per_position(world: World) -> None:
    records = [wms_record(moved(n)) for n in range(1, 26)]

    assert world.deliver(*records) == []

    assert world.position().on_hand == 25
    [event] = world.bus.events
    assert event.detail_type == "InventoryChanged"
    assert event.detail["on_hand"] == 25 and len(event.detail["cause"]["event_ids"]) == 25
    assert world.statuses().count("applied") == 25


def test_a_redelivered_batch_changes_nothing_and_is_traced_as_duplicate(world: World) -> None:
    records = [wms_record(moved(n)) for n in range(1, 6)]
    world.deliver(*records)

    assert world.deliver(*records) == []

    assert world.position().on_hand == 5
    assert world.statuses().count("duplicate") == 5


def test_an_older_cycle_count_in_a_later_batch_is_ignored(world: World) -> None:
    world.deliver(wms_record(moved(10, "cycle_count", on_hand=40, quantity=None)))
    world.deliver(wms_record(moved(12, "store_sale", quantity=3)))

    assert world.deliver(wms_record(moved(11, "cycle_count", on_hand=99, quantity=None))) == []

    assert world.position().on_hand == 37
    assert world.statuses()[-1] == "ignored_stale"


def test_adjustments_and_movements_in_one_batch_both_apply(world: World) -> None:
    adjusted = load_event("wms/inventory_adjusted")  # absolute on_hand 40 at sequence 101
    records = [wms_record(adjusted), wms_record(moved(150, quantity=2))]

    assert world.deliver(*records) == []

    assert world.position().on_hand == 42


def test_a_record_that_does_not_parse_fails_alone(world: World) -> None:
    bad = sqs_record(json.dumps({"not": "an envelope"}), message_id="m-bad")

    assert world.deliver(bad, wms_record(moved(1))) == ["m-bad"]
    assert world.position().on_hand == 1


def test_a_position_that_cannot_be_written_fails_only_its_records(world: World, dynamodb: Any) -> None:
    class Refusing(DynamoMovementStore):
        def apply_group(self, sku: str, location_id: str, effects: Any, at: Any) -> Any:
            if location_id == STORE:
                from shared.errors import ConcurrentModification

                raise ConcurrentModification("kept racing")
            return super().apply_group(sku, location_id, effects, at)

    world.batch.intake.movements = Refusing(STATE_TABLE, client=dynamodb)  # type: ignore[union-attr]

    failures = world.deliver(wms_record(moved(1)), wms_record(moved(2, location_id=STORE)))

    assert failures == ["m-wms-evt-000002"]
    assert world.position().on_hand == 1


def test_a_bus_outage_retries_the_records_and_the_retry_publishes_without_applying_twice(world: World) -> None:
    from shared.adapters.event_bus import EventPublishFailed

    published = world.bus.publish

    def refuse(events: Any) -> None:
        raise EventPublishFailed("bus down")

    world.bus.publish = refuse  # type: ignore[method-assign]
    records = [wms_record(moved(n)) for n in range(1, 4)]

    assert sorted(world.deliver(*records)) == ["m-wms-evt-000001", "m-wms-evt-000002", "m-wms-evt-000003"]

    world.bus.publish = published  # type: ignore[method-assign]
    assert world.deliver(*records) == []
    assert world.position().on_hand == 3
    [event] = world.bus.events
    assert event.detail["on_hand"] == 3


def shipped(n: int, quantity: int = 1, shipment_id: str | None = None) -> dict[str, Any]:
    event = load_event("wms/shipment_shipped")
    event.update(
        event_id=f"wms-evt-{n:06d}",
        sequence=n,
        shipment_id=shipment_id or f"SHP-{n}",
        lines=[{"sku": "IPOD2008PINK", "quantity": quantity}],
    )
    return event


def test_a_shipment_delivered_after_a_newer_receipt_still_takes_its_units(world: World) -> None:
    world.deliver(wms_record(moved(10, "cycle_count", on_hand=10, quantity=None)))
    world.deliver(wms_record(moved(13, quantity=5)))

    assert world.deliver(wms_record(shipped(12, quantity=2))) == []

    assert world.position().on_hand == 13  # 10 counted + 5 received - 2 shipped


def test_a_repeated_shipment_takes_its_units_once(world: World) -> None:
    world.deliver(wms_record(moved(10, "cycle_count", on_hand=10, quantity=None)))
    shipment = wms_record(shipped(12, quantity=2))
    world.deliver(shipment)
    world.deliver(wms_record(moved(14, quantity=1)))

    # WHEN it is delivered again (this worker keeps no idempotency record: only the marker stops it)
    assert world.deliver(wms_record(shipped(12, quantity=2), message_id="m-again")) == []

    # THEN 10 - 2 + 1, not 10 - 2 - 2 + 1
    assert world.position().on_hand == 9
