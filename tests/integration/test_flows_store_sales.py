"""Till sales through the real flows (moto): a POS nightly file -> POS files function -> orders queue ->
worker -> OrderFlow (ReserveStock sells at the store, no reservation) -> ERP sandbox -> ops API.

What each kind of sale does to stock, read from the outside: a franchise till sale lowers on hand
at its store once and is never ON_HOLD; units our count did not hold are an open reconciliation
exception (`sale_exceeded_count`); the same file dropped again changes nothing.
"""

from __future__ import annotations

import uuid

import boto3

from shared.models import order_id_for
from tests.integration.flows import Flows, unique, wms_adjustment

STORE = "franchise-0042"  # a store with a configured time zone (America/Chicago)
HEADER = (
    "store_id,business_date,transaction_id,line_number,sold_at,sku,description,"
    "quantity,unit_price,discount,tax,currency,transaction_type\n"
)


def test_a_franchise_till_sale_lowers_on_hand_at_its_store_once_and_is_never_on_hold(flows: Flows) -> None:
    # GIVEN the WMS counted 1 unit of `covered` at the store (09:00 UTC) and none of `missing`
    covered, missing = unique("SKU-TILL"), unique("SKU-NONE")
    flows.accept(flows.delivery("wms", wms_adjustment(covered, 1, sequence=1, location_id=STORE)))
    flows.idle()
    transaction = f"T{uuid.uuid4().hex[:8].upper()}"
    # rung up at 10:15 in Chicago (16:15 UTC), after the count: 1 covered + 2 the store had none of
    csv = HEADER + "".join(
        f"{STORE},2026-11-23,{transaction},{line},2026-11-23 10:15:00,{sku},Thing,{quantity},10.00,,0.83,USD,SALE\n"
        for line, sku, quantity in ((1, covered, 1), (2, missing, 2))
    )
    s3 = boto3.client("s3")
    bucket = flows.stack.physical_id("PosFilesBucket")
    key = f"incoming/{STORE}/{uuid.uuid4().hex[:8]}/2026-11-23.csv"

    # WHEN the nightly file is dropped, then dropped again
    s3.put_object(Bucket=bucket, Key=key, Body=csv.encode())
    flows.idle()
    s3.put_object(Bucket=bucket, Key=key, Body=csv.encode())
    flows.idle()

    # THEN the sale is accepted and in the ERP once, never held
    channel_order_id = f"{STORE}-{transaction}"
    order = flows.order("pos", channel_order_id)
    assert order["status"] == "ACCEPTED" and order["erp_sales_order_id"]
    assert len(flows.erp_records(order_id_for("pos", channel_order_id))) == 1
    timeline = flows.timeline(order["correlation_id"])
    assert ("reserve-stock", "sold_at_store") in timeline and ("reserve-stock", "on_hold") not in timeline
    # on hand fell at the store, nothing reserved; never below zero
    assert [flows.position(sku, STORE)[k] for sku in (covered, missing) for k in ("on_hand", "reserved")] == [
        0,
        0,
        0,
        0,
    ]
    # the 2 units sold beyond the count are one open variance for reconciliation
    answer = flows.ops("exceptions?kind=reconciliation&status=open&limit=100")
    assert answer.status_code == 200, answer.text
    [variance] = [e for e in answer.json()["exceptions"] if e["sku"] == missing]
    assert (variance["location_id"], variance["source"], variance["units"]) == (STORE, "pos", -2)
    assert variance["reason"].startswith("sale_exceeded_count")
    assert not [e for e in answer.json()["exceptions"] if e["sku"] == covered]
