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

import os
import sys
from collections import Counter
from decimal import Decimal

import boto3
import httpx

from bench import cost

SKU, LOCATION = "BENCH-RETURN", "dc-east"  # the default fulfilment location


def _transitions(execution_arn: str) -> int:
    sfn = boto3.client("stepfunctions")
    entered = 0
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
    for page in pages:
        entered += sum(1 for event in page["events"] if str(event["type"]).endswith("StateEntered"))
    return entered


def measure() -> tuple[cost.Usage, Counter[str]]:
    from local.config import LocalConfig
    from local.demo.namespace import Namespace
    from local.demo.returns import stock_and_order, take_return
    from local.stack import LocalStack

    os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    usage = cost.Usage()
    config = LocalConfig(
        api_port=0, aws_port=0, sandbox_base_port=0, visibility_scale=0.05, schedules=False, quiet=True
    )
    ns = Namespace("")
    with cost._counting_log_bytes(None), LocalStack(config) as stack, httpx.Client(timeout=30) as client:
        api = stack.api_url
        order_id = 7_100_000_000_001
        stock_and_order(client, api, SKU, LOCATION, order_id, ns, lambda: stack.wait_idle(60))
        status = client.get(f"{api}/v1/ops/orders/shopify/{order_id}").json().get("status")
        if status != "ACCEPTED":
            raise RuntimeError(f"order {order_id} is {status}, not ACCEPTED")
        returns = []
        warm = take_return(client, stack, order_id, "910001", SKU, LOCATION, "resellable", ns)
        returns.append(warm)  # the first warms every function of the flow
        with cost.metering(usage, path="return") as meter:
            returns.append(take_return(client, stack, order_id, "910002", SKU, LOCATION, "resellable", ns))
            stack.wait_idle(60)
        for one in returns:
            if not all(answer.as_expected for answer in one.answers) or (one.after or {}).get("status") != "REFUNDED":
                raise RuntimeError(f"return {one.key} ended {(one.after or {}).get('status')}, not REFUNDED")
        usage.add("return", "apigateway_rest_request", 2, "POST /v1/webhooks/loop, POST /v1/webhooks/wms")
        usage.add("return", "logs_gb", Decimal(800) / 1024**3, "API Gateway access log lines")
        usage.add("return", "xray_trace", 2 * cost.XRAY_SAMPLED_SHARE, "default sampling rule")
        for machine_arn, execution_arn in meter.started_executions:
            if machine_arn.endswith("-return-flow"):
                usage.add("return", "sfn_standard_transition", _transitions(execution_arn), "ReturnFlow states entered")
    return usage, meter.calls


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
