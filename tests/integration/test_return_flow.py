"""ReturnFlow through moto's real execution of the synthesized definition (the local stack)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3

from local.stack import LocalStack


def _return_flow_arn() -> str:
    machines = boto3.client("stepfunctions").list_state_machines()["stateMachines"]
    [arn] = [m["stateMachineArn"] for m in machines if m["name"].endswith("-return-flow")]
    return arn


def _finished(execution_arn: str, timeout_s: float = 60.0) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.2)
    raise AssertionError(f"{execution_arn} still running")


def test_return_for_an_unknown_order_is_rejected_by_policy_and_the_flow_ends(local_stack: LocalStack) -> None:
    return_id = str(800_000 + uuid.uuid4().int % 10_000_000)  # Loop's return ids are integers
    request = {
        "source": "loop",
        "source_return_id": return_id,
        "channel": "shopify",
        "channel_order_id": "no-such-order",
        "correlation_id": f"corr-{uuid.uuid4().hex[:12]}",
        "requested_at": "2026-11-20T10:00:00Z",
        "lines": [{"sku": "IPOD2008BLACK", "quantity": 1}],
    }
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=_return_flow_arn(),
        name=f"loop_{return_id}",
        input=json.dumps(
            {
                "request": request,
                "return_key": f"loop:{return_id}",
                "correlation_id": request["correlation_id"],
                "inspection_timeout_seconds": 2,
            }
        ),
    )
    done = _finished(execution["executionArn"])
    assert done["status"] == "SUCCEEDED", (done.get("error"), done.get("cause"), done.get("output"))
    output = json.loads(done["output"])
    assert output["policy"] == {"return_key": f"loop:{return_id}", "approved": False}
    assert output["reported"] == {"status": "REJECTED"}
    assert local_stack.sandboxes.loop.states()[return_id] == "closed"  # Loop told: closed, no outcomes
