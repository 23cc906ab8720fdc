"""Outbound commands through the local stack: an accepted Walmart PO is acknowledged in the marketplace
sandbox, a WMS shipment of a Shopify order becomes one fulfillment with its tracking number, and the
same domain events delivered again call nobody a second time.

Each test uses its own order ids and SKUs (the session's stack is shared).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local.stack import LocalStack
from shared.models.orders import order_id_for
from tests.integration.flows import Flows, close_flows, new_shopify_order_id, open_flows, shopify_order, unique
from tests.support.events import load_event, load_headers


@pytest.fixture
def flows(local_stack: LocalStack) -> Iterator[Flows]:
    driver = open_flows(local_stack)
    yield driver
    close_flows(driver)


def _calls(flows: Flows, sandbox: str, method: str, path: str) -> list[dict[str, Any]]:
    answer = flows.http.get(f"{flows.sandbox_url(sandbox)}/__admin/requests", params={"method": method, "path": path})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["requests"])


def _outbound(flows: Flows, correlation_id: str) -> list[str]:
    return [status for hop, status in flows.timeline(correlation_id) if hop == "channel-outbound"]


def _put_domain_event(flows: Flows, detail_type: str, detail: dict[str, Any]) -> None:
    answer = boto3.client("events").put_events(
        Entries=[
            {
                "Source": "retail-sync",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "EventBusName": flows.stack.physical_id("EventBus"),
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0


def _stored_order(flows: Flows, channel: str, channel_order_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(flows.stack.physical_id("StateTable"))
    item = table.get_item(Key={"pk": f"ORDER#{channel}#{channel_order_id}", "sk": "ORDER"}, ConsistentRead=True)
    order: Any = item["Item"]["order"]
    return json.loads(order) if isinstance(order, str) else json.loads(json.dumps(order, default=str))


def _walmart_po(flows: Flows) -> tuple[str, list[str]]:
    """A new PO (two lines, new SKUs) seeded in the marketplace sandbox and announced by PO_CREATED."""
    po = str(1_000_000_000_000 + uuid.uuid4().int % 9_000_000_000_000)
    skus = [unique("WMPINK"), unique("WMGREEN")]
    order = load_event("walmart/get_order_response")["order"]
    order["purchaseOrderId"] = po
    for line, sku in zip(order["orderLines"]["orderLine"], skus, strict=True):
        line["item"]["sku"] = sku
    seeded = flows.http.post(f"{flows.sandbox_url('marketplace')}/__admin/orders", json=order)
    assert seeded.status_code == 200, seeded.text
    flows.stock_all(dict.fromkeys(skus, 10))
    notification = load_event("walmart/po_created")
    notification["source"]["eventId"] = str(uuid.uuid4())
    notification["payload"]["purchaseOrderId"] = po
    for line, sku in zip(notification["payload"]["orderLines"], skus, strict=True):
        line["sku"] = sku
    flows.accept(flows.delivery("walmart", notification, load_headers("walmart/po_created")))
    flows.idle()
    return po, skus


def test_an_accepted_walmart_po_is_acknowledged_once_even_when_the_event_comes_again(flows: Flows) -> None:
    # GIVEN a Walmart PO accepted through the real flow
    po, _ = _walmart_po(flows)
    view = flows.order("walmart", po)
    assert view["status"] == "ACCEPTED"

    # THEN the marketplace sandbox saw exactly one acknowledgement, with Walmart's headers
    [ack] = _calls(flows, "marketplace", "POST", f"/v3/orders/{po}/acknowledge")
    assert ack["status"] == 200 and ack["body"] in (None, "")
    assert ack["headers"]["WM_SVC.NAME"] == "Walmart Marketplace"
    assert ack["headers"]["WM_SEC.ACCESS_TOKEN"] and ack["headers"]["WM_QOS.CORRELATION_ID"]
    # (an OrderFlow run twice for one delivery, as AWS may: Express names are not deduplicated,
    # publishes OrderAccepted twice; the second command is skipped, never sent)
    first = _outbound(flows, view["correlation_id"])
    assert first[0] == "acknowledged" and set(first[1:]) <= {"skipped"}

    # WHEN the same OrderAccepted event is delivered again
    detail = {**_stored_order(flows, "walmart", po), "correlation_id": view["correlation_id"]}
    _put_domain_event(flows, "OrderAccepted", detail)
    flows.idle()

    # THEN nobody is called again and the trace says why
    # (EventBridge and SQS deliver at least once: a delivery may come twice, each one skipped)
    assert len(_calls(flows, "marketplace", "POST", f"/v3/orders/{po}/acknowledge")) == 1
    after = _outbound(flows, view["correlation_id"])
    assert after[0] == "acknowledged" and len(after) > len(first) and set(after[1:]) == {"skipped"}


def test_a_wms_shipment_of_a_shopify_order_is_confirmed_once_with_its_tracking_number(flows: Flows) -> None:
    # GIVEN an accepted Shopify order (its fulfillment order known to the Shopify sandbox)
    channel_order_id = new_shopify_order_id()
    skus = [unique("SHIP-A"), unique("SHIP-B")]
    order = shopify_order(channel_order_id, [(skus[0], 1), (skus[1], 2)])
    flows.stock_all({skus[0]: 5, skus[1]: 5})
    seeded = flows.http.post(f"{flows.sandbox_url('shopify')}/__admin/orders", json=order)
    assert seeded.status_code == 200, seeded.text
    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    assert flows.order("shopify", channel_order_id)["status"] == "ACCEPTED"

    # WHEN the WMS ships it
    shipment = load_event("wms/shipment_shipped")
    tracking = f"1Z{uuid.uuid4().hex[:16].upper()}"
    shipment.update(
        event_id=unique("wms-evt"),
        shipment_id=unique("SHP"),
        channel_order_id=str(channel_order_id),
        lines=[{"sku": skus[0], "quantity": 1}, {"sku": skus[1], "quantity": 2}],
        tracking_number=tracking,
        sequence=2,
    )
    shipped = flows.accept(flows.delivery("wms", shipment))
    flows.idle()

    # THEN Shopify got one fulfillment of both line items, with the tracking number
    [created] = _calls(flows, "shopify", "POST", "/admin/api/2024-07/fulfillments.json")
    assert created["status"] == 201
    fulfillment = created["body"]["fulfillment"]
    assert fulfillment["tracking_info"] == {"number": tracking, "company": "UPS"}
    [group] = fulfillment["line_items_by_fulfillment_order"]
    assert sorted(item["quantity"] for item in group["fulfillment_order_line_items"]) == [1, 2]
    # (On a loaded machine SQS may hand the command over twice: a second pass is a "skipped" hop.)
    first_pass = _outbound(flows, shipped["correlation_id"])
    assert first_pass[0] == "shipment_confirmed" and set(first_pass[1:]) <= {"skipped"}

    # WHEN the WMS sends the same shipment again under a new event id, and the OrderShipped event repeats
    flows.accept(flows.delivery("wms", {**shipment, "event_id": unique("wms-evt")}))
    detail = {**shipment, "source_sequence": 2, "correlation_id": shipped["correlation_id"]}
    detail.pop("event_type"), detail.pop("sequence")
    detail["order_id"] = order_id_for("shopify", str(channel_order_id))
    _put_domain_event(flows, "OrderShipped", detail)
    flows.idle()

    # THEN Shopify is not called again
    assert len(_calls(flows, "shopify", "POST", "/admin/api/2024-07/fulfillments.json")) == 1
    again = _outbound(flows, shipped["correlation_id"])
    assert again[0] == "shipment_confirmed" and again[1:].count("skipped") == len(again) - 1 > len(first_pass) - 1
