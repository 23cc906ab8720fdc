"""What the local stack changes in moto: in-process Lambda behind Step Functions and EventBridge,
atomic DynamoDB conditions, Lambda's asynchronous invocations."""

from __future__ import annotations

import io
import json
import sys
import threading
import time
import uuid
import zipfile
from typing import Any, Literal

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local.stack import LocalStack
from tests.integration import fake_handlers

pytestmark = pytest.mark.integration


def _function(handler: str) -> str:
    iam = boto3.client("iam")
    role_name = f"fake-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("placeholder.txt", "")
    fn = boto3.client("lambda").create_function(
        FunctionName=f"fake-{uuid.uuid4().hex[:8]}",
        Runtime="python3.12",
        Role=role,
        Handler=handler,
        Code={"ZipFile": archive.getvalue()},
        Timeout=10,
    )
    return str(fn["FunctionArn"])


def _wait_for_execution(arn: str, timeout: float = 20) -> Any:
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING" or time.monotonic() > deadline:
            return execution
        time.sleep(0.1)


def _flow(function_arn: str) -> str:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                "ResultSelector": {"result.$": "$.Payload"},
                "Retry": [
                    {
                        "ErrorEquals": ["ErpThrottled"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 2,
                        "BackoffRate": 1,
                    }
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    return str(
        boto3.client("stepfunctions").create_state_machine(
            name=f"flow-{uuid.uuid4().hex[:8]}",
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
    )


def test_step_functions_retry_matches_the_handlers_exception_name(local_stack: LocalStack) -> None:
    flow = _flow(_function("tests.integration.fake_handlers.flaky_step"))
    key = uuid.uuid4().hex

    started = boto3.client("stepfunctions").start_execution(
        stateMachineArn=flow, name=key, input=json.dumps({"key": key, "throttle_times": 2})
    )
    execution = _wait_for_execution(started["executionArn"])

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["result"]["attempts"] == 3


def test_step_functions_catch_sees_the_lambda_error_object(local_stack: LocalStack) -> None:
    flow = _flow(_function("tests.integration.fake_handlers.flaky_step"))
    key = uuid.uuid4().hex

    started = boto3.client("stepfunctions").start_execution(
        stateMachineArn=flow, name=key, input=json.dumps({"key": key, "throttle_times": 5})
    )
    execution = _wait_for_execution(started["executionArn"])

    error = json.loads(execution["output"])["error"]
    assert error["Error"] == "ErpThrottled"
    assert json.loads(error["Cause"])["errorMessage"] == "attempt 3 throttled"


def test_lambda_invoke_api_runs_the_handler_in_process(local_stack: LocalStack) -> None:
    arn = _function("tests.integration.fake_handlers.flaky_step")

    response = boto3.client("lambda").invoke(FunctionName=arn, Payload=json.dumps({"key": uuid.uuid4().hex}))

    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read())["attempts"] == 1


def test_asynchronous_invoke_runs_in_the_background(local_stack: LocalStack) -> None:
    fake_handlers.events.clear()
    arn = _function("tests.integration.fake_handlers.record")

    response = boto3.client("lambda").invoke(FunctionName=arn, InvocationType="Event", Payload=b'{"async": 1}')
    local_stack.wait_idle(10)

    assert response["StatusCode"] == 202
    assert fake_handlers.events == [{"async": 1}]


def test_eventbridge_delivers_matching_events_to_a_lambda_target(local_stack: LocalStack) -> None:
    fake_handlers.events.clear()
    events = boto3.client("events")
    bus = f"bus-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=bus)
    events.put_rule(Name="accepted", EventBusName=bus, EventPattern=json.dumps({"detail-type": ["OrderAccepted"]}))
    events.put_targets(
        Rule="accepted",
        EventBusName=bus,
        Targets=[{"Id": "1", "Arn": _function("tests.integration.fake_handlers.record")}],
    )

    events.put_events(
        Entries=[
            {
                "Source": "retail-sync",
                "DetailType": "OrderAccepted",
                "Detail": '{"n": 1}',
                "EventBusName": bus,
            },
            {"Source": "retail-sync", "DetailType": "OrderOnHold", "Detail": '{"n": 2}', "EventBusName": bus},
        ]
    )
    local_stack.wait_idle(10)

    assert [(e["detail-type"], e["detail"]) for e in fake_handlers.events] == [("OrderAccepted", {"n": 1})]
    assert fake_handlers.events[0]["time"].endswith("Z")


TAKE_ONE = "SET reserved = reserved + :one, available = available - :one"


def test_dynamodb_transactions_are_atomic_under_concurrency(local_stack: LocalStack) -> None:
    # GIVEN 5 units on hand and 30 orders reserving one unit each at the same moment, each in one
    # transaction (reservation put + guarded position update), as reserve_stock does
    dynamodb = boto3.client("dynamodb")
    table = f"stock-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "SKU#1"}, "available": {"N": "5"}, "reserved": {"N": "0"}})
    outcomes: list[bool] = []
    start = threading.Barrier(30)

    def reserve(order: int) -> None:
        client = boto3.client("dynamodb")
        start.wait()
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {"pk": {"S": f"RESERVATION#{order}"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": table,
                            "Key": {"pk": {"S": "SKU#1"}},
                            "UpdateExpression": TAKE_ONE,
                            "ConditionExpression": "available >= :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )
            outcomes.append(True)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "TransactionCanceledException"
            outcomes.append(False)

    # WHEN they all run at once, with thread switches as frequent as the interpreter allows
    threads = [threading.Thread(target=reserve, args=(n,)) for n in range(30)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)

    # THEN exactly five succeed, each left its reservation, and the position counts all five
    items = dynamodb.scan(TableName=table)["Items"]
    position = next(i for i in items if i["pk"]["S"] == "SKU#1")
    assert outcomes.count(True) == 5
    assert position["reserved"] == {"N": "5"}
    assert len(items) == 1 + 5


def test_reserved_concurrency_throttles_synchronous_invokes(local_stack: LocalStack) -> None:
    # GIVEN a function with one reserved slot, busy for four seconds per call (long enough that a
    # thread the shared 2-core machine schedules late still finds the slot taken)
    arn = _function("tests.integration.fake_handlers.slow")
    boto3.client("lambda").put_function_concurrency(FunctionName=arn, ReservedConcurrentExecutions=1)
    client = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    client.get_function_concurrency(FunctionName=arn)  # the client's endpoint and credentials resolved before the race
    outcomes: list[str] = []
    together = threading.Barrier(3)

    def call() -> None:
        together.wait()
        try:
            client.invoke(FunctionName=arn, Payload=b'{"seconds": 4}')
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    # WHEN three calls arrive at once
    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # THEN one runs and Lambda refuses the others with 429
    assert sorted(outcomes) == ["TooManyRequestsException", "TooManyRequestsException", "ok"]


def test_step_functions_sees_a_throttled_function_as_lambda_too_many_requests(
    local_stack: LocalStack,
) -> None:
    arn = _function("tests.integration.fake_handlers.slow")
    boto3.client("lambda").put_function_concurrency(FunctionName=arn, ReservedConcurrentExecutions=1)
    flow = _flow(arn)
    sfn = boto3.client("stepfunctions")

    started = [
        sfn.start_execution(stateMachineArn=flow, name=f"t{n}", input='{"seconds": 1}')["executionArn"]
        for n in range(2)
    ]
    outputs = [json.loads(_wait_for_execution(arn)["output"]) for arn in started]

    errors = [output["error"]["Error"] for output in outputs if "error" in output]
    assert errors == ["Lambda.TooManyRequestsException"]


def test_amazon_notifications_on_the_partner_bus_reach_a_rule_target(local_stack: LocalStack) -> None:
    # GIVEN a rule on the partner bus (its name contains "/") matching SP-API order changes
    fake_handlers.events.clear()
    events = boto3.client("events")
    bus = local_stack.partner_event_bus
    pattern = {
        "source": [{"prefix": "aws.partner/sellingpartnerapi.amazon"}],
        "detail-type": ["ORDER_CHANGE"],
    }
    events.put_rule(Name="amazon-orders", EventBusName=bus, EventPattern=json.dumps(pattern))
    target = _function("tests.integration.fake_handlers.record")
    events.put_targets(Rule="amazon-orders", EventBusName=bus, Targets=[{"Id": "1", "Arn": target}])

    # WHEN Amazon puts a notification on it (addressed by ARN, as a partner would)
    bus_arn = events.describe_event_bus(Name=bus)["Arn"]
    detail = {
        "NotificationType": "ORDER_CHANGE",
        "Payload": {"OrderChangeNotification": {"AmazonOrderId": "1"}},
    }
    events.put_events(
        Entries=[
            {
                "Source": bus,
                "DetailType": "ORDER_CHANGE",
                "Detail": json.dumps(detail),
                "EventBusName": bus_arn,
            }
        ]
    )
    local_stack.wait_idle(10)

    # THEN the target got it as EventBridge delivers it
    assert [(e["source"], e["detail-type"], e["detail"]) for e in fake_handlers.events] == [
        (bus, "ORDER_CHANGE", detail)
    ]


def test_express_execution_names_are_not_deduplicated_as_on_aws_but_standard_ones_are(
    local_stack: LocalStack,
) -> None:
    sfn = boto3.client("stepfunctions")
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})

    def machine(kind: Literal["EXPRESS", "STANDARD"]) -> str:
        return str(
            sfn.create_state_machine(
                name=f"names-{kind.lower()}-{uuid.uuid4().hex[:8]}",
                definition=definition,
                roleArn="arn:aws:iam::123456789012:role/sfn",
                type=kind,
            )["stateMachineArn"]
        )

    express, standard = machine("EXPRESS"), machine("STANDARD")
    first = sfn.start_execution(stateMachineArn=express, name="same-name", input="{}")["executionArn"]
    second = sfn.start_execution(stateMachineArn=express, name="same-name", input="{}")["executionArn"]

    # AWS starts a second Express execution for a name it has seen: duplicates cannot rest on names
    assert first != second
    assert sfn.describe_execution(executionArn=second)["name"] == "same-name"
    sfn.start_execution(stateMachineArn=standard, name="same-name", input="{}")
    _wait_for_execution(sfn.list_executions(stateMachineArn=standard)["executions"][0]["executionArn"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=standard, name="same-name", input='{"other": 1}')
