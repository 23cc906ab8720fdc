"""The channel-outbound wiring: rule -> queue (with DLQ) -> worker, least privilege, channel base URLs."""

from __future__ import annotations

from typing import Any

from infra import constants as c


def _statements(resources: dict[str, dict[str, Any]], function_id: str) -> list[dict[str, Any]]:
    role = resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    found: list[dict[str, Any]] = []
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if {"Ref": role} in resource["Properties"]["Roles"]:
            found.extend(resource["Properties"]["PolicyDocument"]["Statement"])
    return found


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def test_order_accepted_and_shipped_events_reach_the_outbound_queue(resources: dict[str, dict[str, Any]]) -> None:
    rule = resources[c.ID_CHANNEL_OUTBOUND_RULE]["Properties"]
    assert rule["EventPattern"] == {"source": ["retail-sync"], "detail-type": ["OrderAccepted", "OrderShipped"]}
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [c.ID_CHANNEL_OUTBOUND_QUEUE, "Arn"]}
    queue = resources[c.ID_CHANNEL_OUTBOUND_QUEUE]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [c.ID_CHANNEL_OUTBOUND_DLQ, "Arn"]},
        "maxReceiveCount": c.MAX_RECEIVE_COUNT,
    }
    assert queue["VisibilityTimeout"] == c.VISIBILITY_TIMEOUT_FACTOR * c.CHANNEL_OUTBOUND_TIMEOUT_SECONDS


def test_the_worker_reports_partial_batch_failures_with_bounded_concurrency(
    resources: dict[str, dict[str, Any]],
) -> None:
    [mapping] = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": c.ID_CHANNEL_OUTBOUND_FUNCTION}
    ]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == c.CHANNEL_OUTBOUND_BATCH_SIZE
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": c.CHANNEL_OUTBOUND_MAX_CONCURRENCY}


def test_the_worker_touches_only_order_items_and_its_own_markers(resources: dict[str, dict[str, Any]]) -> None:
    statements = _statements(resources, c.ID_CHANNEL_OUTBOUND_FUNCTION)
    state_arn = {"Fn::GetAtt": ["StateTable", "Arn"]}
    on_state = [
        s
        for s in statements
        if s["Resource"] == state_arn or (isinstance(s["Resource"], list) and state_arn in s["Resource"])
    ]
    assert on_state, "the worker needs the state table"
    for statement in on_state:
        keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        writes = _actions(statement) & {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
        # Its own markers, and a command that failed for good kept as an exception (dead letters).
        allowed_writes = (["OUTBOUND#*"], ["EXCEPTION#CHANNEL_COMMAND"])
        assert keys in allowed_writes if writes else set(keys) <= {"ORDER#*", "OUTBOUND#*"}
    every_action = set().union(*(_actions(s) for s in statements))
    assert not {a for a in every_action if a.startswith("dynamodb:") and "Scan" in a or a == "dynamodb:*"}
    assert "sqs:SendMessage" in every_action  # its DLQ
    assert "events:PutEvents" not in every_action


def test_the_worker_gets_the_channel_base_urls_the_publisher_uses(resources: dict[str, dict[str, Any]]) -> None:
    outbound = resources[c.ID_CHANNEL_OUTBOUND_FUNCTION]["Properties"]["Environment"]["Variables"]
    publisher = resources[c.ID_AVAILABILITY_PUBLISHER_FUNCTION]["Properties"]["Environment"]["Variables"]
    for name in (
        c.ENV_WALMART_API_BASE_URL,
        c.ENV_EBAY_API_BASE_URL,
        c.ENV_SHOPIFY_ADMIN_BASE_URL,
        c.ENV_AMAZON_SP_API_BASE_URL,
        c.ENV_AMAZON_MARKETPLACE_IDS,
        c.ENV_ZALANDO_API_BASE_URL,
        c.ENV_ZALANDO_MERCHANT_ID,
    ):
        assert outbound[name] == publisher[name], name
    assert outbound[c.ENV_CHANNEL_OUTBOUND_DLQ_URL] == {"Ref": c.ID_CHANNEL_OUTBOUND_DLQ}
