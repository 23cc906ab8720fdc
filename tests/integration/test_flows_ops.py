"""The ops routes answer from the real state the flows left, and 404 in the contract's shape."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.flows import (
    Flows,
    new_shopify_order_id,
    shopify_order,
    shopify_order_id,
    unique,
)


def test_the_ops_routes_describe_an_accepted_order_from_real_state(flows: Flows) -> None:
    sku = unique("SKU-OPS")
    flows.stock(sku, 6)
    channel_order_id = new_shopify_order_id()
    answer = flows.accept(flows.shopify_delivery(shopify_order(channel_order_id, [(sku, 2)])))
    flows.idle()

    order = flows.order("shopify", channel_order_id)
    [record] = flows.erp_records(shopify_order_id(channel_order_id))
    assert order["order_id"] == shopify_order_id(channel_order_id)
    assert (order["channel"], order["channel_order_id"]) == ("shopify", str(channel_order_id))
    assert (order["status"], order["erp_sales_order_id"]) == ("ACCEPTED", record["id"])
    assert order["correlation_id"] == answer["correlation_id"]
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [(sku, 2)]

    inventory = flows.ops(f"inventory/{sku}").json()
    assert inventory["sku"] == sku
    [location] = inventory["locations"]
    assert (location["location_id"], location["on_hand"], location["reserved"], location["available"]) == (
        "dc-east",
        6,
        2,
        4,
    )
    channels = inventory["channels"]
    assert isinstance(channels, dict) and all(0 <= units <= 4 for units in channels.values())

    timeline = flows.ops(f"transactions/{answer['correlation_id']}").json()
    assert timeline["correlation_id"] == answer["correlation_id"]
    hops = [(e["hop"], e["status"]) for e in timeline["events"]]
    assert hops[0] == ("ingest", "accepted")
    for step in [("orders-worker", "flow_started"), ("reserve-stock", "reserved"), ("erp", "upserted"),
                 ("record-order", "accepted"), ("order-flow", "published")]:  # fmt: skip
        assert step in hops
    assert hops.index(("reserve-stock", "reserved")) < hops.index(("erp", "upserted"))
    instants = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")) for e in timeline["events"]]
    assert instants == sorted(instants)


@pytest.mark.parametrize(
    "path",
    ["orders/shopify/404404404", "inventory/NO-SUCH-SKU-404", "transactions/0123456789abcdef0123456789abcdef"],
)
def test_the_ops_routes_answer_404_for_unknown_things(flows: Flows, path: str) -> None:
    answer = flows.ops(path)

    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "NOT_FOUND" and error["message"] and error["correlation_id"]
