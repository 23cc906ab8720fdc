"""Buy online, return in store (issue 9.4): a Shopify order's unit brought back to a franchise store,
on the store's nightly POS file as a RETURN row naming the online order.

GIVEN a Shopify order accepted through its webhook
WHEN the store's POS file carries the RETURN (`original_order` shopify:<id>) and the store inspects it
THEN ReturnFlow runs for that Shopify order: authorized and credited in the ERP once, the unit back on
hand at the store (not the DC), and no Shopify refund (the till paid the customer back).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import boto3

from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, unique, wait_until
from tests.support.events import load_event

STORE = "franchise-0042"
SKU = "IPOD2008BLACK"
HEADER = (
    "store_id,business_date,transaction_id,line_number,sold_at,sku,description,"
    "quantity,unit_price,discount,tax,currency,transaction_type,original_order\n"
)


def _return(flows: Flows, return_id: str) -> dict[str, Any] | None:
    answer = flows.ops(f"returns/pos/{return_id}")
    return dict(answer.json()) if answer.status_code == 200 else None


def test_an_online_order_returned_at_a_store_is_credited_once_and_restocked_at_the_store(flows: Flows) -> None:
    erp, shopify = flows.stack.sandboxes.erp, flows.stack.sandboxes.shopify
    order_id = new_shopify_order_id()
    flows.stock(SKU, 40, sequence=int(time.time()))
    flows.accept(flows.shopify_delivery(shopify_order(order_id, [(SKU, 2)])))
    wait_until(lambda: flows.ops(f"orders/shopify/{order_id}").json().get("status") == "ACCEPTED", timeout=60)
    store_on_hand = flows.position(SKU, STORE)["on_hand"] if _at_store(flows) else 0

    # WHEN the store's nightly file carries the return (rung up at 10:15 Chicago time, within the window)
    transaction = f"R{uuid.uuid4().hex[:8].upper()}"
    csv = HEADER + (
        f"{STORE},2022-01-03,{transaction},1,2022-01-03 10:15:00,{SKU},iPod nano,1,199.00,,11.94,USD,RETURN,"
        f"shopify:{order_id}\n"
    )
    boto3.client("s3").put_object(
        Bucket=flows.stack.physical_id("PosFilesBucket"),
        Key=f"incoming/{STORE}/{uuid.uuid4().hex[:8]}/2022-01-03.csv",
        Body=csv.encode(),
    )
    return_id = f"{STORE}-{transaction}"
    key = f"pos:{return_id}"
    wait_until(lambda: any(r["externalId"] == key for r in erp.records("returnAuthorization")), timeout=90)

    # ... and the store inspects it (resellable)
    inspection = load_event("wms/return_inspected")
    inspection.update(event_id=unique("wms-evt"), sequence=int(time.time()), return_id=key, location_id=STORE)
    flows.accept(flows.delivery("wms", inspection))
    wait_until(lambda: (_return(flows, return_id) or {}).get("status") in ("REFUNDED", "EXCEPTION"), timeout=90)
    flows.idle()

    # THEN credited once in the ERP, no Shopify refund, the unit on hand at the store
    answer = _return(flows, return_id)
    assert answer is not None and answer["status"] == "REFUNDED", answer
    assert (answer["channel"], answer["channel_order_id"]) == ("shopify", str(order_id))
    assert answer["refund"]["status"] == "REFUNDED_BY_CHANNEL" and answer["refund"]["channel_refund_id"] is None
    assert len([m for m in erp.records("creditMemo") if m["externalId"] == f"refund-{key}"]) == 1
    assert not [r for r in shopify.state()["refunds"] if r["order_id"] == order_id]
    wait_until(lambda: flows.position(SKU, STORE)["on_hand"] == store_on_hand + 1, timeout=30)


def _at_store(flows: Flows) -> bool:
    answer = flows.ops(f"inventory/{SKU}")
    return answer.status_code == 200 and any(p["location_id"] == STORE for p in answer.json()["locations"])
