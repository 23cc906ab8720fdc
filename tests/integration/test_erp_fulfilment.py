"""Issue 10.2 in the local stack: each WMS shipment of an order (two partial ones here) becomes one
item fulfilment of its ERP sales order, with its lines and tracking number, exactly once however
often the shipment is delivered."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, unique
from tests.support.events import load_event


def _fulfilments(flows: Flows, order_id: str) -> list[dict[str, Any]]:
    items = flows.http.get(f"{flows.sandbox_url('erp')}/__admin/fulfillments").json()["items"]
    return [r for r in items if (r.get("createdFrom") or {}).get("externalId") == order_id]


def _shipment(channel_order_id: int, lines: list[tuple[str, int]], sequence: int) -> dict[str, Any]:
    shipment = load_event("wms/shipment_shipped")
    shipment.update(
        event_id=unique("wms-evt"),
        shipment_id=unique("SHP"),
        channel_order_id=str(channel_order_id),
        lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        tracking_number=f"1Z{uuid.uuid4().hex[:16].upper()}",
        sequence=sequence,
    )
    return shipment


def test_each_partial_shipment_is_one_erp_item_fulfilment_once_with_its_tracking(flows: Flows) -> None:
    channel_order_id = new_shopify_order_id()
    skus = [unique("FUL-A"), unique("FUL-B")]
    flows.stock_all({skus[0]: 5, skus[1]: 5})
    order = shopify_order(channel_order_id, [(skus[0], 1), (skus[1], 2)])
    flows.http.post(f"{flows.sandbox_url('shopify')}/__admin/orders", json=order)
    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    view = flows.order("shopify", channel_order_id)
    assert view["status"] == "ACCEPTED" and view["erp_sales_order_id"]

    # WHEN the WMS ships the order in two parts, and delivers the first part twice
    first = _shipment(channel_order_id, [(skus[0], 1)], sequence=2)
    second = _shipment(channel_order_id, [(skus[1], 2)], sequence=3)
    shipped = flows.accept(flows.delivery("wms", first))
    flows.accept(flows.delivery("wms", second))
    flows.accept(flows.delivery("wms", {**first, "event_id": unique("wms-evt")}))
    flows.idle()

    # THEN the ERP has two fulfilments of the sales order, one per shipment, with lines and tracking
    fulfilments = _fulfilments(flows, view["order_id"])
    assert sorted(f["externalId"] for f in fulfilments) == sorted(
        f"{view['order_id']}-{s['shipment_id']}" for s in (first, second)
    )
    by_id = {f["externalId"].rsplit("-", 1)[-1]: f for f in fulfilments}
    one = next(f for f in fulfilments if f["externalId"].endswith(first["shipment_id"]))
    assert one["item"]["items"] == [{"item": {"externalId": skus[0]}, "quantity": 1, "itemReceive": True}]
    assert one["package"]["items"][0]["packageTrackingNumber"] == first["tracking_number"]
    assert one["shipStatus"] == {"id": "C"} and len(by_id) == 2
    assert ("erp-fulfilment", "fulfilled") in flows.timeline(shipped["correlation_id"])
    # AND the ops API's order view lists both shipments with their ERP item fulfilment ids
    shipments = flows.order("shopify", channel_order_id)["shipments"]
    assert sorted(s["shipment_id"] for s in shipments) == sorted((first["shipment_id"], second["shipment_id"]))
    assert all(s["erp_item_fulfillment_id"] for s in shipments)
    assert {s["tracking_number"] for s in shipments} == {first["tracking_number"], second["tracking_number"]}
