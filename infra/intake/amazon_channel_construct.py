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
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.intake.pull_intake import PullIntakeResources
from infra.shared.core import CoreResources
from infra.shared.logical_ids import pin_logical_id
from infra.storage.tables_construct import grant_state_partitions


class AmazonChannelConstruct(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, core: CoreResources, orders_worker: lambda_.Function
    ) -> None:
        super().__init__(scope, construct_id)
        config = core.pull_channels
        intake = PullIntakeResources.of(core)
        self.notifications = core.factory.function(self, specs.AMAZON_ORDER_CHANGE, environment=intake.environment)
        intake.grant(self.notifications)
        if config.amazon_partner_event_bus_name:
            bus = events.EventBus.from_event_bus_name(self, "SpApiPartnerBus", config.amazon_partner_event_bus_name)
            rule = events.Rule(
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
            pin_logical_id(rule, c.ID_AMAZON_ORDER_CHANGE_RULE)

        self.poller = core.factory.function(
            self,
            specs.AMAZON_ORDERS_POLLER,
            environment={
                **intake.environment,
                **core.env(state=True),
                c.ENV_AMAZON_SP_API_BASE_URL: config.amazon_sp_api_base_url,
                c.ENV_AMAZON_MARKETPLACE_IDS: config.amazon_marketplace_ids,
                "AMAZON_POLL_OVERLAP_SECONDS": str(c.AMAZON_POLL_OVERLAP_SECONDS),
                "AMAZON_POLL_FIRST_LOOKBACK_SECONDS": str(c.POLL_FIRST_LOOKBACK_SECONDS),
            },
        )
        intake.grant(self.poller)
        grant_state_partitions(core.state_table, self.poller, writes=[c.PK_POLLERS])  # its watermark only
        # The worker reads getOrder / getOrderItems while normalizing Amazon envelopes.
        orders_worker.add_environment(c.ENV_AMAZON_SP_API_BASE_URL, config.amazon_sp_api_base_url)
