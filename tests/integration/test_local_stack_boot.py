"""The local stack boots from the synthesized template and serves what the contract promises."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest

from infra.constants import (
    ENV_ERP_BASE_URL,
    ENV_VENDOR_CREDENTIALS_ARN,
    ENV_WEBHOOK_BASE_URL,
    ENV_WEBHOOK_SECRETS_ARN,
    INVENTORY_QUEUE_BATCH_SIZE,
    ORDERS_QUEUE_BATCH_SIZE,
    WEBHOOK_SOURCES,
)
from local.api_routes import RouteTable
from local.config import AMAZON_PARTNER_EVENT_SOURCE
from local.stack import LocalStack
from shared.adapters.vendor_auth import SECRET_KEYS as VENDOR_SECRET_KEYS

pytestmark = pytest.mark.integration


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_lists_every_sandbox_base_url(local_stack: LocalStack) -> None:
    status, body = _get(f"{local_stack.api_url}/health")

    assert status == 200
    assert body["status"] == "ok"
    assert set(body["sandboxes"]) >= {"erp", "marketplace", "square"}
    for url in body["sandboxes"].values():
        assert url.startswith("http://127.0.0.1:")


def test_unknown_route_answers_404_with_the_error_body(local_stack: LocalStack) -> None:
    status, body = _get(f"{local_stack.api_url}/v1/no-such-route")

    assert status == 404
    assert body["error"]["code"] == "NOT_FOUND"


def test_routes_come_from_the_template(local_stack: LocalStack) -> None:
    # The webhook resource takes only the methods the template gives it: another one is refused.
    assert local_stack.template is not None
    declared = sorted(
        r.method
        for r in RouteTable.from_template(local_stack.template).routes
        if r.resource_path == "/v1/webhooks/{source}"
    )
    request = urllib.request.Request(f"{local_stack.api_url}/v1/webhooks/shopify", method="DELETE")

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    assert "POST" in declared and "ANY" not in declared
    assert refused.value.code == 405
    assert refused.value.headers["Allow"] == ", ".join(declared)
    assert json.loads(refused.value.read())["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_handlers_see_the_union_of_function_environments_with_local_urls(local_stack: LocalStack) -> None:
    assert ENV_WEBHOOK_BASE_URL not in local_stack.environment  # each request's own URL, as deployed
    assert os.environ[ENV_ERP_BASE_URL] == local_stack.sandbox_urls["erp"]
    assert os.environ["AWS_ENDPOINT_URL"] == local_stack.aws_url
    assert "POWERTOOLS_SERVICE_NAME" not in local_stack.environment


def test_the_two_secrets_hold_the_local_values(local_stack: LocalStack) -> None:
    def read(variable: str) -> dict[str, str]:
        secret = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ[variable])
        return dict(json.loads(secret["SecretString"]))

    assert read(ENV_WEBHOOK_SECRETS_ARN) == {
        **{source: f"local-{source}-secret" for source in WEBHOOK_SOURCES},
        "ebay_verification_token": "local-ebay-verification-token",
        "ebay_client_id": "local-ebay-client-id",
        "ebay_client_secret": "local-ebay-client-secret",
    }
    vendor_credentials = read(ENV_VENDOR_CREDENTIALS_ARN)
    assert vendor_credentials["square_access_token"] == "local-square-token"  # the orders worker's Square token
    assert vendor_credentials["ebay_refresh_token"] == "local-ebay-refresh-token"
    assert set(VENDOR_SECRET_KEYS) <= set(vendor_credentials)
    # The credentials every connector mints its tokens from, as the sandboxes register them.
    assert vendor_credentials["walmart_client_secret"] == "local-walmart-client-secret"
    assert vendor_credentials["erp_private_key"].startswith("-----BEGIN PRIVATE KEY-----")


def test_every_event_source_mapping_is_polled_with_its_template_settings(local_stack: LocalStack) -> None:
    sources = {poller.source.name: poller.source for poller in local_stack.pollers}

    assert len(sources) == len(local_stack.logical_ids("AWS::Lambda::EventSourceMapping"))
    assert {s.batch_size for s in sources.values()} >= {ORDERS_QUEUE_BATCH_SIZE, INVENTORY_QUEUE_BATCH_SIZE}
    assert all(s.report_batch_item_failures for s in sources.values())
    # Scaled to 1 %: the finance queue's 720 s (six times its 120 s worker) is the longest, 7.2 s.
    assert all(s.visibility_timeout_s is not None and s.visibility_timeout_s <= 8 for s in sources.values())


def test_moto_would_not_invoke_the_consumers_on_send(local_stack: LocalStack) -> None:
    from moto.sqs.models import sqs_backends

    queues = sqs_backends["123456789012"]["us-east-1"].queues.values()
    assert all(not queue.lambda_event_source_mappings for queue in queues)


def test_state_machines_are_executable(local_stack: LocalStack) -> None:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    executing = {sm.arn for sm in stepfunctions_parser_backends["123456789012"]["us-east-1"].state_machines}
    for logical_id in local_stack.logical_ids("AWS::StepFunctions::StateMachine"):
        assert local_stack.physical_id(logical_id) in executing


def test_amazon_partner_event_bus_exists(local_stack: LocalStack) -> None:
    bus = boto3.client("events").describe_event_bus(Name=AMAZON_PARTNER_EVENT_SOURCE)

    assert bus["Name"] == AMAZON_PARTNER_EVENT_SOURCE
