"""OrderFlow's failure paths through the local stack (issue 13.6, issue 10.5): no step fails without
its input being parked or turned into an order exception that ops can retry."""

from __future__ import annotations

from typing import Any

from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, shopify_order_id, unique, wait_until


def _order_exceptions(flows: Flows, concerns: str) -> list[dict[str, Any]]:
    answer = flows.ops("exceptions?kind=order&status=open")
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["exceptions"] if e.get("concerns") == concerns]


def test_an_erp_refusal_is_an_order_exception_with_its_input_and_a_retry_accepts_the_order_once(
    flows: Flows,
) -> None:
    sku = unique("SKU-REFUSED")
    flows.stock(sku, 5)
    channel_order_id = new_shopify_order_id()
    order_id = shopify_order_id(channel_order_id)
    flows.faults("erp", {"unknown_items": [sku]})  # NetSuite: 400 INVALID_CONTENT for the item
    try:
        answer = flows.accept(flows.shopify_delivery(shopify_order(channel_order_id, [(sku, 2)])))
        flows.idle()

        # GIVEN a permanent 4xx: not parked (a replay would meet the same refusal), one exception
        assert flows.queue_depth("OrdersParkingQueue") == 0
        assert {call["status"] for call in flows.erp_calls(order_id)} == {400}
        [raised] = _order_exceptions(flows, f"shopify order {channel_order_id}")
        assert raised["category"] == "vendor_4xx" and raised["retryable"] is True
        assert raised["reason"] == "OrderFlow step CreateErpSalesOrder failed: ErpRejected"
        assert raised["correlation_id"] == answer["correlation_id"]
        # NetSuite's o:errorCode is named (shared/redaction.vendor_code), never its text.
        path = f"/services/rest/record/v1/salesOrder/eid:{order_id}"
        assert raised["error"] == f"ErpRejected: PUT {path}: 400 INVALID_CONTENT"
        assert ("order-flow", "failed") in flows.timeline(answer["correlation_id"])
        # AND the compensation: the stock is not held for an order going nowhere until a person acts
        assert ("order-flow", "compensated") in flows.timeline(answer["correlation_id"])
        assert flows.position(sku)["reserved"] == 0
        released = raised["details"]["compensated"]["released"]
        assert {k: int(v) for k, v in released.items()} == {sku: 2}
    finally:
        flows.faults("erp", None)

    # WHEN the item exists in the ERP and ops retries the exception
    retried = flows.http.post(f"{flows.stack.api_url}/v1/ops/exceptions/{raised['id']}/retry")
    assert retried.status_code == 202, retried.text
    flows.idle()

    view = flows.order("shopify", channel_order_id)
    [record] = flows.erp_records(order_id)
    assert (view["status"], view["erp_sales_order_id"]) == ("ACCEPTED", record["id"])
    assert flows.position(sku)["reserved"] == 2  # reserved anew, once, by the retry
    assert _order_exceptions(flows, f"shopify order {channel_order_id}") == []
    again = flows.http.post(f"{flows.stack.api_url}/v1/ops/exceptions/{raised['id']}/retry")
    assert again.status_code == 409  # resolved by the retry: nothing runs twice


def test_a_cancel_during_an_erp_outage_is_parked_and_replay_closes_the_erp_order(flows: Flows) -> None:
    sku = unique("SKU-CANCEL-DOWN")
    flows.stock(sku, 5)
    channel_order_id = new_shopify_order_id()
    order = shopify_order(channel_order_id, [(sku, 2)])
    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    assert flows.order("shopify", channel_order_id)["status"] == "ACCEPTED"

    flows.faults("erp", {"outage": True})
    try:
        flows.accept(flows.shopify_cancellation(order))
        flows.idle()

        # the stock is released at once; the ERP order waits, parked, for the ERP to come back
        assert flows.order("shopify", channel_order_id)["status"] == "CANCELLED"
        assert flows.position(sku)["reserved"] == 0
        [record] = flows.erp_records(shopify_order_id(channel_order_id))
        assert record["status"] != "cancelled"
        assert flows.queue_depth("OrdersParkingQueue") == 1
    finally:
        flows.faults("erp", None)

    replay = flows.http.post(f"{flows.stack.api_url}/v1/ops/parked/orders/replay")
    assert replay.status_code == 200, replay.text
    assert replay.json()["replayed"] == 1
    flows.idle()

    wait_until(lambda: flows.erp_records(shopify_order_id(channel_order_id))[0]["status"] == "cancelled")
    assert flows.queue_depth("OrdersParkingQueue") == 0
    position = flows.position(sku)
    assert (position["on_hand"], position["reserved"]) == (5, 0)  # released once


def test_orders_parked_in_an_erp_outage_reach_the_erp_once_each_when_it_is_back_with_no_operator(
    flows: Flows,
) -> None:
    sku = unique("SKU-AUTO-REPLAY")
    flows.stock(sku, 10)
    channel_order_ids = [new_shopify_order_id() for _ in range(3)]
    flows.faults("erp", {"outage": True})
    try:
        for channel_order_id in channel_order_ids:
            flows.accept(flows.shopify_delivery(shopify_order(channel_order_id, [(sku, 1)])))
        flows.idle()
        assert flows.queue_depth("OrdersParkingQueue") == 3

        # WHEN the schedule runs while the ERP is still down: one probe, nothing replayed
        [still_down] = flows.stack.fire_schedule("ParkedOrdersReplaySchedule")
        assert not still_down.errored, still_down.error
        assert still_down.payload == {"erp": "down", "replayed": 0}
        assert flows.queue_depth("OrdersParkingQueue") == 3
    finally:
        flows.faults("erp", None)

    # WHEN the ERP answers again and the schedule runs
    [back] = flows.stack.fire_schedule("ParkedOrdersReplaySchedule")
    assert not back.errored, back.error
    assert back.payload == {"erp": "up", "replayed": 3}
    flows.idle()

    # THEN every order is in the ERP exactly once and accepted; nothing is left parked
    for channel_order_id in channel_order_ids:
        [record] = flows.erp_records(shopify_order_id(channel_order_id))
        view = flows.order("shopify", channel_order_id)
        assert (view["status"], view["erp_sales_order_id"]) == ("ACCEPTED", record["id"])
    assert flows.queue_depth("OrdersParkingQueue") == 0
    assert flows.position(sku)["reserved"] == 3  # reserved once each, not again by the replay


def test_an_order_on_hold_for_stock_is_accepted_once_the_stock_arrives_with_no_operator(flows: Flows) -> None:
    sku = unique("SKU-HELD")
    flows.stock(sku, 1)
    channel_order_id = flows.place_shopify_order([(sku, 3)])
    assert flows.order("shopify", channel_order_id)["status"] == "ON_HOLD"

    # WHEN the schedule runs before the stock arrives: the order stays held
    [short] = flows.stack.fire_schedule("HeldOrdersRetrySchedule")
    assert not short.errored, short.error
    assert order_id_of(channel_order_id) not in short.payload["restarted"]

    # WHEN the warehouse counts 5 and the schedule runs again
    flows.stock(sku, 5, sequence=2)
    flows.idle()
    [run] = flows.stack.fire_schedule("HeldOrdersRetrySchedule")
    assert not run.errored, run.error
    assert order_id_of(channel_order_id) in run.payload["restarted"]
    flows.idle()

    # THEN the order is accepted, reserved once, in the ERP once, and no longer held
    view = flows.order("shopify", channel_order_id)
    [record] = flows.erp_records(order_id_of(channel_order_id))
    assert (view["status"], view["erp_sales_order_id"]) == ("ACCEPTED", record["id"])
    assert flows.position(sku)["reserved"] == 3
    [again] = flows.stack.fire_schedule("HeldOrdersRetrySchedule")
    assert order_id_of(channel_order_id) not in again.payload["restarted"]


def test_an_operator_cancels_an_order_on_hold_and_it_is_never_started_again(flows: Flows) -> None:
    sku = unique("SKU-HELD-CANCEL")
    flows.stock(sku, 1)
    channel_order_id = flows.place_shopify_order([(sku, 3)])
    assert flows.order("shopify", channel_order_id)["status"] == "ON_HOLD"

    # WHEN an operator cancels it
    answer = flows.http.post(f"{flows.stack.api_url}/v1/ops/orders/shopify/{channel_order_id}/cancel")
    assert answer.status_code == 202, answer.text
    flows.idle()

    # THEN it is cancelled, held nothing, was never in the ERP, and stock arriving does not start it
    assert flows.order("shopify", channel_order_id)["status"] == "CANCELLED"
    assert flows.position(sku)["reserved"] == 0
    assert flows.erp_records(order_id_of(channel_order_id)) == []
    flows.stock(sku, 5, sequence=2)
    flows.idle()
    [run] = flows.stack.fire_schedule("HeldOrdersRetrySchedule")
    assert order_id_of(channel_order_id) not in run.payload["restarted"]
    again = flows.http.post(f"{flows.stack.api_url}/v1/ops/orders/shopify/{channel_order_id}/cancel")
    assert again.status_code == 404 and again.json()["error"]["code"] == "NOT_FOUND"


def order_id_of(channel_order_id: int) -> str:
    return shopify_order_id(channel_order_id)
