"""The ops function: read-only on state, plus exactly what parked-order replay needs."""

from __future__ import annotations

from typing import Any

from infra import constants as c
from tests.infra.conftest import as_list, policy_statements_for_role, render, role_of


def _ops_statements(resources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return policy_statements_for_role(resources, role_of(resources[c.ID_OPS_API_FUNCTION]))


def test_replay_receives_and_deletes_on_the_parking_queue_only(resources: dict[str, dict[str, Any]]) -> None:
    sqs = [s for s in _ops_statements(resources) if any(a.startswith("sqs:") for a in as_list(s["Action"]))]
    assert len(sqs) == 1
    assert sorted(as_list(sqs[0]["Action"])) == ["sqs:DeleteMessage", "sqs:ReceiveMessage"]
    assert [render(r) for r in as_list(sqs[0]["Resource"])] == [f"<{c.ID_ORDERS_PARKING_QUEUE}.Arn>"]


def test_replay_starts_executions_of_order_flow_only(resources: dict[str, dict[str, Any]]) -> None:
    starts = [s for s in _ops_statements(resources) if "states:StartExecution" in as_list(s["Action"])]
    assert [render(r) for s in starts for r in as_list(s["Resource"])] == [f"<{c.ID_ORDER_FLOW}>"]
    actions = {a for s in _ops_statements(resources) for a in as_list(s["Action"])}
    assert not {a for a in actions if a.startswith("states:")} - {"states:StartExecution"}
