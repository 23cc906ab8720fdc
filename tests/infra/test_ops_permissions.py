"""The ops function: read-only on state, plus exactly what parked-order replay and exception retries need."""

from __future__ import annotations

from typing import Any

from infra import constants as c
from tests.infra.conftest import as_list, policy_statements_for_role, render, role_of


def _ops_statements(resources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return policy_statements_for_role(resources, role_of(resources[c.ID_OPS_API_FUNCTION]))


def _sqs_by_queue(resources: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    granted: dict[str, set[str]] = {}
    for statement in _ops_statements(resources):
        actions = {a for a in as_list(statement["Action"]) if a.startswith("sqs:")}
        for resource in as_list(statement["Resource"]) if actions else []:
            granted.setdefault(render(resource), set()).update(actions)
    return granted


def test_replay_receives_and_deletes_on_the_parking_queue_only(resources: dict[str, dict[str, Any]]) -> None:
    assert _sqs_by_queue(resources)[f"<{c.ID_ORDERS_PARKING_QUEUE}.Arn>"] == {"sqs:DeleteMessage", "sqs:ReceiveMessage"}


def test_an_exception_retry_or_redrive_sends_only_to_source_queues_and_reads_only_dlqs(
    resources: dict[str, dict[str, Any]],
) -> None:
    granted = _sqs_by_queue(resources)
    sources = {c.ID_ORDERS_QUEUE, c.ID_INVENTORY_QUEUE, c.ID_POS_FILES_QUEUE, c.ID_AVAILABILITY_CHANGES_QUEUE}
    sources |= {
        c.ID_CHANNEL_OUTBOUND_QUEUE,
        c.ID_FINANCE_QUEUE,
        c.ID_CUSTOMER_STATUS_QUEUE,
        c.ID_CATALOG_QUEUE,
        c.ID_ERP_FULFILMENT_QUEUE,
    }
    dlqs = {c.ID_ORDERS_DLQ, c.ID_INVENTORY_DLQ, c.ID_POS_FILES_DLQ, c.ID_AVAILABILITY_CHANGES_DLQ}
    dlqs |= {c.ID_CHANNEL_OUTBOUND_DLQ, c.ID_CUSTOMER_STATUS_DLQ, c.ID_CATALOG_DLQ, c.ID_ERP_FULFILMENT_DLQ}
    assert set(granted) == {f"<{q}.Arn>" for q in sources | dlqs | {c.ID_ORDERS_PARKING_QUEUE}}
    for queue in sources:
        assert "sqs:SendMessage" in granted[f"<{queue}.Arn>"]
        assert not granted[f"<{queue}.Arn>"] & {"sqs:ReceiveMessage", "sqs:DeleteMessage"}, queue
    for dlq in dlqs:  # redrive: read and delete a DLQ's messages once they are back on their source queue
        assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= granted[f"<{dlq}.Arn>"]
        assert "sqs:SendMessage" not in granted[f"<{dlq}.Arn>"]
    assert granted[f"<{c.ID_FINANCE_QUEUE}.Arn>"] & {"sqs:SendMessage"}
    assert not granted[f"<{c.ID_FINANCE_QUEUE}.Arn>"] & {"sqs:ReceiveMessage", "sqs:DeleteMessage"}
    assert "sqs:SendMessage" in granted[f"<{c.ID_ORDERS_QUEUE}.Arn>"]
    assert not granted[f"<{c.ID_ORDERS_QUEUE}.Arn>"] & {"sqs:ReceiveMessage", "sqs:DeleteMessage"}


def test_replay_starts_executions_of_order_flow_only(resources: dict[str, dict[str, Any]]) -> None:
    starts = [s for s in _ops_statements(resources) if "states:StartExecution" in as_list(s["Action"])]
    assert [render(r) for s in starts for r in as_list(s["Resource"])] == [f"<{c.ID_ORDER_FLOW}>"]
    actions = {a for s in _ops_statements(resources) for a in as_list(s["Action"])}
    assert not {a for a in actions if a.startswith("states:")} - {"states:StartExecution"}
