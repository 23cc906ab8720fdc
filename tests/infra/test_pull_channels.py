"""The pulled channels' infrastructure: the SP-API partner bus rule, the poll schedules, the POS files
bucket -> queue -> import function chain."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from app import build_app
from infra import constants as c
from infra.intake.config import PullChannelsConfig

PARTNER_BUS = "aws.partner/sellingpartnerapi.amazon/amzn1.sellerapps.app.example"


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """A deployed-environment stack with the partner bus and the Zalando merchant configured."""
    context = {
        "environment": "staging",
        "bundle": "false",
        "erpBaseUrl": "https://1234567.suitetalk.api.netsuite.com",
        "wmsBaseUrl": "https://wms.retailer.example",
        "amazonPartnerEventBusName": PARTNER_BUS,
        "zalandoMerchantId": "6c5f7a0e-7f43-4b4e-9c0e-5a1d2a3b4c5d",
        "posStoreTimeZones": '{"franchise-0042": "America/Chicago"}',
    }
    _, stack = build_app(context, outdir=str(tmp_path_factory.mktemp("cdk-out-pull")))
    resources: dict[str, dict[str, Any]] = Template.from_stack(stack).to_json()["Resources"]
    return resources


def test_order_change_events_on_the_configured_partner_bus_reach_the_notification_function(
    configured: dict[str, dict[str, Any]],
) -> None:
    rule = configured[c.ID_AMAZON_ORDER_CHANGE_RULE]["Properties"]

    assert rule["EventBusName"] == PARTNER_BUS
    assert rule["EventPattern"] == {
        "source": [{"prefix": "aws.partner/sellingpartnerapi.amazon"}],
        "detail-type": ["ORDER_CHANGE"],
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [c.ID_AMAZON_ORDER_CHANGE_FUNCTION, "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_without_a_partner_bus_name_there_is_no_rule_but_the_backup_poll_still_runs(
    resources: dict[str, dict[str, Any]],
) -> None:
    assert c.ID_AMAZON_ORDER_CHANGE_RULE not in resources
    assert resources[c.ID_AMAZON_ORDERS_POLL_SCHEDULE]["Properties"]["ScheduleExpression"] == "rate(15 minutes)"


def test_a_partner_bus_name_must_be_an_sp_api_one() -> None:
    class Node:
        def try_get_context(self, key: str) -> Any:
            return {"amazonPartnerEventBusName": "default"}.get(key)

    with pytest.raises(ValueError, match="sellingpartnerapi"):
        PullChannelsConfig.from_context(Node(), "staging")  # type: ignore[arg-type]


@pytest.mark.parametrize("function_id", [c.ID_AMAZON_ORDERS_POLLER_FUNCTION, c.ID_ZALANDO_ORDERS_POLLER_FUNCTION])
def test_each_poller_runs_alone_so_two_runs_never_race_for_its_watermark(
    configured: dict[str, dict[str, Any]], function_id: str
) -> None:
    assert configured[function_id]["Properties"]["ReservedConcurrentExecutions"] == 1


def test_the_zalando_schedule_is_off_until_a_merchant_is_configured(
    resources: dict[str, dict[str, Any]], configured: dict[str, dict[str, Any]]
) -> None:
    assert resources[c.ID_ZALANDO_ORDERS_POLL_SCHEDULE]["Properties"]["State"] == "DISABLED"
    assert configured[c.ID_ZALANDO_ORDERS_POLL_SCHEDULE]["Properties"]["State"] == "ENABLED"
    assert configured[c.ID_ZALANDO_ORDERS_POLL_SCHEDULE]["Properties"]["ScheduleExpression"] == "rate(10 minutes)"


def test_new_nightly_files_notify_the_pos_queue_and_reports_do_not(configured: dict[str, dict[str, Any]]) -> None:
    bucket = configured[c.ID_POS_FILES_BUCKET]
    (queue_config,) = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]

    assert queue_config["Event"] == "s3:ObjectCreated:*"
    assert queue_config["Queue"] == {"Fn::GetAtt": [c.ID_POS_FILES_QUEUE, "Arn"]}
    assert {r["Name"]: r["Value"] for r in queue_config["Filter"]["S3Key"]["Rules"]} == {
        "prefix": "incoming/",
        "suffix": ".csv",
    }
    # S3 checks the queue policy when the notification is set: the bucket is created after it.
    policy_id = next(
        k
        for k, r in configured.items()
        if r["Type"] == "AWS::SQS::QueuePolicy" and {"Ref": c.ID_POS_FILES_QUEUE} in r["Properties"]["Queues"]
    )
    assert policy_id in bucket["DependsOn"]
    statements = configured[policy_id]["Properties"]["PolicyDocument"]["Statement"]
    s3_send = next(s for s in statements if s.get("Principal") == {"Service": "s3.amazonaws.com"})
    assert s3_send["Action"] == "sqs:SendMessage" and "aws:SourceArn" in s3_send["Condition"]["ArnLike"]


def test_pos_files_are_imported_one_per_message_with_a_dlq_after_five_receives(
    configured: dict[str, dict[str, Any]],
) -> None:
    queue = configured[c.ID_POS_FILES_QUEUE]["Properties"]
    mapping = next(
        r["Properties"]
        for r in configured.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [c.ID_POS_FILES_QUEUE, "Arn"]}
    )

    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queue["VisibilityTimeout"] == 6 * c.POS_FILES_TIMEOUT_SECONDS
    assert mapping["BatchSize"] == 1 and mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    env = configured[c.ID_POS_FILES_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert env[c.ENV_POS_STORE_TIME_ZONES] == '{"franchise-0042": "America/Chicago"}'


def test_the_orders_worker_can_enrich_amazon_orders(configured: dict[str, dict[str, Any]]) -> None:
    env = configured[c.ID_ORDERS_WORKER_FUNCTION]["Properties"]["Environment"]["Variables"]

    assert env[c.ENV_AMAZON_SP_API_BASE_URL] == "https://sellingpartnerapi-na.amazon.com"
