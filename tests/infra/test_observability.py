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
