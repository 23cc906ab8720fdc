"""A Loop return taken through to its refund in the local stack (issue 9), every outside system a
sandbox: ERP return authorization and credit memo, Shopify refund, Loop told, stock restocked.

GIVEN a Shopify order accepted through its webhook (in the ERP as a sales order) and Loop's
`return.created` for one of its units
WHEN the warehouse has not inspected yet
THEN the return waits: authorized in the ERP, nothing refunded, nothing back in stock
WHEN the warehouse's `return.inspected` arrives (resellable), and then it and Loop's webhook are
delivered again
THEN one credit memo, one Shopify refund naming the order's line item, Loop's return processed once,
the unit back on hand at the inspecting location, and the return REFUNDED in the ops API.
"""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any

from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, unique, wait_until
from tests.support.events import load_event

SKU = "IPOD2008BLACK"


def _loop_return(return_id: str, channel_order_id: int) -> dict[str, Any]:
    event = load_event("loop/return_created")
    event["id"] = return_id
    event["provider_order_id"] = event["provider_order_external_id"] = str(channel_order_id)
    return event


def _inspection(return_id: str) -> dict[str, Any]:
    event = load_event("wms/return_inspected")
    event.update(event_id=unique("wms-evt"), sequence=int(time.time()), return_id=f"loop:{return_id}")
    return event


def _return(flows: Flows, return_id: str, source: str = "loop") -> dict[str, Any] | None:
    answer = flows.ops(f"returns/{source}/{return_id}")
    return dict(answer.json()) if answer.status_code == 200 else None


def _status(flows: Flows, return_id: str, source: str = "loop") -> str | None:
    found = _return(flows, return_id, source)
    return str(found["status"]) if found else None


def test_a_loop_return_is_refunded_once_only_after_inspection(flows: Flows) -> None:
    erp, shopify, loop = flows.stack.sandboxes.erp, flows.stack.sandboxes.shopify, flows.stack.sandboxes.loop
    order_id = new_shopify_order_id()
    return_id = str(900_000 + uuid.uuid4().int % 100_000_000)
    flows.stock(SKU, 40, sequence=int(time.time()))
    flows.accept(flows.shopify_delivery(shopify_order(order_id, [(SKU, 2)])))
    wait_until(lambda: flows.ops(f"orders/shopify/{order_id}").json().get("status") == "ACCEPTED", timeout=60)
    on_hand_before = flows.position(SKU)["on_hand"]

    # WHEN Loop's return.created arrives and nobody has inspected the goods yet
    loop_delivery = flows.delivery("loop", _loop_return(return_id, order_id), load_event_headers())
    flows.accept(loop_delivery)
    mine = f"loop:{return_id}"
    wait_until(lambda: any(r["externalId"] == mine for r in erp.records("returnAuthorization")), timeout=60)

    # THEN authorized in the ERP, and nothing refunded or restocked
    assert _status(flows, return_id) == "AWAITING_INSPECTION"
    assert [r["externalId"] for r in erp.records("returnAuthorization") if r["externalId"] == mine] == [mine]
    assert not [m for m in erp.records("creditMemo") if m["externalId"] == f"refund-{mine}"]
    assert not [r for r in shopify.state()["refunds"] if r["order_id"] == order_id]
    assert flows.position(SKU)["on_hand"] == on_hand_before

    # WHEN the warehouse inspects it (resellable), and everything is delivered again
    inspection = flows.delivery("wms", _inspection(return_id))
    flows.accept(inspection)
    wait_until(lambda: _status(flows, return_id) in ("REFUNDED", "EXCEPTION"), timeout=90)
    assert flows.send(inspection).status_code in (200, 202)
    assert flows.send(loop_delivery).status_code in (200, 202)
    flows.idle()

    # THEN one credit memo, one Shopify refund on the order's line, Loop told once, the unit on hand
    answer = _return(flows, return_id)
    assert answer is not None and answer["status"] == "REFUNDED", answer
    assert [line["disposition"] for line in answer["lines"]] == ["RESTOCK"]
    memos = [m for m in erp.records("creditMemo") if m["externalId"] == f"refund-{mine}"]
    assert len(memos) == 1 and memos[0]["createdFrom"] == {"externalId": mine}
    refunds = [r for r in shopify.state()["refunds"] if r["order_id"] == order_id]
    assert len(refunds) == 1
    assert refunds[0]["refund_line_items"] == [
        {"line_item_id": order_id * 10, "quantity": 1, "restock_type": "no_restock"}
    ]
    assert refunds[0]["transactions"][0]["amount"] == answer["refund"]["amount"]
    assert answer["refund"]["erp_credit_memo_id"] == memos[0]["id"]
    assert answer["refund"]["channel_refund_id"] == str(refunds[0]["id"])
    assert loop.states().get(return_id) == "processed"
    wait_until(lambda: flows.position(SKU)["on_hand"] == on_hand_before + 1, timeout=30)


def load_event_headers() -> dict[str, str]:
    from tests.support.events import load_headers

    return load_headers("loop/return_created")


def _walmart_po(purchase_order_id: str, skus: dict[str, str]) -> dict[str, Any]:
    """The Orders API's answer for a new PO of this test's own SKUs (the fixture's renamed: other
    tests count the fixture SKUs' stock), its lines shipped (only shipped lines can be refunded)."""
    order = copy.deepcopy(load_event("walmart/get_order_response")["order"])
    order["purchaseOrderId"] = purchase_order_id
    for line in order["orderLines"]["orderLine"]:
        line["item"]["sku"] = skus[line["item"]["sku"]]
        for entry in line["orderLineStatuses"]["orderLineStatus"]:
            entry["status"] = "Shipped"
    return dict(order)


def _walmart_event(fixture: str, purchase_order_id: str, skus: dict[str, str], **return_fields: str) -> dict[str, Any]:
    event = load_event(fixture)
    event["source"]["eventId"] = str(uuid.uuid4())
    payload = event["payload"]
    if "returnOrders" in payload:
        returned = payload["returnOrders"][0]
        returned.update(purchaseOrderId=purchase_order_id, sku=skus[returned["sku"]], **return_fields)
    else:
        payload["purchaseOrderId"] = purchase_order_id
        for line in payload["orderLines"]:
            line["sku"] = skus[line["sku"]]
    return event


def test_a_seller_fulfilled_walmart_return_is_refunded_through_walmart_once_after_inspection(flows: Flows) -> None:
    walmart = flows.stack.sandboxes.marketplace
    purchase_order_id = str(1_700_000_000_000 + uuid.uuid4().int % 99_999_999_999)
    return_id = str(98_000_000_000_000 + uuid.uuid4().int % 999_999_999_999)
    skus = {"IPOD2008PINK": unique("SKU-WM-PINK"), "IPOD2008GREEN": unique("SKU-WM-GREEN")}
    flows.stock_all(dict.fromkeys(skus.values(), 40))
    walmart.seed_orders([_walmart_po(purchase_order_id, skus)])
    flows.accept(flows.delivery("walmart", _walmart_event("walmart/po_created", purchase_order_id, skus)))
    wait_until(lambda: flows.ops(f"orders/walmart/{purchase_order_id}").json().get("status") == "ACCEPTED", timeout=60)

    # WHEN Walmart's RETURN_CREATED arrives ("refundStatus": "Non Refunded": the seller refunds)
    flows.accept(
        flows.delivery(
            "walmart", _walmart_event("walmart/return_created", purchase_order_id, skus, returnOrderId=return_id)
        )
    )
    wait_until(lambda: _status(flows, return_id, "walmart") == "AWAITING_INSPECTION", timeout=60)
    refunds = [e for e in walmart.journal() if e["path"] == f"/v3/orders/{purchase_order_id}/refund"]
    assert refunds == []  # nothing refunded before the inspection

    # WHEN the warehouse inspects it, and the inspection is delivered again
    inspected = load_event("wms/return_inspected")
    inspected.update(
        event_id=unique("wms-evt"),
        sequence=int(time.time()),
        return_id=f"walmart:{return_id}",
        lines=[{"sku": skus["IPOD2008PINK"], "quantity": 1, "condition": "resellable"}],
    )
    inspection = flows.delivery("wms", inspected)
    flows.accept(inspection)
    wait_until(lambda: _status(flows, return_id, "walmart") in ("REFUNDED", "EXCEPTION"), timeout=90)
    assert flows.send(inspection).status_code in (200, 202)
    flows.idle()

    # THEN Walmart refunded line 1 once, by the amounts ReturnFlow computed, and the return says so
    answer = flows.ops(f"returns/walmart/{return_id}").json()
    assert answer["status"] == "REFUNDED", answer
    [post] = [
        e for e in walmart.journal() if e["method"] == "POST" and e["path"] == f"/v3/orders/{purchase_order_id}/refund"
    ]
    [line] = post["body"]["orderRefund"]["orderLines"]["orderLine"]
    charge = line["refunds"]["refund"][0]["refundCharges"]["refundCharge"][0]["charge"]
    refunded = -(charge["chargeAmount"]["amount"] + charge["tax"]["taxAmount"]["amount"])
    assert line["lineNumber"] == "1" and f"{refunded:.2f}" == answer["refund"]["amount"]
    stored = walmart.order(purchase_order_id)
    assert (
        stored is not None
        and stored["orderLines"]["orderLine"][0]["refund"]["refundId"] == (answer["refund"]["channel_refund_id"])
    )


def test_a_loop_exchange_ships_its_replacement_through_orderflow_once_and_refunds_only_the_other_unit(
    flows: Flows,
) -> None:
    erp, shopify = flows.stack.sandboxes.erp, flows.stack.sandboxes.shopify
    black, pink = unique("EXC-BLACK"), unique("EXC-PINK")
    order_id = new_shopify_order_id()
    return_id = str(800_000 + uuid.uuid4().int % 100_000_000)
    flows.stock_all({black: 10, pink: 10}, sequence=int(time.time()))
    flows.accept(flows.shopify_delivery(shopify_order(order_id, [(black, 2)])))
    wait_until(lambda: flows.ops(f"orders/shopify/{order_id}").json().get("status") == "ACCEPTED", timeout=60)
    pink_before = flows.position(pink)

    # GIVEN Loop's return.created for both units: one refunded, one exchanged for the pink variant
    event = load_event("loop/return_created_exchange")
    event["id"] = return_id
    event["provider_order_id"] = event["provider_order_external_id"] = str(order_id)
    for item in event["line_items"]:
        item["sku"] = black
    event["exchanges"][0]["sku"] = pink
    loop_delivery = flows.delivery("loop", event, load_event_headers())
    flows.accept(loop_delivery)
    mine = f"loop:{return_id}"
    wait_until(lambda: _status(flows, return_id) == "AWAITING_INSPECTION", timeout=60)
    # THEN nothing ships before the goods are inspected
    assert flows.ops(f"orders/loop/{return_id}-exchange").status_code == 404

    # WHEN the warehouse finds both units resellable, and everything is delivered again
    inspection = _inspection(return_id)
    inspection["lines"] = [{"sku": black, "quantity": 2, "condition": "resellable"}]
    inspection_delivery = flows.delivery("wms", inspection)
    flows.accept(inspection_delivery)
    wait_until(lambda: _status(flows, return_id) in ("REFUNDED", "EXCEPTION"), timeout=90)
    assert flows.send(inspection_delivery).status_code in (200, 202)
    assert flows.send(loop_delivery).status_code in (200, 202)
    flows.idle()

    # THEN one unit is refunded on Shopify, both are credited in one ERP memo
    answer = _return(flows, return_id)
    assert answer is not None and answer["status"] == "REFUNDED", answer
    refunds = [r for r in shopify.state()["refunds"] if r["order_id"] == order_id]
    assert len(refunds) == 1 and refunds[0]["refund_line_items"][0]["quantity"] == 1
    assert refunds[0]["transactions"][0]["amount"] == answer["refund"]["amount"]
    exchange = answer["exchange"]
    assert exchange["status"] == "ORDERED" and exchange["lines"] == [{"sku": pink, "quantity": 1}]
    assert exchange["credit"] == answer["refund"]["amount"]  # the same unit price, tax and discount
    [memo] = [m for m in erp.records("creditMemo") if m["externalId"] == f"refund-{mine}"]
    assert len(memo["item"]["items"]) == 2 and exchange["order_id"] in memo["memo"]

    # AND the replacement is an order OrderFlow accepted once: reserved, in the ERP, in the return's trace
    wait_until(lambda: flows.ops(f"orders/loop/{return_id}-exchange").json().get("status") == "ACCEPTED", timeout=60)
    replacement = flows.ops(f"orders/loop/{return_id}-exchange").json()
    assert replacement["order_id"] == exchange["order_id"]
    assert replacement["correlation_id"] == answer["correlation_id"]
    # one sales order (an upsert by our id: a step run again, as AWS may, writes the same record)
    assert len(flows.erp_records(exchange["order_id"])) == 1
    assert flows.position(pink)["reserved"] == pink_before["reserved"] + 1
    hops = [status for hop, status in flows.timeline(answer["correlation_id"]) if hop == "return-flow"]
    assert hops.count("replacement_ordered") == 1
