"""Stock through the real flows: signed WMS events -> ingest -> inventory worker -> positions."""

from __future__ import annotations

from tests.integration.flows import (
    Flows,
    unique,
    wms_adjustment,
)
from tests.support.events import load_event


def test_a_stale_wms_update_is_ignored(flows: Flows) -> None:
    sku = unique("SKU-STALE")
    flows.stock(sku, 7, sequence=10)

    stale = flows.accept(flows.delivery("wms", wms_adjustment(sku, 99, sequence=5)))
    flows.idle()

    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"], position["last_sequence"]) == (7, 0, 10)
    assert ("inventory-worker", "ignored_stale") in flows.timeline(stale["correlation_id"])


def test_the_same_wms_event_twice_changes_nothing(flows: Flows) -> None:
    sku = unique("SKU-TWICE")
    flows.stock(sku, 4, sequence=1)
    event = wms_adjustment(sku, 9, sequence=2)
    delivery = flows.delivery("wms", event)

    first = flows.accept(delivery)
    flows.idle()
    again = flows.accept(delivery)  # the same delivery: refused at the edge as a duplicate
    # The same event sent as a new delivery (new event id): the sequence guard refuses it.
    resent = flows.accept(flows.delivery("wms", {**event, "event_id": unique("wms-evt"), "on_hand": 50}))
    flows.idle()

    assert (again["duplicate"], again["correlation_id"]) == (True, first["correlation_id"])
    position = flows.position(sku)
    assert (position["on_hand"], position["last_sequence"]) == (9, 2)
    assert ("inventory-worker", "ignored_stale") in flows.timeline(resent["correlation_id"])


def test_a_newer_wms_count_replaces_on_hand_and_keeps_the_reservation(flows: Flows) -> None:
    sku = unique("SKU-COUNT")
    flows.stock(sku, 5, sequence=1)
    flows.place_shopify_order([(sku, 2)])

    flows.stock(sku, 8, sequence=2)

    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"], position["available"]) == (8, 2, 6)


def test_a_shipment_consumes_the_orders_reservation(flows: Flows) -> None:
    sku = unique("SKU-SHIP")
    flows.stock(sku, 5, sequence=1)
    channel_order_id = flows.place_shopify_order([(sku, 2)])
    assert flows.order("shopify", channel_order_id)["status"] == "ACCEPTED"

    shipment = load_event("wms/shipment_shipped")
    shipment.update(
        event_id=unique("wms-evt"),
        sequence=2,
        shipment_id=unique("SHP"),
        channel_order_id=str(channel_order_id),
        lines=[{"sku": sku, "quantity": 2}],
    )
    flows.accept(flows.delivery("wms", shipment))
    flows.idle()

    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"], position["available"]) == (3, 0, 3)
