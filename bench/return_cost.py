"""AWS calls and modelled cost of one return end to end (issue 9's closing note).

`python -m bench.return_cost`: in the local stack, a Shopify order is accepted, then Loop's
`return.created` for one unit of it and the warehouse's `return.inspected` are delivered through
API Gateway, and ReturnFlow (a Standard state machine) runs from policy to the refund: ERP return
authorization, inspection wait (task token), disposition and restock, ERP credit memo, Shopify refund,
Loop told. A first return warms every function (their cold starts are not per return); the second
is metered with `bench.cost.metering`: every AWS request on the wire (DynamoDB request units from
the real item sizes), every Lambda invocation (memory x modelled billed time), every log line at the
deployed level. Standard workflows are billed per state transition: the execution's history gives
them (each state entered, the Choice and Fail/Succeed states included). Prices: `bench.cost.PRICES`.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import boto3
import httpx

from bench import cost

WAIT_S = 90.0


def _shopify_order(order_id: int) -> dict[str, Any]:
    from local.signing import EVENTS_DIR

    order: dict[str, Any] = json.loads((EVENTS_DIR / "shopify" / "orders_create.json").read_text())
    item = copy.deepcopy(order["line_items"][1])  # IPOD2008BLACK
    item.update(id=order_id * 10, sku="IPOD2008BLACK", quantity=2, discount_allocations=[])
    order.update(id=order_id, name=f"#{order_id % 100000}", line_items=[item], refunds=[], fulfillments=[])
    order["admin_graphql_api_id"] = f"gid://shopify/Order/{order_id}"
    return order


def _post(client: httpx.Client, api_url: str, source: str, payload: dict[str, Any], fixture: str, **extra: str) -> None:
    """Signed as the vendor signs it, with the fixture's own headers (`events/<fixture>.headers.json`)."""
    from local.signing import EVENTS_DIR, signed_headers

    named = EVENTS_DIR / f"{fixture}.headers.json"
    base = json.loads(named.read_text()) if named.exists() else {"Content-Type": "application/json"}
    body = json.dumps(payload).encode()
    headers = signed_headers(source, body, headers={**base, **extra}, base_url=api_url)
    answer = client.post(f"{api_url}/v1/webhooks/{source}", content=body, headers=headers)
    answer.raise_for_status()


def _until(check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def _return(client: httpx.Client, stack: Any, order_id: int, return_id: str) -> None:
    """One return through to its refund: Loop's return.created, then the inspection."""
    from local.signing import EVENTS_DIR

    loop = json.loads((EVENTS_DIR / "loop" / "return_created.json").read_text())
    loop.update(id=return_id, provider_order_id=str(order_id), provider_order_external_id=str(order_id))
    _post(client, stack.api_url, "loop", loop, "loop/return_created")
    erp = stack.sandboxes.erp
    key = f"loop:{return_id}"
    _until(lambda: any(r["externalId"] == key for r in erp.return_records("returnAuthorization")), "authorization")
    inspection = json.loads((EVENTS_DIR / "wms" / "return_inspected.json").read_text())
    inspection.update(event_id=f"wms-evt-{uuid.uuid4().hex[:12]}", sequence=int(time.time()), return_id=key)
    _post(client, stack.api_url, "wms", inspection, "wms/return_inspected")

    def refunded() -> bool:
        answer = client.get(f"{stack.api_url}/v1/ops/returns/loop/{return_id}")
        return answer.status_code == 200 and answer.json()["status"] in ("REFUNDED", "EXCEPTION")

    _until(refunded, "the refund")
    stack.wait_idle(60)
    status = client.get(f"{stack.api_url}/v1/ops/returns/loop/{return_id}").json()["status"]
    if status != "REFUNDED":
        raise RuntimeError(f"return {key} ended {status}, not REFUNDED")


def _transitions(execution_arn: str) -> int:
    sfn = boto3.client("stepfunctions")
    entered = 0
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
    for page in pages:
        entered += sum(1 for event in page["events"] if str(event["type"]).endswith("StateEntered"))
    return entered


def measure() -> tuple[cost.Usage, Counter[str]]:
    from local.config import LocalConfig
    from local.signing import fixture_request
    from local.stack import LocalStack

    os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    usage = cost.Usage()
    config = LocalConfig(
        api_port=0, aws_port=0, sandbox_base_port=0, visibility_scale=0.05, schedules=False, quiet=True
    )
    with cost._counting_log_bytes(None), LocalStack(config) as stack, httpx.Client(timeout=30) as client:
        body, headers = fixture_request("wms/inventory_adjusted_black", base_url=stack.api_url)
        client.post(f"{stack.api_url}/v1/webhooks/wms", content=body, headers=headers).raise_for_status()
        stack.wait_idle(60)
        orders = [7_100_000_000_000 + n for n in (1, 2)]
        for order_id in orders:
            _post(
                client,
                stack.api_url,
                "shopify",
                _shopify_order(order_id),
                "shopify/orders_create",
                **{"X-Shopify-Webhook-Id": str(uuid.uuid4()), "X-Shopify-Event-Id": str(uuid.uuid4())},
            )
        stack.wait_idle(60)
        for order_id in orders:
            status = client.get(f"{stack.api_url}/v1/ops/orders/shopify/{order_id}").json().get("status")
            if status != "ACCEPTED":
                raise RuntimeError(f"order {order_id} is {status}, not ACCEPTED")
        _return(client, stack, orders[0], "910001")  # warms every function of the flow
        calls: Counter[str] = Counter()
        cost.FORCED_PATH = "return"
        try:
            with cost.metering(usage) as meter:
                original = meter.request

                def counted(
                    service: str, operation: str, body: dict[str, Any], answer: dict[str, Any], who: str
                ) -> None:
                    if not (
                        who == "event source mapping (Lambda)"
                        and operation == "ReceiveMessage"
                        and not answer.get("Messages")
                    ):
                        calls[f"{service}:{operation}"] += 1  # an empty long poll is a fixed monthly cost
                    original(service, operation, body, answer, who)

                meter.request = counted  # type: ignore[method-assign]
                _return(client, stack, orders[1], "910002")
        finally:
            cost.FORCED_PATH = None
        usage.add("return", "apigateway_rest_request", 2, "POST /v1/webhooks/loop, POST /v1/webhooks/wms")
        usage.add("return", "logs_gb", Decimal(800) / 1024**3, "API Gateway access log lines")
        usage.add("return", "xray_trace", 2 * cost.XRAY_SAMPLED_SHARE, "default sampling rule")
        for machine_arn, execution_arn in meter.started_executions:
            if machine_arn.endswith("-return-flow"):
                usage.add("return", "sfn_standard_transition", _transitions(execution_arn), "ReturnFlow states entered")
    return usage, calls


def main() -> int:
    usage, calls = measure()
    per_million = usage.dollars_per_million()
    print("AWS requests for one return (service:operation count):")
    for name, count in sorted(calls.items()):
        print(f"  {name:45} {count}")
    print("modelled cost per 1M returns (us-east-1 list prices):")
    total = Decimal(0)
    for (path, meter), amount in sorted(usage.requests.items()):
        dollars = per_million[(path, meter)]
        total += dollars
        print(f"  {meter:28} {float(amount):>10.6g} per return  ${float(dollars):>9.2f}")
    print(f"  total ${float(total):.2f} per 1M returns (${float(total) / 1e6:.6f} per return)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
