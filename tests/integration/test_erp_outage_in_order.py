"""An ERP outage with orders arriving all through it (issue 10, "Done when"): every order is accepted
at the webhook, parked safely, and once the ERP is back the ParkedOrdersReplay schedule posts every one
to the ERP exactly once and in the order accepted, with no operator.

`make test` runs a sample: `CHAOS_ORDERS` (6) orders sent as fast as the webhook takes them while the
ERP is down. `make chaos` runs the real thing: 200 orders spread over a 10-minute outage
(`CHAOS_OUTAGE_SECONDS=600`), the schedule firing every minute as its clock would.

The order is checked in the ERP itself: the sandbox numbers sales orders as it creates them, so the
internal ids must rise in the order the webhooks were accepted. Orders that arrive after the ERP is
back but before the replay ran must not overtake the parked ones: they join the back of the ERP
backlog and are posted after them.
"""

from __future__ import annotations

import os
import time
from typing import Any

import boto3

from shared.adapters.erp_gateway import BACKLOG_SK, PK
from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, shopify_order_id, unique

ORDERS = int(os.environ.get("CHAOS_ORDERS", "6"))
OUTAGE_SECONDS = float(os.environ.get("CHAOS_OUTAGE_SECONDS", "0"))
SCHEDULE_EVERY_SECONDS = 60.0  # ParkedOrdersReplay's rate (infra/constants.py PARKED_REPLAY_MINUTES)
ERP_LIMIT = 5


def _replay_tick(flows: Flows) -> dict[str, Any]:
    """One tick of the ParkedOrdersReplay schedule's clock."""
    [run] = flows.stack.fire_schedule("ParkedOrdersReplaySchedule")
    assert not run.errored, run.error
    payload: dict[str, Any] = run.payload
    return payload


def _backlog_open(flows: Flows) -> bool:
    item = boto3.client("dynamodb").get_item(
        TableName=flows.stack.physical_id("StateTable"),
        Key={"pk": {"S": PK}, "sk": {"S": BACKLOG_SK}},
        ConsistentRead=True,
    )
    return "last_parked_at" in item.get("Item", {})


def test_orders_taken_during_an_erp_outage_reach_the_erp_once_each_in_the_order_accepted(flows: Flows) -> None:
    skus = [unique("SKU-OUTAGE") for _ in range(ORDERS + 2)]
    flows.stock_all(dict.fromkeys(skus, 3))
    orders = [shopify_order(new_shopify_order_id(), [(sku, 1)]) for sku in skus]
    during, after = orders[:ORDERS], orders[ORDERS:]
    pace = OUTAGE_SECONDS / ORDERS if OUTAGE_SECONDS else 0.0

    # GIVEN the ERP goes down and orders keep arriving all through the outage
    flows.faults("erp", {"outage": True})
    try:
        started = last_tick = time.monotonic()
        for order in during:
            flows.accept(flows.shopify_delivery(order))  # 202: accepted whatever the ERP's state
            time.sleep(pace)
            if time.monotonic() - last_tick >= SCHEDULE_EVERY_SECONDS:
                assert _replay_tick(flows)["erp"] == "down"  # the clock's ticks meanwhile change nothing
                last_tick = time.monotonic()
        flows.idle(120)
        # THEN each is parked (ERP_FAILED), none is lost, and the ERP backlog is open
        assert flows.queue_depth("OrdersParkingQueue") == ORDERS
        assert {flows.order("shopify", o["id"])["status"] for o in during} == {"ERP_FAILED"}
        assert _backlog_open(flows)
        assert _replay_tick(flows) == {"erp": "down", "replayed": 0}
        outage = time.monotonic() - started
    finally:
        flows.faults("erp", None)

    # WHEN the ERP is back, two more orders arrive before the schedule's next tick
    for order in after:
        flows.accept(flows.shopify_delivery(order))
    flows.idle(60)
    assert {flows.order("shopify", o["id"])["status"] for o in after} == {"ERP_FAILED"}  # behind the backlog
    flows.http.delete(f"{flows.sandbox_url('erp')}/__admin/requests")
    replay = _replay_tick(flows)
    flows.idle(120)

    # THEN every order is in the ERP exactly once, accepted, in the order the webhooks were accepted
    assert replay == {"erp": "up", "replayed": ORDERS + 2}, replay
    records = []
    for order in orders:
        [record] = flows.erp_records(shopify_order_id(order["id"]))
        records.append(int(record["id"]))
        view = flows.order("shopify", order["id"])
        assert (view["status"], view["erp_sales_order_id"]) == ("ACCEPTED", record["id"])
    assert records == sorted(records), "the ERP received the orders out of the order accepted"
    assert flows.queue_depth("OrdersParkingQueue") == 0
    assert not _backlog_open(flows)  # new orders go straight to the ERP again
    stats = flows.http.get(f"{flows.sandbox_url('erp')}/__admin/stats").json()
    assert stats["max_concurrent"] <= ERP_LIMIT
    print(f"\n{ORDERS} orders over a {outage:.0f} s outage: replayed {replay['replayed']}, ERP stats {stats}")

    # AND the next order goes straight to the ERP
    latest = shopify_order(new_shopify_order_id(), [(skus[0], 1)])
    flows.accept(flows.shopify_delivery(latest))
    flows.idle(60)
    [record] = flows.erp_records(shopify_order_id(latest["id"]))
    assert flows.order("shopify", latest["id"])["status"] == "ACCEPTED" and int(record["id"]) > records[-1]
