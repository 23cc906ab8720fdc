"""AWS calls and modelled cost of one return end to end (issue 9's closing note).

`python -m bench.return_cost`: in the local stack, a Shopify order is accepted, then Loop's
`return.created` for one unit of it and the warehouse's `return.inspected` are delivered through
API Gateway, and ReturnFlow (a Standard state machine) runs from policy to the refund: ERP return
authorization, inspection wait (task token), disposition and restock, ERP credit memo, Shopify refund,
Loop told. A first return warms every function (their cold starts are not per return); the second
is metered, and then a third, exchanged for another SKU (credited, not refunded; its replacement
order accepted by OrderFlow: orders worker, the Express flow and its tasks, the ERP sales order),
is metered apart as one exchange. Each is metered with `bench.cost.metering`: every AWS request on
the wire (DynamoDB request units from the real item sizes), every Lambda invocation (memory x
modelled billed time), every log line at the deployed level. Standard workflows are billed per
state transition: the execution's history gives them (each state entered, the Choice and
Fail/Succeed states included). Prices: `bench.cost.PRICES`.
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
SWAP_SKU = "BENCH-RETURN-X"  # what the exchanged unit is swapped for


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
    from local.demo.returns import stock_and_order, stock_sku, take_return
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
        stock_sku(client, api, SWAP_SKU, LOCATION, ns)
        stack.wait_idle(60)
        with cost.metering(usage, path="exchange") as exchange_meter:
            swapped = take_return(client, stack, order_id, "910003", SKU, LOCATION, "resellable", ns, SWAP_SKU)
            stack.wait_idle(60)
        replacement = (swapped.after or {}).get("exchange") or {}
        placed = client.get(
            f"{api}/v1/ops/orders/{replacement.get('channel')}/{replacement.get('channel_order_id')}"
        ).json()
        if (swapped.after or {}).get("status") != "CLOSED" or placed.get("status") != "ACCEPTED":
            raise RuntimeError(f"exchange {swapped.key}: {(swapped.after or {}).get('status')}, replacement {placed}")
        for path, one_meter in (("return", meter), ("exchange", exchange_meter)):
            usage.add(path, "apigateway_rest_request", 2, "POST /v1/webhooks/loop, POST /v1/webhooks/wms")
            usage.add(path, "waf_request", 2, "the edge web ACL inspects both webhooks")
            usage.add(path, "logs_gb", Decimal(800) / 1024**3, "API Gateway access log lines")
            usage.add(path, "xray_trace", 2 * cost.XRAY_SAMPLED_SHARE, "default sampling rule")
            for machine_arn, execution_arn in one_meter.started_executions:
                if machine_arn.endswith("-return-flow"):
                    usage.add(path, "sfn_standard_transition", _transitions(execution_arn), "ReturnFlow states entered")
                else:  # the replacement's OrderFlow (Express): a request, and its duration is its tasks'
                    usage.add(path, "sfn_express_request", 1, "StartExecution (the replacement's OrderFlow)")
                    task_ms = sum(
                        Decimal(note.split(" MB ")[1].split(" ms")[0])
                        for note in usage.detail[(path, "lambda_gb_second")]
                        if note.split(" ")[0] in ("ReserveStock", "CreateErpSalesOrder", "RecordOrder")
                    )
                    cost._express_execution(usage, stack, machine_arn, execution_arn, float(task_ms), path=path)
    return usage, meter.calls + exchange_meter.calls


def main() -> int:
    usage, calls = measure()
    per_million = usage.dollars_per_million()
    print("AWS requests for one return and one exchange (service:operation count):")
    for name, count in sorted(calls.items()):
        print(f"  {name:45} {count}")
    for path, what in (("return", "return"), ("exchange", "exchange (a return whose unit is swapped)")):
        print(f"modelled cost per 1M of one {what} (us-east-1 list prices):")
        total = Decimal(0)
        for (metered_path, meter), amount in sorted(usage.requests.items()):
            if metered_path != path:
                continue
            dollars = per_million[(metered_path, meter)]
            total += dollars
            print(f"  {meter:28} {float(amount):>10.6g} per {path}  ${float(dollars):>9.2f}")
        print(f"  total ${float(total):.2f} per 1M {path}s (${float(total) / 1e6:.6f} each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
