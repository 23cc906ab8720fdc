"""The handler with its real AWS adapters (SQS, S3, DynamoDB, Secrets Manager) against moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from functions.ingest.handlers import webhook
from local.signing import fixture_request, signed_headers
from shared.adapters import aws
from shared.settings import cached
from tests.support.apigw import FakeLambdaContext, rest_event

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "retail-sync-payloads"
SECRETS = {"shopify": "sm-shopify", "square": "sm-square", "wms": "sm-wms", "pos": "sm-pos", "erp": "sm-erp"}


def queue_url(name: str) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for key, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "IDEMPOTENCY_TABLE_NAME": "idempotency",
        "TRACE_TABLE_NAME": "trace",
        "ORDERS_QUEUE_URL": queue_url("orders"),
        "INVENTORY_QUEUE_URL": queue_url("inventory"),
        "PAYLOAD_BUCKET_NAME": BUCKET,
        "WEBHOOK_BASE_URL": "https://hooks.example.com",
        "ENVIRONMENT_NAME": "test",
    }.items():
        monkeypatch.setenv(key, value)
    for source in SECRETS:
        monkeypatch.delenv(f"RETAIL_SYNC_WEBHOOK_SECRET_{source.upper()}", raising=False)
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        ddb.create_table(
            TableName="idempotency",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.create_table(
            TableName="trace",
            KeySchema=[
                {"AttributeName": "correlation_id", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "correlation_id", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        sqs = boto3.client("sqs", region_name=REGION)
        sqs.create_queue(QueueName="orders")  # the inventory queue is created by the tests that need it
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="retail-sync/test/webhooks", SecretString=json.dumps(SECRETS)
        )["ARN"]
        monkeypatch.setenv("WEBHOOK_SECRETS_ARN", arn)
        aws.reset_clients()
        cached.cache_clear()
        parameters.clear_caches()
        webhook.default_ports.cache_clear()
        yield {"ddb": ddb, "sqs": sqs, "s3": s3}
        webhook.default_ports.cache_clear()
        aws.reset_clients()
        cached.cache_clear()
        parameters.clear_caches()


def call(source: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    event = rest_event("POST", f"/v1/webhooks/{source}", body=body, headers=headers)
    response = webhook.lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def post(name: str) -> tuple[int, dict[str, Any]]:
    source = name.split("/")[0]
    body, headers = fixture_request(name, secret=SECRETS[source], base_url="https://hooks.example.com")
    return call(source, body, headers)


def messages(stack: dict[str, Any], queue: str) -> list[dict[str, Any]]:
    out = stack["sqs"].receive_message(
        QueueUrl=queue_url(queue), MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
    )
    return out.get("Messages", [])


def items(stack: dict[str, Any], table: str) -> list[dict[str, Any]]:
    return stack["ddb"].scan(TableName=table)["Items"]


def test_an_accepted_delivery_is_one_sqs_message_with_attributes_and_a_trace_entry(
    stack: dict[str, Any],
) -> None:
    status, answer = post("shopify/orders_create")
    assert status == 202
    (message,) = messages(stack, "orders")
    envelope = json.loads(message["Body"])
    assert envelope["event_id"] == answer["event_id"] and envelope["payload"]["id"] == 820982911946154508
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {
        "correlation_id": answer["correlation_id"],
        "source": "shopify",
        "event_type": "orders/create",
    }
    (trace,) = items(stack, "trace")
    assert (trace["hop"]["S"], trace["status"]["S"]) == ("ingest", "accepted")
    assert len(items(stack, "idempotency")) == 1


def test_a_repeated_delivery_is_answered_from_the_idempotency_record_and_queued_once(
    stack: dict[str, Any],
) -> None:
    _, first = post("shopify/orders_create")
    status, again = post("shopify/orders_create")
    assert status == 202 and again == {**first, "duplicate": True}
    assert len(messages(stack, "orders")) == 1
    assert sorted(i["status"]["S"] for i in items(stack, "trace")) == ["accepted", "duplicate"]


def test_a_large_payload_goes_to_s3_and_the_message_carries_a_claim_check(stack: dict[str, Any]) -> None:
    stack["sqs"].create_queue(QueueName="inventory")
    body = json.loads(fixture_request("wms/inventory_adjusted")[0])
    body["note"] = "x" * (245 * 1024)  # over 240 KiB, under the 256 KiB webhook limit
    raw = json.dumps(body).encode()
    status, answer = call("wms", raw, signed_headers("wms", raw, secret=SECRETS["wms"]))
    assert status == 202
    (message,) = messages(stack, "inventory")
    envelope = json.loads(message["Body"])
    key = f"payloads/wms/{answer['event_id']}.json"
    assert envelope["payload"] is None and envelope["payload_ref"] == f"s3://{BUCKET}/{key}"
    assert stack["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read() == raw


def test_when_sqs_fails_the_answer_is_503_nothing_is_remembered_and_the_retry_is_accepted(
    stack: dict[str, Any],
) -> None:
    # GIVEN the inventory queue does not exist (SQS refuses the send)
    status, answer = post("wms/inventory_adjusted")
    # THEN the vendor is told to retry and no idempotency record or trace entry is left
    assert (status, answer["error"]["code"]) == (503, "UPSTREAM_UNAVAILABLE")
    assert items(stack, "idempotency") == [] and items(stack, "trace") == []
    # WHEN the queue is back and the vendor retries THEN the delivery is accepted, once
    stack["sqs"].create_queue(QueueName="inventory")
    status, answer = post("wms/inventory_adjusted")
    assert status == 202 and answer["duplicate"] is False
    assert len(messages(stack, "inventory")) == 1


def test_a_refused_delivery_leaves_no_idempotency_record_trace_or_message(stack: dict[str, Any]) -> None:
    body, headers = fixture_request("shopify/orders_create", secret="not-the-secret")
    assert call("shopify", body, headers)[0] == 401
    assert (
        items(stack, "idempotency") == [] and items(stack, "trace") == [] and messages(stack, "orders") == []
    )


def test_deployed_an_environment_variable_does_not_override_secrets_manager(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAIL_SYNC_WEBHOOK_SECRET_SHOPIFY", "env-secret")
    body, headers = fixture_request("shopify/orders_create", secret="env-secret")
    assert call("shopify", body, headers)[0] == 401
    body, headers = fixture_request("shopify/orders_create", secret=SECRETS["shopify"])
    assert call("shopify", body, headers)[0] == 202
