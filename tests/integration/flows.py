"""Driving the real flows of the local stack from outside: signed webhooks over HTTP, the ops API,
the sandboxes' admin APIs, and the AWS resources (queues) through boto3 pointed at moto.

Every builder starts from a vendor-shaped fixture under `events/` and changes only ids, SKUs and
quantities, so each test works on its own orders and SKUs (tests share one stack per session).
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx

from local.signing import signed_headers
from local.stack import LocalStack
from shared.models.orders import order_id_for
from tests.support.events import load_event, load_headers

LOCATION = "dc-east"  # the stack's default fulfilment location (Shopify orders name none)
SALES_ORDER_PATH = "/services/rest/record/v1/salesOrder"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}".upper()


def shopify_order(channel_order_id: int, lines: Iterable[tuple[str, int]]) -> dict[str, Any]:
    """The orders/create fixture as another order: new ids, one line per (sku, quantity)."""
    order = load_event("shopify/orders_create")
    template = order["line_items"][0]
    order["id"] = channel_order_id
    order["admin_graphql_api_id"] = f"gid://shopify/Order/{channel_order_id}"
    order["name"] = f"#{channel_order_id % 100000}"
    items = []
    for index, (sku, quantity) in enumerate(lines):
        item = copy.deepcopy(template)
        item["id"] = channel_order_id * 10 + index
        item["admin_graphql_api_id"] = f"gid://shopify/LineItem/{item['id']}"
        item["sku"] = sku
        item["quantity"] = quantity
        for key in ("current_quantity", "fulfillable_quantity"):
            if key in item:
                item[key] = quantity
        item["discount_allocations"] = []
        items.append(item)
    order["line_items"] = items
    order["refunds"] = []
    order["fulfillments"] = []
    return order


def new_shopify_order_id() -> int:
    return 7_000_000_000_000 + uuid.uuid4().int % 1_000_000_000_000


def new_amazon_order_id(prefix: str = "114") -> str:
    """A fresh SP-API order id (`114-1234567-1234567`)."""
    n = uuid.uuid4().int
    return f"{prefix}-{n % 10**7:07d}-{(n // 10**7) % 10**7:07d}"


def put_amazon_order_change(stack: LocalStack, order_id: str, status: str = "Unshipped") -> None:
    """Amazon's ORDER_CHANGE notification for `order_id`, put on the stack's partner event bus."""
    event = load_event("amazon/order_change_unshipped")
    detail = copy.deepcopy(event["detail"])
    detail["Payload"]["OrderChangeNotification"]["AmazonOrderId"] = order_id
    detail["Payload"]["OrderChangeNotification"]["Summary"]["OrderStatus"] = status
    detail["NotificationMetadata"]["NotificationId"] = str(uuid.uuid4())
    answer = boto3.client("events").put_events(
        Entries=[
            {
                "Source": stack.partner_event_bus,
                "DetailType": event["detail-type"],
                "Detail": json.dumps(detail),
                "EventBusName": stack.partner_event_bus,
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0


def wms_adjustment(sku: str, on_hand: int, sequence: int, location_id: str = LOCATION) -> dict[str, Any]:
    event = load_event("wms/inventory_adjusted")
    event.update(
        event_id=unique("wms-evt"), sku=sku, on_hand=on_hand, delta=None, sequence=sequence, location_id=location_id
    )
    return event


@dataclass
class Delivery:
    """What a vendor sends: the raw body and its headers (signature included)."""

    source: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Flows:
    stack: LocalStack
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    # Webhooks -----------------------------------------------------------------------------------
    def delivery(self, source: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Delivery:
        body = json.dumps(payload).encode()
        return Delivery(source, body, signed_headers(source, body, headers=headers or {}, base_url=self.stack.api_url))

    def shopify_delivery(self, order: dict[str, Any], topic: str = "orders/create") -> Delivery:
        headers = {
            **load_headers("shopify/orders_create"),
            "X-Shopify-Topic": topic,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
        }
        return self.delivery("shopify", order, headers)

    def shopify_cancellation(self, order: dict[str, Any]) -> Delivery:
        """The orders/cancelled webhook for `order`, cancelled by the customer."""
        cancelled = {**order, "cancelled_at": "2026-11-23T18:00:00-05:00", "cancel_reason": "customer"}
        return self.shopify_delivery(cancelled, topic="orders/cancelled")

    def square_delivery(self, square_order_id: str, state: str = "COMPLETED") -> Delivery:
        event = load_event("square/order_updated_completed")
        event["event_id"] = str(uuid.uuid4())
        event["data"]["id"] = square_order_id
        change = event["data"]["object"]["order_updated"]
        change.update(order_id=square_order_id, state=state)
        return self.delivery("square", event, load_headers("square/order_updated_completed"))

    def send(self, delivery: Delivery, **headers: str) -> httpx.Response:
        return self.http.post(
            f"{self.stack.api_url}/v1/webhooks/{delivery.source}",
            content=delivery.body,
            headers={**delivery.headers, **headers},
        )

    def accept(self, delivery: Delivery) -> dict[str, Any]:
        answer = self.send(delivery)
        assert answer.status_code == 202, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def place_shopify_order(self, lines: Iterable[tuple[str, int]]) -> int:
        """A new Shopify order for `lines` (sku, quantity), delivered, accepted and run until idle: its id."""
        channel_order_id = new_shopify_order_id()
        self.accept(self.shopify_delivery(shopify_order(channel_order_id, lines)))
        self.idle()
        return channel_order_id

    def stock(self, sku: str, on_hand: int, sequence: int = 1, location_id: str = LOCATION) -> None:
        """Stock through the real path: a signed WMS adjustment, applied by the inventory worker."""
        self.stock_all({sku: on_hand}, sequence, location_id)

    def stock_all(self, on_hand: dict[str, int], sequence: int = 1, location_id: str = LOCATION) -> None:
        """One WMS adjustment per SKU, then wait until the inventory worker applied them all."""
        for sku, units in on_hand.items():
            self.accept(self.delivery("wms", wms_adjustment(sku, units, sequence, location_id)))
        self.idle()

    # Ops API ------------------------------------------------------------------------------------
    def ops(self, path: str) -> httpx.Response:
        return self.http.get(f"{self.stack.api_url}/v1/ops/{path}")

    def order(self, channel: str, channel_order_id: str | int) -> dict[str, Any]:
        answer = self.ops(f"orders/{channel}/{channel_order_id}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def position(self, sku: str, location_id: str = LOCATION) -> dict[str, Any]:
        answer = self.ops(f"inventory/{sku}")
        assert answer.status_code == 200, answer.text
        [position] = [p for p in answer.json()["locations"] if p["location_id"] == location_id]
        return dict(position)

    def timeline(self, correlation_id: str) -> list[tuple[str, str]]:
        answer = self.ops(f"transactions/{correlation_id}")
        assert answer.status_code == 200, answer.text
        return [(e["hop"], e["status"]) for e in answer.json()["events"]]

    # Sandboxes ----------------------------------------------------------------------------------
    def sandbox_url(self, name: str) -> str:
        return self.stack.sandbox_urls[name]

    def erp_calls(self, order_id: str, method: str = "PUT") -> list[dict[str, Any]]:
        answer = self.http.get(
            f"{self.sandbox_url('erp')}/__admin/requests",
            params={"method": method, "path": f"{SALES_ORDER_PATH}/eid:{order_id}"},
        )
        calls: list[dict[str, Any]] = answer.json()["requests"]
        return calls

    def erp_records(self, order_id: str) -> list[dict[str, Any]]:
        items = self.http.get(f"{self.sandbox_url('erp')}/__admin/records").json()["items"]
        return [r for r in items if r["externalId"] == order_id]

    def faults(self, sandbox: str, faults: dict[str, Any] | None) -> dict[str, Any]:
        """Set (merge) a sandbox's faults, or reset them to its defaults with None."""
        url = f"{self.sandbox_url(sandbox)}/__admin/faults"
        answer = self.http.delete(url) if faults is None else self.http.post(url, json=faults)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    # AWS ----------------------------------------------------------------------------------------
    def queue_depth(self, logical_id: str) -> int:
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=self.stack.physical_id(logical_id),
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())

    def drain(self, logical_id: str) -> list[dict[str, Any]]:
        """Receive (and delete) every message on a queue nobody consumes (DLQs)."""
        sqs = boto3.client("sqs")
        url = self.stack.physical_id(logical_id)
        bodies: list[dict[str, Any]] = []
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def flow_errors(self, channel_order_id: str | int) -> list[str]:
        """The errors OrderFlow's executions for this order met (retried or not), in order."""
        sfn = boto3.client("stepfunctions")
        arn = self.stack.physical_id("OrderFlow")
        errors: list[str] = []
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            for execution in page["executions"]:
                if f"-{channel_order_id}-" not in execution["name"]:
                    continue
                events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
                for event in events:
                    for key, details in event.items():
                        if key.endswith("FailedEventDetails") and isinstance(details, dict) and "error" in details:
                            errors.append(str(details["error"]))
        return errors

    def idle(self, timeout: float = 60.0) -> None:
        self.stack.wait_idle(timeout)


def shopify_order_id(channel_order_id: int | str) -> str:
    return order_id_for("shopify", str(channel_order_id))


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(every)


def open_flows(stack: LocalStack) -> Flows:
    """A Flows driver; the stack is idle and the sandboxes' faults are at their defaults."""
    flows = Flows(stack)
    flows.idle()
    for sandbox in stack.sandbox_urls:
        flows.faults(sandbox, None)
    return flows


def with_empty_snapshots(stack: LocalStack) -> Iterator[Flows]:
    """A Flows driver (`open_flows`, closed with `close_flows`) with the WMS's and the ERP's inventory
    snapshots empty before the test and emptied again after it, while the stack still runs."""
    driver = open_flows(stack)
    for sandbox in ("wms", "erp"):
        driver.http.delete(f"{driver.sandbox_url(sandbox)}/__admin/inventory")
    yield driver
    if driver.stack.ready:  # the directory's last test: conftest stopped the stack already
        for sandbox in ("wms", "erp"):
            driver.http.delete(f"{driver.sandbox_url(sandbox)}/__admin/inventory")
    close_flows(driver)


def close_flows(flows: Flows) -> None:
    """Teardown: faults back to their defaults even when the test failed, then let the stack settle."""
    try:
        if not flows.stack.ready:  # the directory's last test: conftest stopped the stack already
            return
        for sandbox in flows.stack.sandbox_urls:
            flows.faults(sandbox, None)
        flows.idle()
    finally:
        flows.http.close()
