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
