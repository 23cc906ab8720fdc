"""Availability publishing and reconciliation constructs: schedules, coalescing queue, least privilege."""

from __future__ import annotations

from typing import Any

from infra import constants as c
from tests.infra.conftest import as_list, policy_statements_for_role, render, role_of


def _actions(resources: dict[str, dict[str, Any]], function_id: str) -> set[str]:
    statements = policy_statements_for_role(resources, role_of(resources[function_id]))
    return {a for s in statements for a in as_list(s["Action"]) if a.startswith(("dynamodb:", "lambda:"))}


def test_the_publisher_runs_every_minute_one_at_a_time(resources: dict[str, dict[str, Any]]) -> None:
    schedule = resources[c.ID_AVAILABILITY_PUBLISH_SCHEDULE]["Properties"]
    assert schedule["ScheduleExpression"] == "rate(1 minute)"
    assert schedule["Targets"][0]["Arn"] == {"Fn::GetAtt": [c.ID_AVAILABILITY_PUBLISHER_FUNCTION, "Arn"]}
    assert resources[c.ID_AVAILABILITY_PUBLISHER_FUNCTION]["Properties"]["ReservedConcurrentExecutions"] == 1


def test_reconciliation_runs_hourly_one_at_a_time(resources: dict[str, dict[str, Any]]) -> None:
    schedule = resources[c.ID_RECONCILIATION_SCHEDULE]["Properties"]
    assert schedule["ScheduleExpression"] == "rate(1 hour)"
    assert schedule["Targets"][0]["Arn"] == {"Fn::GetAtt": [c.ID_RECONCILIATION_FUNCTION, "Arn"]}
    assert resources[c.ID_RECONCILIATION_FUNCTION]["Properties"]["ReservedConcurrentExecutions"] == 1


def test_availability_events_on_the_domain_bus_feed_the_coalescing_queue(resources: dict[str, dict[str, Any]]) -> None:
    rule = resources[c.ID_AVAILABILITY_CHANGES_RULE]["Properties"]
    assert rule["EventBusName"] == {"Ref": c.ID_EVENT_BUS}
    assert rule["EventPattern"] == {"source": ["retail-sync"], "detail-type": list(c.AVAILABILITY_EVENT_TYPES)}
    assert [t["Arn"] for t in rule["Targets"]] == [{"Fn::GetAtt": [c.ID_AVAILABILITY_CHANGES_QUEUE, "Arn"]}]
    mapping = next(
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": c.ID_AVAILABILITY_MARKER_FUNCTION}
    )
    assert mapping["BatchSize"] == 100 and mapping["EventSourceArn"] == {
        "Fn::GetAtt": [c.ID_AVAILABILITY_CHANGES_QUEUE, "Arn"]
    }


def test_each_function_holds_only_the_table_actions_it_uses(resources: dict[str, dict[str, Any]]) -> None:
    assert _actions(resources, c.ID_AVAILABILITY_MARKER_FUNCTION) == {"dynamodb:UpdateItem"}
    assert _actions(resources, c.ID_AVAILABILITY_PUBLISHER_FUNCTION) == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }
    reconciliation = _actions(resources, c.ID_RECONCILIATION_FUNCTION)
    assert "dynamodb:Scan" in reconciliation and "dynamodb:DeleteItem" not in reconciliation


def test_ops_may_invoke_the_reconciliation_functions_and_nothing_else(resources: dict[str, dict[str, Any]]) -> None:
    # Inventory reconciliation and the settlement run (finance) start on demand from the ops API.
    statements = policy_statements_for_role(resources, role_of(resources[c.ID_OPS_API_FUNCTION]))
    invokes = [s for s in statements if "lambda:InvokeFunction" in as_list(s["Action"])]
    assert sorted(render(r) for s in invokes for r in as_list(s["Resource"])) == [
        f"<{c.ID_RECONCILIATION_FUNCTION}.Arn>",
        f"<{c.ID_SETTLEMENT_RECONCILIATION_FUNCTION}.Arn>",
    ]
    env = resources[c.ID_OPS_API_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert env[c.ENV_RECONCILIATION_FUNCTION_NAME] == {"Ref": c.ID_RECONCILIATION_FUNCTION}
