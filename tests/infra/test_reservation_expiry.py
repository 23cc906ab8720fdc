"""The reservation-expiry sweeper: scheduled every 5 minutes, one run at a time, least privilege."""

from __future__ import annotations

from typing import Any

from infra import constants as c
from tests.infra.conftest import as_list, policy_statements_for_role, role_of


def _schedule(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    [rule] = [
        r
        for key, r in resources.items()
        if r["Type"] == "AWS::Events::Rule" and c.ID_RESERVATION_EXPIRY_SCHEDULE in key
    ]
    return rule


def test_the_sweeper_runs_every_five_minutes_against_its_function(resources: dict[str, dict[str, Any]]) -> None:
    rule = _schedule(resources)["Properties"]
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    assert rule["State"] == "ENABLED"
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [c.ID_RESERVATION_EXPIRY_FUNCTION, "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2


def test_only_one_sweep_runs_at_a_time(resources: dict[str, dict[str, Any]]) -> None:
    fn = resources[c.ID_RESERVATION_EXPIRY_FUNCTION]["Properties"]
    assert fn["ReservedConcurrentExecutions"] == 1
    assert fn["Handler"] == c.HANDLER_EXPIRE_RESERVATIONS


def test_the_sweeper_may_read_and_write_the_state_table_and_publish_but_not_touch_queues(
    resources: dict[str, dict[str, Any]],
) -> None:
    statements = policy_statements_for_role(resources, role_of(resources[c.ID_RESERVATION_EXPIRY_FUNCTION]))
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert {"dynamodb:Scan", "dynamodb:UpdateItem", "events:PutEvents"} <= actions
    assert not any(a.startswith(("sqs:", "s3:", "states:")) for a in actions)
