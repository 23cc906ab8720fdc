"""Issue 10.1 in the local stack: a Shopify order whose payment is pending (`financial_status`
"pending") is reserved and waits IN_REVIEW, with no ERP sales order and nothing sent to the
warehouse; when Shopify's `orders/updated` reports it paid, the HeldOrdersRetry schedule sends it on
to the ERP and the warehouse, once. An operator can cancel one instead, which gives the stock back."""

from __future__ import annotations

from typing import Any

from infra import constants as c
from shared.models.orders import order_id_for
from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, unique


def _pending_order(flows: Flows) -> tuple[int, str, dict[str, Any]]:
    sku = unique("REVIEW")
    flows.stock(sku, 4)
    channel_order_id = new_shopify_order_id()
    order = {**shopify_order(channel_order_id, [(sku, 2)]), "financial_status": "pending"}
    flows.accept(flows.shopify_delivery(order))
    flows.idle()
    return channel_order_id, sku, order


def _held_retry(flows: Flows) -> dict[str, Any]:
    (result,) = flows.stack.fire_schedule(c.ID_HELD_RETRY_SCHEDULE)
    assert result.error is None, result.error
    report: dict[str, Any] = result.payload
    return report


def test_a_pending_payment_waits_in_review_reserved_and_goes_on_once_paid(flows: Flows) -> None:
    channel_order_id, sku, order = _pending_order(flows)
    order_id = order_id_for("shopify", str(channel_order_id))

    # THEN it is reserved and waits: no ERP sales order, nothing released to the warehouse
    view = flows.order("shopify", channel_order_id)
    assert (view["status"], view["erp_sales_order_id"], view["fulfilments"]) == ("IN_REVIEW", None, [])
    assert flows.position(sku)["reserved"] == 2
    assert flows.erp_records(order_id) == []
    # AND the schedule does not send it on while the payment is pending
    assert order_id not in _held_retry(flows)["restarted"]

    # WHEN Shopify reports the payment (orders/updated, financial_status paid) and the schedule runs
    paid = {**order, "financial_status": "paid", "updated_at": "2026-11-23T19:00:00-05:00"}
    flows.accept(flows.shopify_delivery(paid, topic="orders/updated"))
    flows.idle()
    assert order_id in _held_retry(flows)["restarted"]
    flows.idle()

    # THEN it is accepted, in the ERP once, released to the warehouse, still reserved once
    view = flows.order("shopify", channel_order_id)
    assert view["status"] == "ACCEPTED" and view["erp_sales_order_id"]
    assert [f["status"] for f in view["fulfilments"]] == ["RELEASED"]
    assert len(flows.erp_records(order_id)) == 1
    assert flows.position(sku)["reserved"] == 2


def test_an_operator_cancels_an_order_in_review_and_its_stock_comes_back(flows: Flows) -> None:
    channel_order_id, sku, _ = _pending_order(flows)

    answer = flows.http.post(f"{flows.stack.api_url}/v1/ops/orders/shopify/{channel_order_id}/cancel")
    assert answer.status_code == 202, answer.text
    flows.idle()

    assert flows.order("shopify", channel_order_id)["status"] == "CANCELLED"
    assert flows.position(sku)["reserved"] == 0
