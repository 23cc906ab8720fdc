"""One order from purchase to refund as customer service sees it (issue 12.3), in the local stack.

GIVEN a Shopify order accepted through its webhook
WHEN the WMS ships it, Loop's return.created arrives, the warehouse inspects the unit and ReturnFlow
refunds it, and the shipment is delivered again
THEN `GET /v1/status/orders/shopify/<id>` (with the status API key) says SHIPPED with the tracking
number and the return REFUNDED with its amount, and holds no internal id nor personal data; without
the key API Gateway answers 403 and no function runs; the helpdesk sandbox journalled each visible
change once, in order, its last event the view the route answers; the ops API tells the same story.
"""

from __future__ import annotations

import time
import uuid
from typing import cast

import httpx

from infra.constants import LOCAL_STATUS_API_KEY
from local.sandboxes.helpdesk import HelpdeskSandbox
from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, unique, wait_until
from tests.integration.test_return_to_refund import _inspection, _loop_return, _status, load_event_headers
from tests.support.events import load_event

SKU = "IPOD2008BLACK"


def _status_route(flows: Flows, order_id: int, key: str | None = LOCAL_STATUS_API_KEY) -> httpx.Response:
    headers = {"x-api-key": key} if key else {}
    return flows.http.get(f"{flows.stack.api_url}/v1/status/orders/shopify/{order_id}", headers=headers)


def test_customer_service_sees_one_order_from_purchase_to_refund_as_the_ops_api_does(flows: Flows) -> None:
    helpdesk = cast(HelpdeskSandbox, flows.stack.sandboxes["helpdesk"])
    order_id = new_shopify_order_id()
    return_id = str(900_000 + uuid.uuid4().int % 100_000_000)
    order = shopify_order(order_id, [(SKU, 1)])
    flows.stock(SKU, 40, sequence=int(time.time()))
    flows.http.post(f"{flows.sandbox_url('shopify')}/__admin/orders", json=order)
    flows.accept(flows.shopify_delivery(order))
    wait_until(lambda: _status_route(flows, order_id).json().get("status") == "CONFIRMED", timeout=60)

    # WHEN the WMS ships it (and sends the same shipment again)
    tracking = f"1Z{uuid.uuid4().hex[:16].upper()}"
    shipment = load_event("wms/shipment_shipped")
    shipment.update(
        event_id=unique("wms-evt"),
        shipment_id=unique("SHP"),
        channel_order_id=str(order_id),
        lines=[{"sku": SKU, "quantity": 1}],
        tracking_number=tracking,
        sequence=2,
    )
    flows.accept(flows.delivery("wms", shipment))
    flows.accept(flows.delivery("wms", {**shipment, "event_id": unique("wms-evt")}))
    wait_until(lambda: _status_route(flows, order_id).json().get("status") == "SHIPPED", timeout=60)

    # ... and the customer returns the unit, which is inspected and refunded
    flows.accept(flows.delivery("loop", _loop_return(return_id, order_id), load_event_headers()))
    wait_until(lambda: _status(flows, return_id) == "AWAITING_INSPECTION", timeout=60)
    flows.accept(flows.delivery("wms", _inspection(return_id)))
    wait_until(lambda: _status(flows, return_id) in ("REFUNDED", "EXCEPTION"), timeout=90)
    flows.idle()

    # THEN the status route tells the customer-safe story
    answer = _status_route(flows, order_id)
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["status"] == "SHIPPED"
    assert [(s["tracking_number"], s["lines"]) for s in view["shipments"]] == [
        (tracking, [{"sku": SKU, "quantity": 1}])
    ]
    (returned,) = view["returns"]
    ops_return = flows.ops(f"returns/loop/{return_id}").json()
    assert (returned["reference"], returned["status"]) == (return_id, "REFUNDED")
    assert returned["refund"]["status"] == "REFUNDED"
    assert returned["refund"]["amount"] == ops_return["refund"]["amount"]
    ops_order = flows.order("shopify", order_id)
    for internal in (ops_order["order_id"], ops_order["correlation_id"], ops_return["correlation_id"]):
        assert internal not in answer.text
    # The credit memo id is a short number ("1001"): no value of the view is it (a timestamp may hold it).
    assert ops_return["refund"]["erp_credit_memo_id"] not in _values(view)

    # ... behind its key: none or a wrong one is API Gateway's 403
    assert _status_route(flows, order_id, key=None).status_code == 403
    assert _status_route(flows, order_id, key="not-the-key").status_code == 403

    # ... and the helpdesk heard each visible change once, the last one being what the route answers
    mine = [event for event in helpdesk.events() if event["properties"]["channel_order_id"] == str(order_id)]
    statuses = [(e["properties"]["status"], [r["status"] for r in e["properties"]["returns"]]) for e in mine]
    assert statuses[0] == ("CONFIRMED", [])
    assert ("SHIPPED", []) in statuses
    assert statuses[-1] == ("SHIPPED", ["REFUNDED"])
    assert len(statuses) == len({str(e["properties"]) for e in mine})  # never the same view twice
    # (a later write that changed nothing visible, the return's bookkeeping, moves only `updated_at`)
    assert {**mine[-1]["properties"], "updated_at": None} == {**view, "updated_at": None}
    assert {"type": "order", "value": f"shopify:{order_id}"} in mine[-1]["profile"]["identifiers"]


def _values(document: object) -> list[str]:
    """Every scalar of a JSON document, as text."""
    if isinstance(document, dict):
        return [v for value in document.values() for v in _values(value)]
    if isinstance(document, list):
        return [v for value in document for v in _values(value)]
    return [str(document)]
