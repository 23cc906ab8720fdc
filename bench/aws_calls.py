"""AWS API calls one accepted order costs, end to end, counted in the local stack.

Every botocore call made while one Shopify order travels webhook -> ingest -> queue -> orders
worker -> OrderFlow (reserve, ERP, record, publish) is attributed to who made it (a function's
handler, the Step Functions service integration, the SQS event source mapping) and the resource
it touched. The harness's own polling (wait_idle) is left out; the event source mapping's empty
long polls are reported apart, because Lambda makes them whether or not orders arrive.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import botocore.client
import httpx

Key = tuple[str, str, str, str]  # who, service, operation, resource


@dataclass
class CallCount:
    calls: Counter[Key]

    def rows(self) -> list[tuple[str, str, str, str, int]]:
        return [(*key, n) for key, n in sorted(self.calls.items())]

    def total(self, *, include_polls: bool = False) -> int:
        return sum(n for (who, _, op, _), n in self.calls.items() if include_polls or op != "ReceiveMessage")


def _who() -> str:
    frame: Any = sys._getframe(2)
    fallback = None
    while frame is not None:
        name = frame.f_code.co_filename
        if frame.f_code.co_name == "with_trace_batch":  # an entry point writing its held trace hops
            name = getattr(frame.f_locals.get("function"), "__code__", frame.f_code).co_filename
        if "/functions/" in name and "/handlers/" in name:
            return name.split("/functions/", 1)[1].removesuffix(".py").replace("/handlers/", ":")
        if fallback is None:
            if "/local/poller" in name:
                fallback = "event source mapping (Lambda)"
            elif "/moto/stepfunctions" in name:
                fallback = "OrderFlow service integration (Step Functions)"
            elif "/local/stack.py" in name or "/bench/" in name:
                fallback = "harness"
        frame = frame.f_back
    return fallback or threading.current_thread().name


def _resource(params: dict[str, Any]) -> str:
    for field in ("TableName", "QueueUrl", "StateMachineArn", "FunctionName", "SecretId"):
        if field in params:
            return str(params[field]).rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if "TransactItems" in params:
        tables = {next(iter(item.values())).get("TableName", "?") for item in params["TransactItems"]}
        return ",".join(sorted(tables))
    if "RequestItems" in params:
        return ",".join(sorted(params["RequestItems"]))
    if "Entries" in params:
        return ",".join(sorted({str(e.get("EventBusName", "default")).rsplit("/", 1)[-1] for e in params["Entries"]}))
    return ""


@contextmanager
def counting() -> Iterator[Counter[Key]]:
    calls: Counter[Key] = Counter()
    client_class: Any = botocore.client.BaseClient
    original = client_class._make_api_call

    def counted(self: Any, operation: str, params: dict[str, Any]) -> Any:
        who = _who()
        if who != "harness":
            calls[(who, self.meta.service_model.service_name, operation, _resource(params))] += 1
        return original(self, operation, params)

    client_class._make_api_call = counted
    try:
        yield calls
    finally:
        client_class._make_api_call = original


def measure() -> CallCount:
    """Boot the local stack, stock the SKUs, then count what one Shopify order costs."""
    from local.config import LocalConfig
    from local.signing import fixture_request
    from local.stack import LocalStack

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    config = LocalConfig(
        api_port=0, aws_port=0, sandbox_base_port=0, visibility_scale=0.05, schedules=False, quiet=True
    )
    with LocalStack(config) as stack, httpx.Client(timeout=30) as client:
        for fixture in ("wms/inventory_adjusted", "wms/inventory_adjusted_black"):
            body, headers = fixture_request(fixture, base_url=stack.api_url)
            client.post(f"{stack.api_url}/v1/webhooks/wms", content=body, headers=headers).raise_for_status()
        stack.wait_idle(60)
        with counting() as calls:
            body, headers = fixture_request("shopify/orders_create", base_url=stack.api_url)
            answer = client.post(f"{stack.api_url}/v1/webhooks/shopify", content=body, headers=headers)
            answer.raise_for_status()
            stack.wait_idle(60)
        order = client.get(f"{stack.api_url}/v1/ops/orders/shopify/820982911946154508").json()
        if order.get("status") != "ACCEPTED":
            raise RuntimeError(f"the bench order did not get accepted: {order}")
    return CallCount(calls)
