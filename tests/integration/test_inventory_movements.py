"""Inventory movements through the local stack: signed WMS webhooks -> ingest -> inventory queue ->
the worker aggregating per position -> positions read back through the ops API; and the scheduled
reservation-expiry sweep giving an abandoned order's stock back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from local.stack import LocalStack
from shared.adapters.state_store import reservation_key, to_dynamo
from tests.integration.flows import (
    Flows,
    close_flows,
    open_flows,
    shopify_order_id,
    unique,
)
from tests.support.events import load_event

STORE = "D7AVYMEAPJ3A3"


@pytest.fixture
def flows(local_stack: LocalStack) -> Iterator[Flows]:
    driver = open_flows(local_stack)
    yield driver
    close_flows(driver)


def moved(fixture: str, sku: str, sequence: int, **changes: Any) -> dict[str, Any]:
    """A WMS movement fixture as another event: new event id and SKU, its own sequence."""
    event = load_event(f"wms/{fixture}")
    event.update(event_id=unique("wms-evt"), sku=sku, sequence=sequence, **changes)
    return event


def test_wms_movements_build_every_state_of_a_position_and_an_older_count_changes_nothing(flows: Flows) -> None:
    sku = unique("SKU-MOVE")
    flows.accept(flows.delivery("wms", moved("movement_cycle_count", sku, 10, on_hand=20)))
    flows.idle()
    events = [
        moved("movement_receipt", sku, 13, quantity=10),
        moved("movement_damage", sku, 14, quantity=2),
        moved("movement_transfer_out", sku, 15, quantity=5),
        moved("movement_safety_stock", sku, 16, safety_stock=1),
    ]
    deliveries = [flows.delivery("wms", event) for event in events]

    # WHEN the WMS sends the movements after the count all at once (applied in any order, in one
    # batch or several)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(flows.send, deliveries))
    assert [a.status_code for a in answers] == [202] * 4
    flows.idle()

    # THEN 20 counted + 10 received - 5 sent away; 2 damaged and 1 safety stock are not available
    dc = flows.position(sku)
    assert (dc["on_hand"], dc["reserved"], dc["available"]) == (25, 0, 22)
    store = flows.position(sku, STORE)
    assert (store["on_hand"], store["available"]) == (0, 0)  # the transfer is in transit, not available

    # WHEN a cycle count taken before the receipt arrives late, and a movement is delivered again
    late = flows.accept(flows.delivery("wms", moved("movement_cycle_count", sku, 12, on_hand=99)))
    again = flows.accept(deliveries[0])
    flows.idle()

    # THEN neither changes anything
    assert again["duplicate"] is True
    assert flows.position(sku)["on_hand"] == 25
    assert ("inventory-worker", "ignored_stale") in flows.timeline(late["correlation_id"])


def test_the_transfer_arrives_at_the_store_and_becomes_available_there(flows: Flows) -> None:
    sku = unique("SKU-XFER")
    flows.accept(flows.delivery("wms", moved("movement_receipt", sku, 1, quantity=8)))
    flows.accept(flows.delivery("wms", moved("movement_transfer_out", sku, 2, quantity=3)))
    flows.idle()
    arrived = flows.accept(flows.delivery("wms", moved("movement_transfer_in", sku, 3, quantity=3)))
    flows.idle()

    assert flows.position(sku)["on_hand"] == 5
    store = flows.position(sku, STORE)
    assert (store["on_hand"], store["available"]) == (3, 3)
    assert ("inventory-worker", "applied") in flows.timeline(arrived["correlation_id"])


def test_an_abandoned_orders_hold_is_released_by_the_scheduled_sweep(flows: Flows) -> None:
    # GIVEN an order holding 2 of 5 units
    sku = unique("SKU-EXPIRE")
    flows.stock(sku, 5)
    channel_order_id = flows.place_shopify_order([(sku, 2)])
    assert flows.position(sku)["reserved"] == 2

    # WHEN its hold has ended (moved into the past here instead of waiting 7 days) and the schedule fires
    boto3.client("dynamodb").update_item(
        TableName=flows.stack.physical_id("StateTable"),
        Key=to_dynamo(reservation_key(shopify_order_id(channel_order_id))),
        UpdateExpression="SET hold_expires_at = :past",
        ExpressionAttributeValues=to_dynamo({":past": int(time.time()) - 1}),
    )
    [result] = flows.stack.fire_schedule("ReservationExpiry")
    flows.idle()

    # THEN the units are available again, and a second run releases nothing more
    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"], position["available"]) == (5, 0, 5)
    [again] = flows.stack.fire_schedule("ReservationExpiry")
    order_id = shopify_order_id(channel_order_id)
    assert not result.errored and result.payload["released"][order_id] == {sku: 2}
    assert not again.errored and order_id not in again.payload["released"]
    assert flows.position(sku)["reserved"] == 0
