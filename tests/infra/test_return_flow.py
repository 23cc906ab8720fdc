"""ReturnFlow: no task fails without the return becoming an exception for a person."""

from __future__ import annotations

import json
from typing import Any

from tests.infra.conftest import render


def _definition(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    [machine] = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::StepFunctions::StateMachine" and r["Properties"].get("StateMachineType") != "EXPRESS"
    ]
    return dict(json.loads(render(machine["Properties"]["DefinitionString"])))


def test_every_return_flow_task_catches_into_record_exception(resources: dict[str, dict[str, Any]]) -> None:
    states = _definition(resources)["States"]
    tasks = {name for name, state in states.items() if state["Type"] == "Task" and name != "RecordException"}
    assert "ApplyPolicy" in tasks and len(tasks) == 7
    for name in tasks:
        assert {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordException"} in states[name][
            "Catch"
        ], name
    record = states["RecordException"]["Parameters"]
    assert (record["error.$"], record["request.$"]) == ("$.error", "$.request")  # the request, if nothing is stored
    assert states[states["RecordException"]["Next"]]["Type"] == "Fail"


def test_stuck_returns_are_swept_hourly_by_a_function_that_reads_returns_and_raises_only_return_exceptions(
    resources: dict[str, dict[str, Any]],
) -> None:
    from infra import constants as c
    from tests.infra.conftest import as_list, policy_statements_for_role, role_of

    rule = resources[c.ID_STUCK_RETURNS_SCHEDULE]["Properties"]
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    assert [render(t["Arn"]) for t in rule["Targets"]] == [f"<{c.ID_STUCK_RETURNS_FUNCTION}.Arn>"]
    fn = resources[c.ID_STUCK_RETURNS_FUNCTION]
    assert fn["Properties"]["ReservedConcurrentExecutions"] == 1
    table = [
        s
        for s in policy_statements_for_role(resources, role_of(fn))
        if any(render(r).startswith(f"<{c.ID_STATE_TABLE}.Arn>") for r in as_list(s["Resource"]))
    ]
    granted = {
        (tuple(sorted(as_list(s["Action"]))), tuple(s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]))
        for s in table
    }
    assert granted == {
        (("dynamodb:BatchGetItem", "dynamodb:Query"), ("RETURNSBYDAY#*", "RETURNCASE#*")),
        (("dynamodb:UpdateItem",), ("EXCEPTION#RETURN",)),
    }
