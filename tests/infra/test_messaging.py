"""Queues and the event bus, as docs/wiring.md describes them."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra import constants as c
from tests.infra.conftest import as_list


@pytest.mark.parametrize(
    ("queue_id", "dlq_id"),
    [(c.ID_ORDERS_QUEUE, c.ID_ORDERS_DLQ), (c.ID_INVENTORY_QUEUE, c.ID_INVENTORY_DLQ)],
)
def test_work_queue_redrives_to_its_dlq_after_five_receives(
    resources: dict[str, dict[str, Any]], queue_id: str, dlq_id: str
) -> None:
    redrive = resources[queue_id]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq_id, "Arn"]}
    assert redrive["maxReceiveCount"] == c.MAX_RECEIVE_COUNT == 5


def test_every_queue_is_encrypted_with_sse_sqs(resources: dict[str, dict[str, Any]]) -> None:
    queues = {k: r for k, r in resources.items() if r["Type"] == "AWS::SQS::Queue"}
    assert set(queues) == {
        c.ID_ORDERS_QUEUE,
        c.ID_ORDERS_DLQ,
        c.ID_INVENTORY_QUEUE,
        c.ID_INVENTORY_DLQ,
        c.ID_ORDERS_PARKING_QUEUE,
        c.ID_POS_FILES_QUEUE,
        c.ID_POS_FILES_DLQ,
        c.ID_AVAILABILITY_CHANGES_QUEUE,
        c.ID_AVAILABILITY_CHANGES_DLQ,
        c.ID_CHANNEL_OUTBOUND_QUEUE,
        c.ID_CHANNEL_OUTBOUND_DLQ,
        c.ID_FINANCE_QUEUE,
        c.ID_FINANCE_DLQ,
        c.ID_CUSTOMER_STATUS_QUEUE,
        c.ID_CUSTOMER_STATUS_DLQ,
        c.ID_CATALOG_QUEUE,
        c.ID_CATALOG_DLQ,
        c.ID_ERP_FULFILMENT_QUEUE,
        c.ID_ERP_FULFILMENT_DLQ,
    }
    for queue_id, queue in queues.items():
        assert queue["Properties"].get("SqsManagedSseEnabled") is True, queue_id


def test_every_queue_refuses_requests_without_tls(resources: dict[str, dict[str, Any]]) -> None:
    guarded: set[str] = set()
    for r in resources.values():
        if r["Type"] != "AWS::SQS::QueuePolicy":
            continue
        for statement in r["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                guarded.update(q["Ref"] for q in r["Properties"]["Queues"])
    queues = {k for k, r in resources.items() if r["Type"] == "AWS::SQS::Queue"}
    assert guarded == queues


@pytest.mark.parametrize(
    ("queue_id", "consumer_id"),
    [
        (c.ID_ORDERS_QUEUE, c.ID_ORDERS_WORKER_FUNCTION),
        (c.ID_INVENTORY_QUEUE, c.ID_INVENTORY_WORKER_FUNCTION),
    ],
)
def test_visibility_timeout_is_six_times_the_consumer_timeout(
    resources: dict[str, dict[str, Any]], queue_id: str, consumer_id: str
) -> None:
    timeout = resources[consumer_id]["Properties"]["Timeout"]
    assert resources[queue_id]["Properties"]["VisibilityTimeout"] == 6 * timeout


def test_parking_queue_keeps_orders_for_fourteen_days(resources: dict[str, dict[str, Any]]) -> None:
    assert resources[c.ID_ORDERS_PARKING_QUEUE]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


@pytest.mark.parametrize(
    ("function_id", "queue_id", "batch_size"),
    [
        (c.ID_ORDERS_WORKER_FUNCTION, c.ID_ORDERS_QUEUE, c.ORDERS_QUEUE_BATCH_SIZE),
        (c.ID_INVENTORY_WORKER_FUNCTION, c.ID_INVENTORY_QUEUE, c.INVENTORY_QUEUE_BATCH_SIZE),
    ],
)
def test_workers_consume_their_queue_with_partial_batch_failures(
    template: Template, function_id: str, queue_id: str, batch_size: int
) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": function_id},
            "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
            "BatchSize": batch_size,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumBatchingWindowInSeconds": Match.any_value(),
        },
    )


def test_every_event_source_mapping_reports_batch_item_failures(resources: dict[str, dict[str, Any]]) -> None:
    mappings = [r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    # orders, inventory, POS files, availability changes, channel outbound, finance, customer status, catalog,
    # ERP fulfilment
    assert len(mappings) == 9
    for mapping in mappings:
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["Properties"]["MaximumBatchingWindowInSeconds"] <= 5


def test_event_bus_is_named_per_environment_and_archived(resources: dict[str, dict[str, Any]]) -> None:
    assert resources[c.ID_EVENT_BUS]["Properties"]["Name"] == "retail-sync-test"
    archive = resources[c.ID_EVENT_ARCHIVE]["Properties"]
    assert archive["SourceArn"] == {"Fn::GetAtt": [c.ID_EVENT_BUS, "Arn"]}
    assert archive["RetentionDays"] > 0


def test_inventory_worker_may_put_events_only_on_the_domain_bus(resources: dict[str, dict[str, Any]]) -> None:
    from tests.infra.conftest import policy_statements_for_role, role_of

    statements = policy_statements_for_role(resources, role_of(resources[c.ID_INVENTORY_WORKER_FUNCTION]))
    put_events = [s for s in statements if "events:PutEvents" in as_list(s["Action"])]
    assert put_events
    assert all(s["Resource"] == {"Fn::GetAtt": [c.ID_EVENT_BUS, "Arn"]} for s in put_events)
