"""Issue 10 "Done when", in the local stack: an order the DC cannot fill alone is split by the sourcing
rules into a ship-from-DC and a ship-from-store instruction, each released once to the WMS or the
store, shipped in parts, each part pushed to the ERP and confirmed to Shopify; and a cancellation
after release is asked of the warehouse first: stopped where it can be, refused where the parcel left.

Stock through the real path (signed WMS adjustments); every delivery is at least once, so the
assertions count side effects (instructions, fulfilments, calls), never deliveries.
"""

from __future__ import annotations

import uuid
from typing import Any

from shared.models.orders import order_id_for
from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, unique
from tests.support.events import load_event

DC, STORE = "dc-east", "store-12"


def _split_order(flows: Flows) -> tuple[int, str, str, dict[str, Any]]:
    """GIVEN boots only at the DC and scarves only at the ship-from-store store, a Shopify order of both."""
    boot, scarf = unique("BOOT"), unique("SCARF")
    flows.stock(boot, 3, location_id=DC)
    flows.stock(scarf, 2, location_id=STORE)
    channel_order_id = new_shopify_order_id()
    order = shopify_order(channel_order_id, [(boot, 1), (scarf, 2)])
    seeded = flows.http.post(f"{flows.sandbox_url('shopify')}/__admin/orders", json=order)
    assert seeded.status_code == 200, seeded.text
    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    return channel_order_id, boot, scarf, order


def _wms_fulfilments(flows: Flows, order_id: str) -> dict[str, dict[str, Any]]:
    answer = flows.http.get(f"{flows.sandbox_url('wms')}/__admin/fulfilment-orders")
    return {f["location_id"]: f for f in answer.json()["fulfilments"] if f["order_id"] == order_id}


def _shipment(channel_order_id: int, location_id: str, sku: str, quantity: int, sequence: int) -> dict[str, Any]:
    shipment = load_event("wms/shipment_shipped")
    shipment.update(
        event_id=unique("wms-evt"),
        shipment_id=unique("SHP"),
        channel_order_id=str(channel_order_id),
        location_id=location_id,
        lines=[{"sku": sku, "quantity": quantity}],
        tracking_number=f"1Z{uuid.uuid4().hex[:16].upper()}",
        sequence=sequence,
    )
    return shipment


def _shopify_fulfillments(flows: Flows, tracking: set[str]) -> list[dict[str, Any]]:
    answer = flows.http.get(
        f"{flows.sandbox_url('shopify')}/__admin/requests",
        params={"method": "POST", "path": "/admin/api/2024-07/fulfillments.json"},
    )
    return [
        r
        for r in answer.json()["requests"]
        if r["status"] == 201 and r["body"]["fulfillment"]["tracking_info"]["number"] in tracking
    ]


def test_a_dc_plus_store_order_is_split_shipped_in_parts_and_confirmed_to_its_channel(flows: Flows) -> None:
    channel_order_id, boot, scarf, _ = _split_order(flows)
    order_id = order_id_for("shopify", str(channel_order_id))

    # THEN it is accepted with one instruction per location, each released to the WMS or the store once
    view = flows.order("shopify", channel_order_id)
    assert view["status"] == "ACCEPTED"
    by_location = {f["location_id"]: f for f in view["fulfilments"]}
    assert {loc: (f["method"], f["status"]) for loc, f in by_location.items()} == {
        DC: ("SHIP_FROM_DC", "RELEASED"),
        STORE: ("SHIP_FROM_STORE", "RELEASED"),
    }
    sent = _wms_fulfilments(flows, order_id)
    assert {loc: (f["kind"], f["lines"]) for loc, f in sent.items()} == {
        DC: ("warehouse_order", [{"sku": boot, "quantity": 1}]),
        STORE: ("store_task", [{"sku": scarf, "quantity": 2}]),
    }
    assert by_location[DC]["wms_id"] == sent[DC]["id"]
    assert (flows.position(boot, DC)["reserved"], flows.position(scarf, STORE)["reserved"]) == (1, 2)
    # AND the ERP sales order ships the scarves from the store, the rest from the DC
    [sales_order] = flows.erp_records(order_id)
    assert sales_order["location"] == {"externalId": DC}
    lines = {line["item"]["externalId"]: line for line in sales_order["item"]["items"]}
    assert lines[scarf]["location"] == {"externalId": STORE} and "location" not in lines[boot]

    # WHEN the store ships one scarf, then the other, and the DC the boots (one shipment delivered twice)
    parts = [
        _shipment(channel_order_id, STORE, scarf, 1, sequence=2),
        _shipment(channel_order_id, STORE, scarf, 1, sequence=3),
        _shipment(channel_order_id, DC, boot, 1, sequence=2),
    ]
    for part in parts:
        flows.accept(flows.delivery("wms", part))
    flows.accept(flows.delivery("wms", {**parts[0], "event_id": unique("wms-evt")}))
    flows.idle()

    # THEN each part is one ERP item fulfilment and one Shopify fulfillment with its tracking number
    fulfilments = flows.http.get(f"{flows.sandbox_url('erp')}/__admin/fulfillments").json()["items"]
    ours = [f for f in fulfilments if (f.get("createdFrom") or {}).get("externalId") == order_id]
    assert sorted(f["externalId"] for f in ours) == sorted(f"{order_id}-{p['shipment_id']}" for p in parts)
    confirmed = _shopify_fulfillments(flows, {p["tracking_number"] for p in parts})
    assert sorted(r["body"]["fulfillment"]["tracking_info"]["number"] for r in confirmed) == sorted(
        p["tracking_number"] for p in parts
    )
    # AND both instructions are shipped, every reserved unit consumed, on hand down by what left,
    # and the order view lists each confirmation the channel took
    view = flows.order("shopify", channel_order_id)
    told = {c["call"] for c in view["channel_calls"] if c["status"] == "SENT"}
    assert told >= {f"SHIPMENT#{p['shipment_id']}" for p in parts}
    assert {f["location_id"]: (f["status"], f["shipped"]) for f in view["fulfilments"]} == {
        DC: ("SHIPPED", {boot: 1}),
        STORE: ("SHIPPED", {scarf: 2}),
    }
    boots, scarves = flows.position(boot, DC), flows.position(scarf, STORE)
    assert (boots["on_hand"], boots["reserved"], scarves["on_hand"], scarves["reserved"]) == (2, 0, 0, 0)


def test_a_cancel_after_release_is_refused_for_the_parcel_that_left_and_done_for_the_rest(flows: Flows) -> None:
    channel_order_id, boot, scarf, order = _split_order(flows)
    order_id = order_id_for("shopify", str(channel_order_id))
    # GIVEN the DC closed the boots' parcel before the cancel came
    shipped = flows.http.post(f"{flows.sandbox_url('wms')}/__admin/fulfilment-orders/{order_id}@{DC}/ship")
    assert shipped.status_code == 200, shipped.text

    # WHEN Shopify cancels the order (delivered twice)
    answer = flows.accept(flows.shopify_cancellation(order))
    flows.accept(flows.shopify_cancellation(order))
    flows.idle()

    # THEN the store stopped the scarves, the DC refused; the order stands for what shipped
    view = flows.order("shopify", channel_order_id)
    assert view["status"] == "ACCEPTED"
    assert {f["location_id"]: f["status"] for f in view["fulfilments"]} == {DC: "CANCEL_REFUSED", STORE: "CANCELLED"}
    assert {loc: f["status"] for loc, f in _wms_fulfilments(flows, order_id).items()} == {
        DC: "SHIPPED",
        STORE: "CANCELLED",
    }
    # AND the scarves' units are given back once, the boots stay held for their shipment
    assert (flows.position(scarf, STORE)["reserved"], flows.position(boot, DC)["reserved"]) == (0, 1)
    # AND the ERP closed the scarves' line only, and the trace says why
    [sales_order] = flows.erp_records(order_id)
    closed = {line["item"]["externalId"]: bool(line.get("isClosed")) for line in sales_order["item"]["items"]}
    assert closed == {boot: False, scarf: True}
    assert sales_order.get("status") != "cancelled"
    assert ("cancel-order", "cancel_refused") in flows.timeline(answer["correlation_id"])

    # WHEN the boots' shipment arrives, it consumes their hold
    flows.accept(flows.delivery("wms", _shipment(channel_order_id, DC, boot, 1, sequence=2)))
    flows.idle()
    assert flows.position(boot, DC)["reserved"] == 0
    assert {f["location_id"]: f["status"] for f in flows.order("shopify", channel_order_id)["fulfilments"]} == {
        DC: "SHIPPED",
        STORE: "CANCELLED",
    }


def test_a_cancel_after_release_with_nothing_shipped_stops_every_part(flows: Flows) -> None:
    channel_order_id, boot, scarf, order = _split_order(flows)
    order_id = order_id_for("shopify", str(channel_order_id))

    flows.accept(flows.shopify_cancellation(order))
    flows.idle()

    view = flows.order("shopify", channel_order_id)
    assert view["status"] == "CANCELLED"
    assert {f["location_id"]: f["status"] for f in view["fulfilments"]} == {DC: "CANCELLED", STORE: "CANCELLED"}
    assert {f["status"] for f in _wms_fulfilments(flows, order_id).values()} == {"CANCELLED"}
    assert (flows.position(boot, DC)["reserved"], flows.position(scarf, STORE)["reserved"]) == (0, 0)
    [sales_order] = flows.erp_records(order_id)
    assert sales_order["status"] == "cancelled"
