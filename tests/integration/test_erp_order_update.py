"""A Shopify order's address change reaches its ERP sales order (issue 10.4), in the local stack.

GIVEN a Shopify order accepted (its sales order in the ERP sandbox)
WHEN Shopify's orders/updated moves it to Lexington, and an older orders/updated (Louisville) is
delivered after it, and the newer one again
THEN the sales order ships to Lexington: the newest address the channel sent, whatever the order of
delivery, each write traced under its update's correlation id.
"""

from __future__ import annotations

import time
from typing import Any

from shared.models.orders import order_id_for
from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, unique, wait_until


def _updated(order_id: int, sku: str, updated_at: str, city: str) -> dict[str, Any]:
    order = shopify_order(order_id, [(sku, 1)])
    order["updated_at"] = updated_at
    order["shipping_address"] = {**order["shipping_address"], "city": city}
    return order


def test_the_erp_sales_order_ships_to_the_newest_address_the_channel_sent(flows: Flows) -> None:
    sku, order_id = unique("UPDSKU"), new_shopify_order_id()
    flows.stock(sku, 5, sequence=int(time.time()))
    flows.accept(flows.shopify_delivery(shopify_order(order_id, [(sku, 1)])))
    wait_until(lambda: flows.ops(f"orders/shopify/{order_id}").json().get("status") == "ACCEPTED", timeout=60)
    ours = order_id_for("shopify", str(order_id))
    [created] = flows.erp_records(ours)
    assert created["shippingAddress"]["city"] == "Shippington"

    # WHEN the newer update, then an older one late, then the newer one again (a redelivery)
    newer = flows.shopify_delivery(_updated(order_id, sku, "2026-12-04T10:00:00-05:00", "Lexington"), "orders/updated")
    older = flows.shopify_delivery(_updated(order_id, sku, "2026-12-04T09:00:00-05:00", "Louisville"), "orders/updated")
    accepted = [flows.accept(delivery) for delivery in (newer, older)]
    flows.idle()
    assert flows.send(newer).status_code in (200, 202)
    flows.idle()

    # THEN the sales order ships to the newest address, and each sync is in the trace
    wait_until(lambda: flows.erp_records(ours)[0]["shippingAddress"]["city"] == "Lexington", timeout=30)
    [record] = flows.erp_records(ours)
    assert record["shippingAddress"]["city"] == "Lexington" and record["externalId"] == ours
    patches = flows.erp_calls(ours, method="PATCH")
    assert len(patches) >= 2  # one per OrderUpdated delivered (the redelivered webhook was a duplicate)
    for answer in accepted:
        synced = [status for hop, status in flows.timeline(answer["correlation_id"]) if hop == "erp-order-update"]
        assert synced and set(synced) == {"erp_updated"}  # at least once: a redelivery syncs again


def test_an_order_edit_that_cuts_a_line_reaches_the_stock_the_warehouse_and_the_erp_once(flows: Flows) -> None:
    # GIVEN an accepted Shopify order of 1 + 3, released to the WMS
    keep, cut = unique("EDIT-KEEP"), unique("EDIT-CUT")
    flows.stock_all({keep: 5, cut: 5})
    order_id = new_shopify_order_id()
    order = shopify_order(order_id, [(keep, 1), (cut, 3)])
    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    ours = order_id_for("shopify", str(order_id))
    assert flows.position(cut)["reserved"] == 3
    assert [f["status"] for f in flows.order("shopify", order_id)["fulfilments"]] == ["RELEASED"]

    # WHEN the merchant edits the order down to 1 of the cut line (Shopify: current_quantity), delivered twice
    edited = {**order, "updated_at": "2026-12-04T11:00:00-05:00"}
    edited["line_items"] = [
        {**item, "current_quantity": 1} if item["sku"] == cut else item for item in order["line_items"]
    ]
    delivery = flows.shopify_delivery(edited, "orders/updated")
    flows.accept(delivery)
    flows.idle()
    assert flows.send(delivery).status_code in (200, 202)
    flows.idle()

    # THEN 2 units are given back once, the warehouse has the revised instruction, the ERP the new lines
    assert (flows.position(cut)["reserved"], flows.position(keep)["reserved"]) == (1, 1)
    [instruction] = flows.order("shopify", order_id)["fulfilments"]
    assert instruction["status"] == "RELEASED" and instruction["instruction_id"].startswith(f"{ours}@dc-east~update-")
    assert {line["sku"]: line["quantity"] for line in instruction["lines"]} == {keep: 1, cut: 1}
    wms = flows.http.get(f"{flows.sandbox_url('wms')}/__admin/fulfilment-orders").json()["fulfilments"]
    statuses = {f["external_id"]: f["status"] for f in wms if f["order_id"] == ours}
    assert statuses == {f"{ours}@dc-east": "CANCELLED", instruction["instruction_id"]: "RELEASED"}
    [sales_order] = flows.erp_records(ours)
    assert {line["item"]["externalId"]: line["quantity"] for line in sales_order["item"]["items"]} == {keep: 1, cut: 1}
