"""ReturnFlow through moto's real execution of the synthesized definition (the local stack)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3

from local.demo.returns import start_loop_return_flow
from local.stack import LocalStack
from tests.integration.flows import Flows, new_shopify_order_id, shopify_order, wait_until


def _finished(execution_arn: str, timeout_s: float = 60.0) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.2)
    raise AssertionError(f"{execution_arn} still running")


def _start(channel_order_id: str, requested_at: str) -> tuple[str, str, dict[str, Any]]:
    """A Loop return of one BLACK unit started on ReturnFlow as ReturnEvents starts it, with a 2 s
    inspection window: (return id, execution ARN, the request)."""
    return_id = str(800_000 + uuid.uuid4().int % 10_000_000)  # Loop's return ids are integers
    execution_arn, request = start_loop_return_flow(
        return_id, channel_order_id, "IPOD2008BLACK", requested_at, inspection_timeout_seconds=2
    )
    return return_id, execution_arn, request


def test_return_for_an_unknown_order_is_rejected_by_policy_and_the_flow_ends(local_stack: LocalStack) -> None:
    return_id, execution_arn, _ = _start("no-such-order", "2026-11-20T10:00:00Z")
    done = _finished(execution_arn)
    assert done["status"] == "SUCCEEDED", (done.get("error"), done.get("cause"), done.get("output"))
    output = json.loads(done["output"])
    assert output["policy"] == {"return_key": f"loop:{return_id}", "approved": False}
    assert output["reported"] == {"status": "REJECTED"}
    assert local_stack.sandboxes.loop.states()[return_id] == "closed"  # Loop told: closed, no outcomes


def test_a_return_whose_goods_never_reach_the_warehouse_times_out_into_an_ops_exception(flows: Flows) -> None:
    # GIVEN an accepted Shopify order and a return of one unit, started with a 2 s inspection window
    order_id = new_shopify_order_id()
    flows.stock("IPOD2008BLACK", 40, sequence=int(time.time()))
    flows.accept(flows.shopify_delivery(shopify_order(order_id, [("IPOD2008BLACK", 2)])))
    wait_until(lambda: flows.ops(f"orders/shopify/{order_id}").json().get("status") == "ACCEPTED", timeout=60)
    return_id, execution_arn, request = _start(str(order_id), "2022-01-03T10:00:00Z")

    # WHEN no inspection comes
    done = _finished(execution_arn)

    # THEN the flow ends failed, the return is EXCEPTION with nothing refunded, and ops lists it
    assert done["status"] == "FAILED"
    answer = flows.ops(f"returns/loop/{return_id}").json()
    assert answer["status"] == "EXCEPTION" and answer["refund"]["erp_credit_memo_id"] is None
    listed = flows.http.get(f"{flows.stack.api_url}/v1/ops/exceptions", params={"kind": "return"}).json()
    mine = [e for e in listed["exceptions"] if (e.get("details") or {}).get("return_key") == f"loop:{return_id}"]
    assert len(mine) == 1 and mine[0]["reason"] == "inspection_timeout"
    assert mine[0]["correlation_id"] == request["correlation_id"]
