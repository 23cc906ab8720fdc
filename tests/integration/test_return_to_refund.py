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


def _return(flows: Flows, return_id: str) -> dict[str, Any] | None:
    answer = flows.ops(f"returns/loop/{return_id}")
    return dict(answer.json()) if answer.status_code == 200 else None


def _status(flows: Flows, return_id: str) -> str | None:
    found = _return(flows, return_id)
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
