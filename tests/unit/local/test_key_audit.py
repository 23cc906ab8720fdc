"""The local stack's key audit evaluates a DynamoDB request as IAM would for our statements."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.key_audit import Access, KeyAudit, accesses_of
from local.lambda_runtime import CURRENT_FUNCTION
from local.template import Template

TABLE = "state-table"
KEY_OF = {TABLE: "pk"}


def _template(*statements: dict[str, Any]) -> Template:
    return Template(
        {
            "Resources": {
                "StateTable": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]},
                },
                "WorkerRole": {"Type": "AWS::IAM::Role", "Properties": {}},
                "Worker": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {"Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]}},
                },
                "WorkerPolicy": {
                    "Type": "AWS::IAM::Policy",
                    "Properties": {"Roles": [{"Ref": "WorkerRole"}], "PolicyDocument": {"Statement": list(statements)}},
                },
            }
        }
    )


def _statement(actions: list[str], keys: list[str] | None = None, resource: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": actions,
        "Resource": [resource or {"Fn::GetAtt": ["StateTable", "Arn"]}],
    }
    if keys is not None:
        statement["Condition"] = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": keys}}
    return statement


def _audit(*statements: dict[str, Any]) -> KeyAudit:
    return KeyAudit(_template(*statements), {"worker-fn": "Worker"}, {TABLE: "StateTable"})


def test_a_put_is_allowed_only_under_a_matching_leading_key() -> None:
    audit = _audit(_statement(["dynamodb:PutItem"], ["ORDER#*"]))
    assert audit.allowed(Access("worker-fn", "PutItem", TABLE, "ORDER#shopify#1"))
    assert not audit.allowed(Access("worker-fn", "PutItem", TABLE, "POSITION#SKU#DC1"))
    assert not audit.allowed(Access("worker-fn", "DeleteItem", TABLE, "ORDER#shopify#1"))


def test_action_wildcards_match_as_iam_matches_them() -> None:
    audit = _audit(_statement(["dynamodb:BatchGet*", "dynamodb:Get*", "dynamodb:Query"]))
    assert audit.allowed(Access("worker-fn", "BatchGetItem", TABLE, "ANY#1"))
    assert audit.allowed(Access("worker-fn", "GetItem", TABLE, "ANY#1"))
    assert not audit.allowed(Access("worker-fn", "PutItem", TABLE, "ANY#1"))


def test_a_scan_is_allowed_only_without_a_leading_keys_condition() -> None:
    assert not _audit(_statement(["dynamodb:Scan"], ["ORDER#*"])).allowed(Access("worker-fn", "Scan", TABLE, None))
    assert _audit(_statement(["dynamodb:Scan"])).allowed(Access("worker-fn", "Scan", TABLE, None))


def test_a_grant_on_an_index_or_another_table_does_not_cover_the_table() -> None:
    index = {"Fn::Join": ["", [{"Fn::GetAtt": ["StateTable", "Arn"]}, "/index/*"]]}
    assert not _audit(_statement(["dynamodb:PutItem"], resource=index)).allowed(
        Access("worker-fn", "PutItem", TABLE, "ORDER#1")
    )
    other = {"Fn::GetAtt": ["TraceTable", "Arn"]}
    assert not _audit(_statement(["dynamodb:PutItem"], resource=other)).allowed(
        Access("worker-fn", "PutItem", TABLE, "ORDER#1")
    )


def test_a_transaction_is_authorized_item_by_item() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "RESERVATION#1"}, "sk": {"S": "x"}}}},
            {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "POSITION#SKU#DC1"}, "sk": {"S": "x"}}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "ORDER#1"}, "sk": {"S": "x"}}}},
            {"Put": {"TableName": "another-table", "Item": {"pk": {"S": "X"}}}},
        ]
    }
    assert list(accesses_of("TransactWriteItems", params, KEY_OF)) == [
        ("PutItem", TABLE, "RESERVATION#1"),
        ("UpdateItem", TABLE, "POSITION#SKU#DC1"),
        ("ConditionCheckItem", TABLE, "ORDER#1"),
    ]


def test_batches_queries_and_plain_values_name_their_partitions() -> None:
    batch = {
        "RequestItems": {TABLE: [{"PutRequest": {"Item": {"pk": "A#1"}}}, {"DeleteRequest": {"Key": {"pk": "B#2"}}}]}
    }
    assert list(accesses_of("BatchWriteItem", batch, KEY_OF)) == [
        ("BatchWriteItem", TABLE, "A#1"),
        ("BatchWriteItem", TABLE, "B#2"),
    ]
    query = {
        "TableName": TABLE,
        "KeyConditionExpression": "#p = :p AND begins_with(sk, :s)",
        "ExpressionAttributeNames": {"#p": "pk"},
        "ExpressionAttributeValues": {":p": {"S": "HELD#DC1"}, ":s": {"S": "2026"}},
    }
    assert list(accesses_of("Query", query, KEY_OF)) == [("Query", TABLE, "HELD#DC1")]
    assert list(accesses_of("Scan", {"TableName": TABLE}, KEY_OF)) == [("Scan", TABLE, None)]


@mock_aws
def test_calls_made_inside_a_function_are_recorded_and_checked() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    audit = _audit(_statement(["dynamodb:PutItem"], ["ORDER#*"]))
    with audit.installed():
        client.put_item(TableName=TABLE, Item={"pk": {"S": "NOT#BY#A#FUNCTION"}})  # the harness: not audited
        running = CURRENT_FUNCTION.set("worker-fn")
        try:
            client.put_item(TableName=TABLE, Item={"pk": {"S": "ORDER#shopify#1"}})
            client.put_item(TableName=TABLE, Item={"pk": {"S": "EXCEPTION#ORDER"}})
        finally:
            CURRENT_FUNCTION.reset(running)
    assert audit.violations() == [Access("worker-fn", "PutItem", TABLE, "EXCEPTION#ORDER")]
    assert "Worker: dynamodb:PutItem on StateTable partition 'EXCEPTION#ORDER' is not granted" in audit.report()


@pytest.mark.parametrize("statement", [_statement(["dynamodb:*"]), _statement(["dynamodb:PutItem"], ["*"])])
def test_broad_grants_allow_everything_they_name(statement: dict[str, Any]) -> None:
    assert _audit(statement).allowed(Access("worker-fn", "PutItem", TABLE, "ANYTHING#1"))
