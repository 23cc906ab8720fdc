"""An Amazon ORDER_CHANGE for an order SP-API does not know yet, through the local stack (issue 7 item 4).

What a new user sees: the notification put on the partner event bus is read with getOrder, which
answers 404 on every attempt (retried with a growing delay: the local stack scales the 30 s backoff
like the queues' visibility timeouts); after the last attempt `GET /v1/ops/exceptions?kind=enrichment`
lists it, open, with reason `vendor_not_found` and the notification, and nothing reaches the orders
DLQ. Once the SP-API sandbox is seeded with the order, `POST /v1/ops/exceptions/{id}/retry` answers
202, the order is accepted, and the exception is resolved as `retried`; a second retry is a 409 that
changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from local.stack import LocalStack
from tests.integration.flows import Flows, new_amazon_order_id, put_amazon_order_change, wait_until
from tests.support.events import load_event


def _exceptions(flows: Flows, status: str, order_id: str) -> list[dict[str, Any]]:
    answer = flows.http.get(
        f"{flows.stack.api_url}/v1/ops/exceptions", params={"kind": "enrichment", "status": status, "limit": "100"}
    )
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["exceptions"] if e["channel_order_id"] == order_id]


def _peek(stack: LocalStack, logical_id: str) -> str:
    """The bodies on a queue, left there (received with no visibility timeout)."""
    sqs = boto3.client("sqs")
    url = stack.physical_id(logical_id)
    seen: dict[str, str] = {}
    for _ in range(10):
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        ):
            seen[message["MessageId"]] = message["Body"]
    return "\n".join(seen.values())


def _get_orders(flows: Flows, order_id: str) -> int:
    return len([e for e in flows.stack.sandboxes.amazon.journal() if e["path"] == f"/orders/v0/orders/{order_id}"])


def test_an_order_change_unknown_to_sp_api_ends_as_a_retryable_exception_and_goes_through_once_seeded(
    flows: Flows,
) -> None:
    order_id = new_amazon_order_id("115")

    # WHEN Amazon notifies an order its getOrder does not know (yet)
    put_amazon_order_change(flows.stack, order_id)

    # THEN after its retries ops lists one open enrichment exception holding the notification
    wait_until(lambda: len(_exceptions(flows, "open", order_id)) == 1, timeout=60)
    (exception,) = _exceptions(flows, "open", order_id)
    assert (exception["kind"], exception["reason"], exception["channel"]) == (
        "enrichment",
        "vendor_not_found",
        "amazon",
    )
    assert exception["attempts"] == 4 and _get_orders(flows, order_id) == 4
    change = exception["notification"]["detail"]["Payload"]["OrderChangeNotification"]
    assert change["AmazonOrderId"] == order_id
    assert flows.ops(f"orders/amazon/{order_id}").status_code == 404
    timeline = [status for hop, status in flows.timeline(exception["correlation_id"]) if hop == "orders-worker"]
    assert timeline == ["enrichment_retry"] * 3 + ["exception"]
    # ... and the message left the orders queue without going to its DLQ
    flows.stack.wait_idle(30)
    assert order_id not in _peek(flows.stack, "OrdersDlq"), "an enrichment miss must not be dead-lettered"

    # WHEN the SP-API sandbox is seeded with the order and ops retries the exception
    order = load_event("amazon/get_order_response")["payload"]
    updated = datetime.now(UTC) - timedelta(minutes=5)
    order.update(AmazonOrderId=order_id, LastUpdateDate=updated.strftime("%Y-%m-%dT%H:%M:%SZ"))
    items = load_event("amazon/get_order_items_response")["payload"]["OrderItems"]
    seeded = flows.http.post(f"{flows.sandbox_url('amazon')}/__admin/orders", json=[{"order": order, "items": items}])
    assert seeded.status_code == 200, seeded.text
    retry_url = f"{flows.stack.api_url}/v1/ops/exceptions/{exception['id']}/retry"
    retried = flows.http.post(retry_url)
    assert retried.status_code == 202, retried.text
    assert (retried.json()["status"], retried.json()["retries"]) == ("open", 1)

    # THEN the order is accepted with the same correlation id, and the exception is resolved as retried
    wait_until(lambda: flows.ops(f"orders/amazon/{order_id}").status_code == 200, timeout=30)
    accepted = flows.order("amazon", order_id)
    assert accepted["correlation_id"] == exception["correlation_id"]
    wait_until(lambda: len(_exceptions(flows, "resolved", order_id)) == 1, timeout=30)
    (resolved,) = _exceptions(flows, "resolved", order_id)
    assert (resolved["id"], resolved["resolution"]) == (exception["id"], "retried")
    assert _exceptions(flows, "open", order_id) == []

    # AND a second retry changes nothing
    flows.stack.wait_idle(30)
    reads = _get_orders(flows, order_id)
    again = flows.http.post(retry_url)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_RESOLVED"
    flows.stack.wait_idle(30)
    assert _get_orders(flows, order_id) == reads
    assert flows.order("amazon", order_id)["order_id"] == accepted["order_id"]
