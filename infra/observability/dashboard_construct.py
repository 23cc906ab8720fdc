"""CloudWatch dashboard and alarms, and who they reach (issue 13.6).

Alarms (each notifies the SNS topic on ALARM and on OK; the topic's subscribers come from context
`alarmEmail`, comma-separated, and `alarmWebhookUrl`, https):
- every DLQ holding a message; every work queue's oldest message older than its threshold (backlog);
- OrderFlow and ReturnFlow executions failed or timed out (a parked order is not a failure: it ends
  SUCCEEDED and the parking queue's age alarm watches it), and order exceptions raised;
- every scheduled function's errors (nobody waits on a schedule: an error is seen only here);
- the design's business KPIs, from the metrics the functions emit (Metrics Insights queries, so every
  dimension set counts): order ingestion latency, availability publish lag, refund cycle time,
  reconciliation exceptions and settlement variances;
- the webhook API answering 5xx.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import constants as c
from infra.shared.nag import acknowledge_resource

_PERIOD = cdk.Duration.minutes(1)
# How old the oldest message may get before someone should look (seconds).
QUEUE_AGE_THRESHOLDS = {
    c.ID_ORDERS_QUEUE: 300,
    c.ID_INVENTORY_QUEUE: 300,
    c.ID_ORDERS_PARKING_QUEUE: 3600,
}


@dataclass(frozen=True)
class Kpi:
    """A business KPI alarm: the worst (MAX) or total (SUM) of a metric over `period`, above `threshold`."""

    metric: str
    statistic: str
    threshold: float
    period: cdk.Duration
    description: str

    def query(self, label: str | None = None) -> cloudwatch.MathExpression:
        return cloudwatch.MathExpression(
            expression=f"SELECT {self.statistic}({self.metric}) FROM {c.METRICS_NAMESPACE}",
            using_metrics={},
            period=self.period,
            label=label or self.metric,
        )


KPIS = (
    Kpi("OrderIngestionLatency", "MAX", 60_000, cdk.Duration.minutes(5),
        "An order took over a minute from its webhook to accepted (ms): the ERP or a queue is slow"),
    Kpi("AvailabilityPublishLag", "MAX", 900_000, cdk.Duration.minutes(15),
        "A stock change waited over 15 minutes to reach a channel (ms): overselling risk"),
    Kpi("RefundCycleTime", "MAX", 14 * 86_400, cdk.Duration.days(1),
        "A refund took over 14 days from the ERP return authorization (s)"),
    Kpi("ReconciliationExceptions", "SUM", 0, cdk.Duration.hours(1),
        "Inventory reconciliation found positions it could not correct: see GET /v1/ops/exceptions"),
    Kpi("SettlementVariances", "SUM", 0, cdk.Duration.days(1),
        "A payout did not match our orders: see the settlement exceptions"),
    Kpi("OrderFlowExceptions", "SUM", 0, cdk.Duration.minutes(5),
        "An OrderFlow step failed for good: GET /v1/ops/exceptions?kind=order, then retry it"),
)  # fmt: skip


class DashboardConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        api: apigw.RestApi,
        work_queues: Mapping[str, sqs.IQueue],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        order_flow: sfn.StateMachine,
        return_flow: sfn.StateMachine,
        functions: Mapping[str, lambda_.IFunction],
        scheduled_functions: Mapping[str, lambda_.IFunction],
        alarm_emails: tuple[str, ...] = (),
        alarm_webhook_url: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, c.ID_ALARM_TOPIC, display_name=f"{c.SERVICE} {environment} alarms", enforce_ssl=True
        )
        for address in alarm_emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(address))
        if alarm_webhook_url:
            self.topic.add_subscription(subscriptions.UrlSubscription(alarm_webhook_url))
        acknowledge_resource(
            self.topic,
            "AwsSolutions-SNS2",
            "Alarm notifications carry only alarm names, metrics and thresholds (no business data); "
            "CloudWatch cannot publish to a topic under the AWS-managed SNS key",
        )
        action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        def alarm(alarm_id: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> None:
            created = cloudwatch.Alarm(
                self,
                alarm_id,
                alarm_name=f"{c.SERVICE}-{environment}-{alarm_id}",
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(action)
            created.add_ok_action(action)
            self.alarms.append(created)

        for name, dlq in dead_letter_queues.items():
            alarm(
                f"{name}Depth",
                dlq.metric_approximate_number_of_messages_visible(period=_PERIOD, statistic="Maximum"),
                0,
                f"{name} holds messages that failed {c.MAX_RECEIVE_COUNT} times: inspect and redrive",
            )
        for name, queue in work_queues.items():
            alarm(
                f"{name}OldestMessage",
                queue.metric_approximate_age_of_oldest_message(period=_PERIOD, statistic="Maximum"),
                QUEUE_AGE_THRESHOLDS.get(name, 300),
                f"{name} is backing up: its oldest message is older than the threshold (seconds)",
            )
        alarm(
            "OrderFlowFailed",
            order_flow.metric_failed(period=_PERIOD, statistic="Sum"),
            0,
            "OrderFlow executions failed: each is an order exception (GET /v1/ops/exceptions?kind=order)",
        )
        alarm(
            "ReturnFlowFailed",
            return_flow.metric_failed(period=_PERIOD, statistic="Sum"),
            0,
            "ReturnFlow executions failed: each is a return exception for a person",
        )
        alarm(
            "ReturnFlowTimedOut",
            return_flow.metric_timed_out(period=_PERIOD, statistic="Sum"),
            0,
            "ReturnFlow executions hit their time limit",
        )
        for name, fn in scheduled_functions.items():
            alarm(
                f"{name}Errors",
                fn.metric_errors(period=cdk.Duration.minutes(5), statistic="Sum"),
                0,
                f"The scheduled {name} failed: its next run retries; look at its logs",
            )
        for kpi in KPIS:
            alarm(f"{kpi.metric}High", kpi.query(), kpi.threshold, kpi.description)
        alarm(
            "OrderFlowTimedOut",
            order_flow.metric_timed_out(period=_PERIOD, statistic="Sum"),
            0,
            "OrderFlow executions hit the Express time limit",
        )
        alarm(
            "Ingest5xx",
            api.metric_server_error(period=_PERIOD, statistic="Sum"),
            0,
            "The webhook API answered 5xx: vendors will retry, and some drop subscriptions after failures",
        )

        dashboard = cloudwatch.Dashboard(
            self,
            c.ID_DASHBOARD,
            dashboard_name=f"{c.SERVICE}-{environment}",
            default_interval=cdk.Duration.hours(3),
        )
        dashboard.add_widgets(
            # Alarms by name-built ARN (not GetAtt): moto's CloudFormation has no AWS::CloudWatch::Alarm.
            cloudwatch.AlarmStatusWidget(
                title="Alarms",
                alarms=[
                    cloudwatch.Alarm.from_alarm_name(self, f"{a.node.id}Ref", f"{c.SERVICE}-{environment}-{a.node.id}")
                    for a in self.alarms
                ],
                width=24,
                height=4,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Webhook API",
                left=[api.metric_count(period=_PERIOD), api.metric_client_error(period=_PERIOD),
                      api.metric_server_error(period=_PERIOD)],
                right=[api.metric_latency(period=_PERIOD, statistic="p99")],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="OrderFlow executions",
                left=[order_flow.metric_started(period=_PERIOD), order_flow.metric_succeeded(period=_PERIOD),
                      order_flow.metric_failed(period=_PERIOD), order_flow.metric_timed_out(period=_PERIOD)],
                width=12,
            ),
        )  # fmt: skip
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Backlog (visible messages)",
                left=[q.metric_approximate_number_of_messages_visible(period=_PERIOD, label=n)
                      for n, q in {**work_queues, **dead_letter_queues}.items()],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Oldest message age (s)",
                left=[q.metric_approximate_age_of_oldest_message(period=_PERIOD, label=n)
                      for n, q in work_queues.items()],
                width=12,
            ),
        )  # fmt: skip
        dashboard.add_widgets(
            *(
                cloudwatch.GraphWidget(title=f"{kpi.metric} ({kpi.statistic})", left=[kpi.query()], width=4)
                for kpi in KPIS
            )
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[fn.metric_errors(period=_PERIOD, label=n) for n, fn in functions.items()],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Function throttles",
                left=[fn.metric_throttles(period=_PERIOD, label=n) for n, fn in functions.items()],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Function duration p99 (ms)",
                left=[fn.metric_duration(period=_PERIOD, statistic="p99", label=n) for n, fn in functions.items()],
                width=8,
            ),
        )
