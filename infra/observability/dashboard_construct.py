"""CloudWatch dashboard and alarms: backlog, DLQ depth, OrderFlow failures, ingest 5xx."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
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
        functions: Mapping[str, lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, c.ID_ALARM_TOPIC, display_name=f"{c.SERVICE} {environment} alarms", enforce_ssl=True
        )
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
            "OrderFlow executions failed (ERP down: orders parked) ",
        )
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
                    cloudwatch.Alarm.from_alarm_name(
                        self, f"{a.node.id}Ref", f"{c.SERVICE}-{environment}-{a.node.id}"
                    )
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
                left=[
                    fn.metric_duration(period=_PERIOD, statistic="p99", label=n)
                    for n, fn in functions.items()
                ],
                width=8,
            ),
        )
