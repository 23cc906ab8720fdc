"""Failure handling through the real flows: bad signatures, ERP throttling and outage, poison messages."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.flows import (
    Flows,
    new_shopify_order_id,
    shopify_order,
    shopify_order_id,
    unique,
    wait_until,
    wms_adjustment,
)
from tests.support.events import load_event


def test_a_bad_signature_is_refused_and_leaves_nothing_behind(flows: Flows) -> None:
    sku = unique("SKU-SIG")
    delivery = flows.shopify_delivery(shopify_order(new_shopify_order_id(), [(sku, 1)]))
    correlation_id = uuid.uuid4().hex
    forged = {
        **delivery.headers,
        "X-Shopify-Hmac-Sha256": "bm90IHRoZSBzaWduYXR1cmU=",
        "X-Correlation-Id": correlation_id,
    }

    answer = flows.http.post(f"{flows.stack.api_url}/v1/webhooks/shopify", content=delivery.body, headers=forged)

    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "SIGNATURE_INVALID"
    assert error["message"] and error["correlation_id"] == correlation_id
    assert set(answer.json()) == {"error"}
    assert flows.queue_depth("OrdersQueue") == 0
    flows.idle()
    assert flows.ops(f"transactions/{correlation_id}").status_code == 404
    # Nothing was recorded for the delivery either: the genuine one is accepted as new.
    assert flows.accept(delivery)["duplicate"] is False


def test_a_missing_signature_is_refused_with_the_contract_error(flows: Flows) -> None:
    delivery = flows.shopify_delivery(shopify_order(new_shopify_order_id(), [(unique("SKU"), 1)]))
    headers = {k: v for k, v in delivery.headers.items() if k != "X-Shopify-Hmac-Sha256"}

    answer = flows.http.post(f"{flows.stack.api_url}/v1/webhooks/shopify", content=delivery.body, headers=headers)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "SIGNATURE_INVALID"
    assert flows.queue_depth("OrdersQueue") == 0


def test_an_erp_429_is_waited_out_by_the_gateway_and_gives_exactly_one_erp_record(flows: Flows) -> None:
    sku = unique("SKU-429")
    flows.stock(sku, 5)
    channel_order_id = new_shopify_order_id()
    order_id = shopify_order_id(channel_order_id)
    flows.faults("erp", {"throttle_rate": 1})  # every ERP call answers 429 with Retry-After

    answer = flows.accept(flows.shopify_delivery(shopify_order(channel_order_id, [(sku, 1)])))
    wait_until(lambda: any(call["status"] == 429 for call in flows.erp_calls(order_id)))
    flows.faults("erp", None)  # the ERP takes calls again
    flows.idle()

    statuses = [call["status"] for call in flows.erp_calls(order_id)]
    assert 429 in statuses and statuses[-1] == 204 and statuses.count(204) == 1
    [record] = flows.erp_records(order_id)
    view = flows.order("shopify", channel_order_id)
    assert (view["status"], view["erp_sales_order_id"]) == ("ACCEPTED", record["id"])
    # The ERP gateway paused every caller for the Retry-After and sent the upsert again within the
    # step (a throttled step reaches OrderFlow's Retry only when the pause outlasts its wait budget).
    timeline = flows.timeline(answer["correlation_id"])
    assert timeline.count(("erp", "upserted")) == 1 and ("erp", "failed") not in timeline


def test_an_erp_outage_parks_the_order_and_replay_accepts_it_once_the_erp_is_back(flows: Flows) -> None:
    sku = unique("SKU-PARK")
    flows.stock(sku, 5)
    channel_order_id = new_shopify_order_id()
    order_id = shopify_order_id(channel_order_id)
    flows.faults("erp", {"outage": True})

    flows.accept(flows.shopify_delivery(shopify_order(channel_order_id, [(sku, 2)])))
    flows.idle()

    assert flows.order("shopify", channel_order_id)["status"] == "ERP_FAILED"
    assert flows.queue_depth("OrdersParkingQueue") == 1
    assert {call["status"] for call in flows.erp_calls(order_id)} == {503}
    assert flows.erp_records(order_id) == []
    assert flows.position(sku)["reserved"] == 2  # the stock stays held for the parked order

    flows.faults("erp", None)
    replay = flows.http.post(f"{flows.stack.api_url}/v1/ops/parked/orders/replay")
    flows.idle()

    assert replay.status_code == 200, replay.text
    assert replay.json()["replayed"] == 1
    view = flows.order("shopify", channel_order_id)
    [record] = flows.erp_records(order_id)
    assert (view["status"], view["erp_sales_order_id"]) == ("ACCEPTED", record["id"])
    assert flows.queue_depth("OrdersParkingQueue") == 0
    assert flows.position(sku)["reserved"] == 2  # the replay reserved nothing twice
    again = flows.http.post(f"{flows.stack.api_url}/v1/ops/parked/orders/replay")
    assert again.json()["replayed"] == 0


def _seed_square(flows: Flows, order_id: str, variation_id: str, location_id: str) -> None:
    """A COMPLETED Square order (RetrieveOrder's fixture, new ids) and maybe its catalog variation."""
    order: dict[str, Any] = load_event("square/retrieve_order_response")["order"]
    line = order["line_items"][0]
    line.update(catalog_object_id=variation_id, quantity="1")
    order.update(id=order_id, location_id=location_id, line_items=[line])
    answer = flows.http.post(f"{flows.sandbox_url('square')}/__admin/orders", json=order)
    assert answer.status_code == 200, answer.text


def test_a_poison_message_reaches_the_dlq_without_blocking_the_rest_of_its_batch(flows: Flows) -> None:
    # A Square sale whose line's catalog variation has no SKU can never become an order: poison.
    location = unique("SQ-LOC")
    good_sku = unique("SKU-SQ")
    flows.accept(flows.delivery("wms", wms_adjustment(good_sku, 5, sequence=1, location_id=location)))
    good_variation, unknown_variation = unique("VAR"), unique("VAR-NOSKU")
    catalog = load_event("square/batch_retrieve_catalog_objects_response")["objects"][0]
    catalog.update(id=good_variation)
    catalog["item_variation_data"]["sku"] = good_sku
    assert flows.http.post(f"{flows.sandbox_url('square')}/__admin/catalog", json=[catalog]).status_code == 200
    poison_order, good_order = unique("SQORDER"), unique("SQORDER")
    _seed_square(flows, poison_order, unknown_variation, location)
    _seed_square(flows, good_order, good_variation, location)
    shopify_ids = [new_shopify_order_id() for _ in range(3)]
    shop_sku = unique("SKU-SHOP")
    flows.stock(shop_sku, 5)

    # Sent back to back, so the worker receives them together (batch size 10, 1 s window).
    poison = flows.accept(flows.square_delivery(poison_order))
    good = [flows.accept(flows.square_delivery(good_order))["event_id"]]
    for channel_order_id in shopify_ids:
        good.append(flows.accept(flows.shopify_delivery(shopify_order(channel_order_id, [(shop_sku, 1)])))["event_id"])
    flows.idle(60)

    # (The session's stack is shared: other tests' dead letters may sit in the same DLQ.)
    dead = [envelope["event_id"] for envelope in flows.drain("OrdersDlq")]
    assert dead.count(poison["event_id"]) == 1 and not set(good) & set(dead)
    assert ("orders-worker", "poison") in flows.timeline(poison["correlation_id"])
    assert flows.order("square", good_order)["status"] == "ACCEPTED"
    assert [flows.order("shopify", i)["status"] for i in shopify_ids] == ["ACCEPTED"] * 3
    assert flows.ops(f"orders/square/{poison_order}").status_code == 404
    position = flows.position(good_sku, location)
    assert (position["on_hand"], position["reserved"]) == (4, 0)  # a till sale: on hand lowered, nothing reserved
