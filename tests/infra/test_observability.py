"""Alarms for backlog, dead letters, failed flows and API errors, sent to an SNS topic."""

from __future__ import annotations

from typing import Any

from infra import constants as c
from tests.infra.conftest import render


def _alarms(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["AlarmName"].removeprefix("retail-sync-test-"): r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_each_dlq_alarms_on_its_first_message(resources: dict[str, dict[str, Any]]) -> None:
    alarms = _alarms(resources)
    for dlq in (c.ID_ORDERS_DLQ, c.ID_INVENTORY_DLQ):
        alarm = alarms[f"{dlq}Depth"]
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert alarm["Threshold"] == 0
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert render(alarm["Dimensions"][0]["Value"]) == f"<{dlq}.QueueName>"


def test_each_queue_alarms_on_the_age_of_its_oldest_message(resources: dict[str, dict[str, Any]]) -> None:
    alarms = _alarms(resources)
    for queue in (c.ID_ORDERS_QUEUE, c.ID_INVENTORY_QUEUE, c.ID_ORDERS_PARKING_QUEUE):
        assert alarms[f"{queue}OldestMessage"]["MetricName"] == "ApproximateAgeOfOldestMessage"


def test_failed_order_flows_and_ingest_5xx_alarm(resources: dict[str, dict[str, Any]]) -> None:
    alarms = _alarms(resources)
    assert alarms["OrderFlowFailed"]["MetricName"] == "ExecutionsFailed"
    assert alarms["Ingest5xx"]["MetricName"] == "5XXError"


def test_every_alarm_notifies_the_tls_only_alarm_topic(resources: dict[str, dict[str, Any]]) -> None:
    [topic_id] = [k for k, r in resources.items() if r["Type"] == "AWS::SNS::Topic"]
    for name, alarm in _alarms(resources).items():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], name
    tls_only = [
        s
        for r in resources.values()
        if r["Type"] == "AWS::SNS::TopicPolicy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert tls_only


def test_dashboard_exists_per_environment(resources: dict[str, dict[str, Any]]) -> None:
    [dashboard] = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    assert dashboard["Properties"]["DashboardName"] == "retail-sync-test"


def test_every_work_queue_alarms_on_its_backlog(resources: dict[str, dict[str, Any]]) -> None:
    alarms = _alarms(resources)
    queues = [r for k, r in resources.items() if r["Type"] == "AWS::SQS::Queue" and "Dlq" not in k]
    for queue in (
        c.ID_POS_FILES_QUEUE,
        c.ID_AVAILABILITY_CHANGES_QUEUE,
        c.ID_CHANNEL_OUTBOUND_QUEUE,
        c.ID_FINANCE_QUEUE,
    ):
        assert alarms[f"{queue}OldestMessage"]["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert len([a for a in alarms if a.endswith("OldestMessage")]) == len(queues)


def test_every_scheduled_function_alarms_on_its_errors(resources: dict[str, dict[str, Any]]) -> None:
    alarms = _alarms(resources)
    scheduled = {
        render(target["Arn"]).removeprefix("<").removesuffix(".Arn>")
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule" and "ScheduleExpression" in r["Properties"]
        for target in r["Properties"]["Targets"]
    }
    assert len(scheduled) >= 7  # publisher, reconciliation, pollers, expiry, settlement runs
    for function_id in scheduled:
        [alarm] = [
            a
            for a in alarms.values()
            if a.get("MetricName") == "Errors" and render(a["Dimensions"][0]["Value"]) == f"<{function_id}>"
        ]
        assert (alarm["Threshold"], alarm["Statistic"]) == (0, "Sum")


def test_business_kpis_alarm_from_metrics_insights_over_every_dimension(
    resources: dict[str, dict[str, Any]],
) -> None:
    alarms = _alarms(resources)
    for kpi in (
        "OrderIngestionLatency",
        "AvailabilityPublishLag",
        "RefundCycleTime",
        "ReconciliationExceptions",
        "SettlementVariances",
        "OrderFlowExceptions",
    ):
        [query] = alarms[f"{kpi}High"]["Metrics"]
        assert f"({kpi}) FROM {c.METRICS_NAMESPACE}" in query["Expression"]
    assert alarms["ReturnFlowFailed"]["MetricName"] == "ExecutionsFailed"


def test_alarms_reach_the_configured_email_and_https_endpoint(tmp_path: Any) -> None:
    from aws_cdk.assertions import Template

    from app import build_app

    _, stack = build_app(
        {
            "environment": "test",
            "bundle": "false",
            "alarmEmail": "oncall@example.com, ops@example.com",
            "alarmWebhookUrl": "https://hooks.example.com/retail-sync",
        },
        outdir=str(tmp_path),
    )
    subscriptions = sorted(
        (r["Properties"]["Protocol"], r["Properties"]["Endpoint"])
        for r in Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == "AWS::SNS::Subscription"
    )
    assert subscriptions == [
        ("email", "oncall@example.com"),
        ("email", "ops@example.com"),
        ("https", "https://hooks.example.com/retail-sync"),
    ]


def test_a_plain_http_alarm_endpoint_is_refused() -> None:
    import pytest

    from infra.config import _https_url

    with pytest.raises(ValueError, match="https://"):
        _https_url("http://hooks.example.com/x")
