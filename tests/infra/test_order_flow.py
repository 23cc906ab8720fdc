"""OrderFlow: an Express, JSONPath state machine with the states and retries of docs/wiring.md."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra import constants as c
from tests.infra.conftest import render


@pytest.fixture(scope="module")
def definition(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return json.loads(render(resources[c.ID_ORDER_FLOW]["Properties"]["DefinitionString"]))


def _retry(state: dict[str, Any], error: str) -> dict[str, Any]:
    matches = [r for r in state.get("Retry", []) if error in r["ErrorEquals"]]
    assert len(matches) == 1, state.get("Retry")
    return matches[0]


def test_order_flow_is_express_traced_and_logs_its_failures_only(resources: dict[str, dict[str, Any]]) -> None:
    props = resources[c.ID_ORDER_FLOW]["Properties"]
    assert props["StateMachineType"] == "EXPRESS"
    assert props["TracingConfiguration"] == {"Enabled": True}
    # Every hop is in the trace table; logging ALL history events would cost ~$6 per 1M orders.
    assert props["LoggingConfiguration"]["Level"] == "ERROR"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_order_flow_uses_jsonpath_not_jsonata(definition: dict[str, Any]) -> None:
    assert definition.get("QueryLanguage", "JSONPath") == "JSONPath"
    assert all(s.get("QueryLanguage", "JSONPath") == "JSONPath" for s in definition["States"].values())


def test_order_flow_has_the_states_of_the_wiring_spec(definition: dict[str, Any]) -> None:
    assert definition["StartAt"] == "Route"
    expected = {
        "Route", "ReserveStock", "Reserved?", "SkipCancelled", "CreateErpSalesOrder", "RecordAccepted",
        "RecordOnHold", "RecordErpFailed", "PublishEvent", "TracePublished", "ParkOrder", "CancelOrder",
    }  # fmt: skip
    assert expected <= set(definition["States"])


def test_cancel_action_routes_to_cancel_order(definition: dict[str, Any]) -> None:
    route = definition["States"]["Route"]
    assert route["Choices"] == [{"Variable": "$.action", "StringEquals": "cancel", "Next": "CancelOrder"}]
    assert route["Default"] == "ReserveStock"


def test_erp_throttling_is_retried_with_full_jitter_backoff(definition: dict[str, Any]) -> None:
    retry = _retry(definition["States"]["CreateErpSalesOrder"], "ErpThrottled")
    assert retry == {
        "ErrorEquals": ["ErpThrottled"],
        "IntervalSeconds": 1,
        "BackoffRate": 2,
        "MaxAttempts": 6,
        "JitterStrategy": "FULL",
    }
    unavailable = _retry(definition["States"]["CreateErpSalesOrder"], "ErpUnavailable")
    assert (unavailable["IntervalSeconds"], unavailable["BackoffRate"], unavailable["MaxAttempts"]) == (
        2,
        2,
        3,
    )


def test_erp_outage_is_recorded_published_and_parked_and_a_refusal_is_an_exception(definition: dict[str, Any]) -> None:
    states = definition["States"]
    assert states["CreateErpSalesOrder"]["Catch"] == [
        # a permanent 4xx first: replaying it from the parking queue would meet the same refusal
        {"ErrorEquals": ["ErpRejected"], "ResultPath": "$.error", "Next": "CreateErpSalesOrderCaught"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordErpFailed"},
    ]
    assert states["RecordErpFailed"]["Parameters"]["status"] == "ERP_FAILED"
    assert states["RecordErpFailed"]["Next"] == "PublishEvent"
    after_publish = states[states["TracePublished"]["Next"]]
    [to_park] = [ch for ch in after_publish["Choices"] if ch["Next"] == "ParkOrder"]
    assert to_park["StringEquals"] == "OrderErpFailed"
    park = states["ParkOrder"]
    assert park["Resource"].endswith(":states:::sqs:sendMessage")
    assert park["Parameters"]["MessageBody.$"] == "$$.Execution.Input"
    assert park["Parameters"]["QueueUrl"] == f"<{c.ID_ORDERS_PARKING_QUEUE}>"
    # parking is the designed outcome of an outage, not an OrderFlow failure (no failure alarm)
    assert states[park["Next"]]["Type"] == "Succeed"


def test_a_cancel_during_an_erp_outage_is_parked_not_lost(definition: dict[str, Any]) -> None:
    states = definition["States"]
    catches = states["CancelOrder"]["Catch"]
    assert catches[0]["ErrorEquals"] == ["ErpUnavailable", "ErpThrottled", "Lambda.TooManyRequestsException"]
    park = states[catches[0]["Next"]]
    assert park["Resource"].endswith(":states:::sqs:sendMessage")
    assert park["Parameters"]["MessageBody.$"] == "$$.Execution.Input"
    assert park["Parameters"]["QueueUrl"] == f"<{c.ID_ORDERS_PARKING_QUEUE}>"
    assert states[park["Next"]]["Type"] == "Succeed"
    assert catches[1] == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "CancelOrderCaught"}


def test_no_step_fails_without_its_input_becoming_an_order_exception(definition: dict[str, Any]) -> None:
    states = definition["States"]
    tasks = {name for name, state in states.items() if state["Type"] == "Task" and name != "RecordFlowFailure"}
    assert tasks == {
        "ReserveStock", "CreateErpSalesOrder", "RecordAccepted", "RecordOnHold", "RecordInReview", "RecordErpFailed",
        "CancelOrder", "PublishEvent", "TracePublished", "ParkOrder", "ParkCancel",
    }  # fmt: skip
    for name in tasks:
        caught = [c_ for c_ in states[name].get("Catch", []) if c_["ErrorEquals"] == ["States.ALL"]]
        assert caught, f"{name} has no catch-all"
        if name == "CreateErpSalesOrder":
            continue  # its catch-all is the ERP outage path above
        pass_state = states[caught[0]["Next"]]
        assert pass_state == {
            "Type": "Pass", "Result": name, "ResultPath": "$.failed_state", "Next": "RecordFlowFailure",
        }  # fmt: skip
    record = states["RecordFlowFailure"]
    assert record["Parameters"] == {
        "input.$": "$$.Execution.Input",
        "state.$": "$.failed_state",
        "error.$": "$.error",
        "execution_name.$": "$$.Execution.Name",
        "started_at.$": "$$.Execution.StartTime",
    }
    assert states[record["Next"]] == {
        "Type": "Fail",
        "ErrorPath": "$.error.Error",
        "Cause": states[record["Next"]]["Cause"],
    }


def test_reservation_outcome_decides_the_path(definition: dict[str, Any]) -> None:
    states = definition["States"]
    assert states["ReserveStock"]["ResultPath"] == "$.reservation"
    _retry(states["ReserveStock"], "ConcurrentModification")
    choices = {ch.get("StringEquals", "review"): ch["Next"] for ch in states["Reserved?"]["Choices"]}
    assert choices == {"ON_HOLD": "RecordOnHold", "CANCELLED": "SkipCancelled", "review": "RecordInReview"}
    # A reserved order waiting for its payment or a person (shared/review.py) goes no further.
    [review] = [ch for ch in states["Reserved?"]["Choices"] if "StringEquals" not in ch]
    assert review == {"Variable": "$.reservation.review", "IsString": True, "Next": "RecordInReview"}
    assert states["Reserved?"]["Default"] == "CreateErpSalesOrder"
    assert states["SkipCancelled"]["Type"] == "Succeed"


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("RecordAccepted", "ACCEPTED"),
        ("RecordOnHold", "ON_HOLD"),
        ("RecordInReview", "IN_REVIEW"),
        ("RecordErpFailed", "ERP_FAILED"),
    ],
)
def test_record_steps_pass_the_state_plus_their_status(definition: dict[str, Any], state: str, status: str) -> None:
    params = definition["States"][state]["Parameters"]
    assert params["status"] == status
    assert params["correlation_id.$"] == "$.correlation_id"
    assert params["order.$"] == "$.order"
    assert definition["States"][state]["ResultPath"] == "$.recorded"


def test_publish_event_puts_the_recorded_event_on_the_domain_bus(definition: dict[str, Any]) -> None:
    publish = definition["States"]["PublishEvent"]
    assert publish["Resource"].endswith(":states:::events:putEvents")
    [entry] = publish["Parameters"]["Entries"]
    assert entry == {
        "Source": "retail-sync",
        "DetailType.$": "$.recorded.event_type",
        "Detail.$": "$.recorded.detail",
        "EventBusName": f"<{c.ID_EVENT_BUS}.Arn>",
    }
    assert definition["States"]["CancelOrder"]["Next"] == "PublishEvent"


def test_trace_entry_has_the_fields_the_ops_timeline_reads(definition: dict[str, Any]) -> None:
    trace = definition["States"]["TracePublished"]
    assert trace["Resource"].endswith(":states:::dynamodb:putItem")
    item = trace["Parameters"]["Item"]
    assert trace["Parameters"]["TableName"] == f"<{c.ID_TRACE_TABLE}>"
    assert set(item) >= {"correlation_id", "sk", "at", "hop", "status", "detail"}
    assert item["sk"] == {"S.$": "States.Format('{}#flow#{}', $$.State.EnteredTime, States.UUID())"}
    assert item["hop"] == {"S": "order-flow"}


LAMBDA_TASKS = ("ReserveStock", "CreateErpSalesOrder", "RecordAccepted", "RecordOnHold", "RecordErpFailed",
                "CancelOrder")  # fmt: skip
LAMBDA_SERVICE_ERRORS = ("Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException")


@pytest.mark.parametrize("state", LAMBDA_TASKS)
def test_lambda_throttling_waits_with_full_jitter_instead_of_parking(definition: dict[str, Any], state: str) -> None:
    # CreateErpSalesOrder has reserved concurrency 5: a burst's extra invokes are refused with
    # Lambda.TooManyRequestsException and must wait their turn, not fall into the catch-all.
    task = definition["States"][state]
    retry = _retry(task, "Lambda.TooManyRequestsException")
    assert retry["JitterStrategy"] == "FULL"
    assert retry["BackoffRate"] > 1 and retry["MaxAttempts"] >= 6 and retry["IntervalSeconds"] >= 1
    assert retry["MaxDelaySeconds"] <= 30
    worst_wait = sum(
        min(retry["IntervalSeconds"] * retry["BackoffRate"] ** n, retry["MaxDelaySeconds"])
        for n in range(retry["MaxAttempts"])
    )
    assert worst_wait < c.ORDER_FLOW_TIMEOUT_SECONDS / 2


@pytest.mark.parametrize("state", LAMBDA_TASKS)
@pytest.mark.parametrize("error", LAMBDA_SERVICE_ERRORS)
def test_lambda_service_errors_are_retried_with_backoff_and_full_jitter(
    definition: dict[str, Any], state: str, error: str
) -> None:
    retry = _retry(definition["States"][state], error)
    assert retry["JitterStrategy"] == "FULL"
    assert retry["BackoffRate"] > 1 and retry["MaxAttempts"] >= 3


def test_no_lambda_step_keeps_the_unjittered_cdk_service_retry(definition: dict[str, Any]) -> None:
    for state in LAMBDA_TASKS:
        for retry in definition["States"][state]["Retry"]:
            assert retry.get("JitterStrategy") == "FULL" or not any(
                e.startswith("Lambda.") for e in retry["ErrorEquals"]
            ), (state, retry)
