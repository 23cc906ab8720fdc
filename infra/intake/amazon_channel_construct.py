"""Amazon SP-API: ORDER_CHANGE from the partner event bus, and the scheduled backup poll.

- The partner event bus exists once the SP-API EventBridge destination's partner event source is
  associated in the account (its name starts with `aws.partner/sellingpartnerapi.amazon`); it is
  imported by name (context `amazonPartnerEventBusName`; the local stack creates it in moto before
  the deploy). A rule on it sends `ORDER_CHANGE` events to the notification function.
- Amazon advises a backup for missed or late notifications: getOrders every 15 minutes over an
  overlapping window (watermark in the state table), reserved concurrency 1.
- The orders worker normalizes Amazon envelopes by reading getOrder / getOrderItems: it gets the
  SP-API base URL.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra.intake.config import PullChannelsConfig
from infra.intake.pull_intake import PullIntakeResources
from infra.shared.function_factory import FunctionFactory
from infra.storage.tables_construct import grant_state_partitions


class AmazonChannelConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        config: PullChannelsConfig,
        intake: PullIntakeResources,
        state_table: dynamodb.ITable,
        orders_worker: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        sp_api = {c.ENV_AMAZON_SP_API_BASE_URL: config.amazon_sp_api_base_url}
        self.notifications: lambda_.Function = factory.function(
            self,
            c.ID_AMAZON_ORDER_CHANGE_FUNCTION,
            handler=c.HANDLER_AMAZON_ORDER_CHANGE,
            service="amazon-notifications",
            description="SP-API ORDER_CHANGE from the partner event bus: dedupe by order, enqueue",
            timeout_seconds=c.AMAZON_ORDER_CHANGE_TIMEOUT_SECONDS,
            environment=intake.environment,
        )
        intake.grant(self.notifications)
        self.rule: events.Rule | None = None
        if config.amazon_partner_event_bus_name:
            bus = events.EventBus.from_event_bus_name(self, "SpApiPartnerBus", config.amazon_partner_event_bus_name)
            self.rule = events.Rule(
                self,
                c.ID_AMAZON_ORDER_CHANGE_RULE,
                description="SP-API ORDER_CHANGE notifications -> the Amazon notification function",
                event_bus=bus,
                event_pattern=events.EventPattern(
                    source=events.Match.prefix(c.AMAZON_PARTNER_SOURCE_PREFIX),
                    detail_type=["ORDER_CHANGE"],
                ),
                targets=[
                    targets.LambdaFunction(self.notifications, retry_attempts=4, max_event_age=cdk.Duration.hours(2))
                ],
            )
            resource = self.rule.node.default_child
            assert isinstance(resource, events.CfnRule)
            resource.override_logical_id(c.ID_AMAZON_ORDER_CHANGE_RULE)

        # One run at a time (reserved concurrency 1): two would read the same window and race for
        # the watermark.
        self.poller, self.schedule = factory.scheduled_function(
            self,
            c.ID_AMAZON_ORDERS_POLLER_FUNCTION,
            schedule_id=c.ID_AMAZON_ORDERS_POLL_SCHEDULE,
            schedule=events.Schedule.rate(cdk.Duration.minutes(c.AMAZON_ORDERS_POLL_MINUTES)),
            schedule_description="Every 15 minutes: Amazon orders backup poll",
            handler=c.HANDLER_AMAZON_ORDERS_POLLER,
            service="amazon-orders-poller",
            description="Backup poll of SP-API getOrders over an overlapping window (watermark)",
            timeout_seconds=c.POLLER_TIMEOUT_SECONDS,
            environment={
                **intake.environment,
                **sp_api,
                c.ENV_STATE_TABLE: state_table.table_name,
                c.ENV_AMAZON_MARKETPLACE_IDS: config.amazon_marketplace_ids,
                "AMAZON_POLL_OVERLAP_SECONDS": str(c.AMAZON_POLL_OVERLAP_SECONDS),
                "AMAZON_POLL_FIRST_LOOKBACK_SECONDS": str(c.POLL_FIRST_LOOKBACK_SECONDS),
            },
        )
        intake.grant(self.poller)
        grant_state_partitions(state_table, self.poller, writes=[c.PK_POLLERS])  # its watermark only
        # The worker reads getOrder / getOrderItems while normalizing Amazon envelopes.
        orders_worker.add_environment(c.ENV_AMAZON_SP_API_BASE_URL, config.amazon_sp_api_base_url)
