"""The ERP gateway in the local stack (issue 10.3): orders, cancellations and a reconciliation hit the
ERP at the same time, and the ERP sandbox never sees more calls at once than its concurrency limit.

The sandbox refuses a call over its limit with 429 (NetSuite's account concurrency governance), so
"no 429 in its journal" says no caller ever went over: the functions waited for a gateway slot
instead. Before the gateway only CreateErpSalesOrder was bounded (reserved concurrency 5), and
CancelOrder, the ReturnFlow steps, journals and the reconciliation snapshot came on top.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from local import moto_patches
from shared.adapters.erp_gateway import PK
from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, shopify_order_id, unique, wait_until

ERP_LIMIT = 5  # the ERP sandbox's concurrency limit and the stack's erpConcurrency


def _gateway_slots_held(flows: Flows) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").query(
        TableName=flows.stack.physical_id("StateTable"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": PK}},
        ConsistentRead=True,
    )["Items"]
    return [item for item in items if "holder" in item]


def test_orders_cancellations_and_a_reconciliation_together_never_exceed_the_erps_limit(flows: Flows) -> None:
    # GIVEN six accepted orders to cancel, and stock for eight new ones (one SKU each: no reservation races)
    to_cancel = [shopify_order(new_shopify_order_id(), [(unique("SKU-GW-C"), 1)]) for _ in range(6)]
    to_accept = [shopify_order(new_shopify_order_id(), [(unique("SKU-GW-A"), 1)]) for _ in range(8)]
    flows.stock_all({line["sku"]: 5 for order in (*to_cancel, *to_accept) for line in order["line_items"]})
    for order in to_cancel:
        flows.accept(flows.shopify_delivery(order))
    flows.idle()
    assert all(flows.order("shopify", o["id"])["status"] == "ACCEPTED" for o in to_cancel)

    # WHEN every ERP call takes three seconds and all three kinds of work arrive at once
    flows.faults("erp", {"latency_ms": 3000})
    flows.http.delete(f"{flows.sandbox_url('erp')}/__admin/requests")
    cancellations = [flows.shopify_cancellation(o) for o in to_cancel]
    deliveries = [flows.shopify_delivery(order) for order in to_accept] + cancellations
    try:
        with moto_patches.retry_scale(1.0), ThreadPoolExecutor(max_workers=8) as pool:
            started = pool.submit(flows.http.post, f"{flows.stack.api_url}/v1/ops/reconciliations/inventory")
            list(pool.map(flows.accept, deliveries))
            run_id = started.result().json()["run_id"]
            wait_until(
                lambda: flows.ops(f"reconciliations/inventory/{run_id}").json()["status"] in {"SUCCEEDED", "FAILED"},
                timeout=120,
            )
            flows.idle(120)
        stats = flows.http.get(f"{flows.sandbox_url('erp')}/__admin/stats").json()
        journal = flows.http.get(f"{flows.sandbox_url('erp')}/__admin/requests").json()["requests"]
    finally:
        flows.faults("erp", None)

    # THEN the ERP never had more calls in flight than its limit, and refused none for concurrency
    assert 1 < stats["max_concurrent"] <= ERP_LIMIT, stats
    assert [call for call in journal if call["status"] == 429] == []
    # AND every kind of work was done, once
    assert flows.ops(f"reconciliations/inventory/{run_id}").json()["status"] == "SUCCEEDED"
    assert any(call["path"] == "/snapshot/inventory" for call in journal)
    for order in to_accept:
        assert flows.order("shopify", order["id"])["status"] == "ACCEPTED"
        assert len(flows.erp_records(shopify_order_id(order["id"]))) == 1
    for order in to_cancel:
        assert flows.order("shopify", order["id"])["status"] == "CANCELLED"
        [record] = flows.erp_records(shopify_order_id(order["id"]))
        assert record["status"] == "cancelled"
    assert flows.queue_depth("OrdersParkingQueue") == 0
    # AND every slot was given back
    assert _gateway_slots_held(flows) == []
