"""Orders through the real flows: webhook -> ingest -> queue -> worker -> OrderFlow -> ERP sandbox.

Each test stocks its own SKUs through signed WMS adjustments and sends its own orders, then reads
the outcome from the outside: the ops API, the ERP sandbox's journal and records.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from local import moto_patches
from tests.integration.flows import (
    Flows,
    new_shopify_order_id,
    shopify_order,
    shopify_order_id,
    unique,
)


def test_a_duplicate_shopify_delivery_gives_exactly_one_erp_sales_order(flows: Flows) -> None:
    sku = unique("SKU-DUP")
    flows.stock(sku, 5)
    channel_order_id = new_shopify_order_id()
    delivery = flows.shopify_delivery(shopify_order(channel_order_id, [(sku, 2)]))

    first = flows.accept(delivery)
    flows.idle()
    second = flows.accept(delivery)
    flows.idle()

    assert first["duplicate"] is False and second["duplicate"] is True
    assert second["correlation_id"] == first["correlation_id"]
    assert second["event_id"] == first["event_id"]
    order_id = shopify_order_id(channel_order_id)
    assert len(flows.erp_calls(order_id)) == 1
    [record] = flows.erp_records(order_id)
    order = flows.order("shopify", channel_order_id)
    assert order["status"] == "ACCEPTED"
    assert order["erp_sales_order_id"] == record["id"]
    assert order["correlation_id"] == first["correlation_id"]
    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"], position["available"]) == (5, 2, 3)


def test_the_same_order_in_a_new_delivery_reserves_once_and_keeps_one_erp_record(flows: Flows) -> None:
    # Shopify may send orders/create again with a new webhook id: the flow dedupes on our order id.
    sku = unique("SKU-REDELIVER")
    flows.stock(sku, 5)
    channel_order_id = new_shopify_order_id()
    order = shopify_order(channel_order_id, [(sku, 2)])

    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    again = flows.accept(flows.shopify_delivery(order))
    flows.idle()

    assert again["duplicate"] is False
    assert len(flows.erp_records(shopify_order_id(channel_order_id))) == 1
    assert flows.position(sku)["reserved"] == 2
    assert ("reserve-stock", "already_reserved") in flows.timeline(again["correlation_id"])


def test_concurrent_orders_for_the_last_units_never_oversell(flows: Flows) -> None:
    sku = unique("SKU-LAST")
    flows.stock(sku, 3)
    channel_order_ids = [new_shopify_order_id() for _ in range(8)]
    deliveries = [flows.shopify_delivery(shopify_order(i, [(sku, 1)])) for i in channel_order_ids]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(flows.send, deliveries))
    flows.idle()

    assert [a.status_code for a in answers] == [202] * 8
    assert len({a.json()["correlation_id"] for a in answers}) == 8  # one transaction per webhook
    statuses = sorted(flows.order("shopify", i)["status"] for i in channel_order_ids)
    assert statuses == ["ACCEPTED"] * 3 + ["ON_HOLD"] * 5
    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"], position["available"]) == (3, 3, 0)
    accepted = [i for i in channel_order_ids if flows.order("shopify", i)["status"] == "ACCEPTED"]
    held = [i for i in channel_order_ids if i not in accepted]
    assert all(len(flows.erp_records(shopify_order_id(i))) == 1 for i in accepted)
    assert all(flows.erp_calls(shopify_order_id(i)) == [] for i in held)


@pytest.mark.slow
def test_a_burst_beyond_the_erp_writers_concurrency_waits_instead_of_parking(flows: Flows) -> None:
    # CreateErpSalesOrder has reserved concurrency 5 and the ERP takes 4 s per call, so the burst's
    # flows reach the step while the first five hold every slot (even on a loaded machine): the
    # extra invokes are throttled by Lambda and retried with jitter; none is parked.
    # One SKU per order: nine reservations on one position would race (optimistic lock) and their
    # retries could spread the flows out so that fewer than six meet at the ERP step.
    skus = [unique("SKU-BURST") for _ in range(9)]
    for sku in skus:
        flows.stock(sku, 10)
    flows.faults("erp", {"latency_ms": 4000})
    channel_order_ids = [new_shopify_order_id() for _ in range(9)]
    deliveries = [
        flows.shopify_delivery(shopify_order(i, [(sku, 1)])) for i, sku in zip(channel_order_ids, skus, strict=True)
    ]
    erp_stats_before = flows.http.delete(f"{flows.sandbox_url('erp')}/__admin/requests").json()

    # Throttled invokes wait as on AWS (1 s doubling to 20 s, full jitter, 8 attempts): at this suite's
    # tenth the whole budget averages 4.5 s, less than two 4 s ERP calls, so a loaded machine could
    # fail an order the real retry would have carried through.
    with moto_patches.retry_scale(1.0), ThreadPoolExecutor(max_workers=9) as pool:
        list(pool.map(flows.accept, deliveries))
        flows.idle(90)

    assert erp_stats_before["requests"] == 0
    assert [flows.order("shopify", i)["status"] for i in channel_order_ids] == ["ACCEPTED"] * 9
    assert all(len(flows.erp_records(shopify_order_id(i))) == 1 for i in channel_order_ids)
    stats = flows.http.get(f"{flows.sandbox_url('erp')}/__admin/stats").json()
    assert stats["max_concurrent"] <= 5  # never more writers than the ERP allows
    assert flows.queue_depth("OrdersParkingQueue") == 0
    assert [flows.position(sku)["reserved"] for sku in skus] == [1] * 9
    retried = [e for i in channel_order_ids for e in flows.flow_errors(i)]
    assert "Lambda.TooManyRequestsException" in retried  # the writer's concurrency was hit, and waited
    assert set(retried) <= {"Lambda.TooManyRequestsException"}


def test_cancellation_releases_the_reservation_and_closes_the_erp_order(flows: Flows) -> None:
    sku = unique("SKU-CANCEL")
    flows.stock(sku, 5)
    channel_order_id = new_shopify_order_id()
    order = shopify_order(channel_order_id, [(sku, 2)])
    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    assert flows.position(sku)["reserved"] == 2

    answer = flows.accept(flows.shopify_cancellation(order))
    flows.idle()

    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"], position["available"]) == (5, 0, 5)
    view = flows.order("shopify", channel_order_id)
    assert view["status"] == "CANCELLED"
    [record] = flows.erp_records(shopify_order_id(channel_order_id))
    assert record["status"] == "cancelled"
    assert ("cancel-order", "cancelled") in flows.timeline(answer["correlation_id"])


def test_an_order_short_on_one_line_holds_nothing(flows: Flows) -> None:
    plenty, short = unique("SKU-PLENTY"), unique("SKU-SHORT")
    flows.stock_all({plenty: 10, short: 1})
    channel_order_id = flows.place_shopify_order([(plenty, 2), (short, 2)])

    assert flows.order("shopify", channel_order_id)["status"] == "ON_HOLD"
    assert flows.position(plenty)["reserved"] == 0 and flows.position(short)["reserved"] == 0
    assert flows.erp_calls(shopify_order_id(channel_order_id)) == []
