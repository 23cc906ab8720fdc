"""Zalando: no push; a scheduled poll of the zDirect Orders API with an overlapping window."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from constructs import Construct

from infra import constants as c
from infra.intake.pull_intake import PullIntakeResources
from infra.shared.function_factory import FunctionFactory
from infra.storage.tables_construct import grant_state_partitions


class ZalandoChannelConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        api_base_url: str,
        merchant_id: str | None,
        intake: PullIntakeResources,
        state_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        # One run at a time (reserved concurrency 1): two would read the same window and race for
        # the watermark.
        self.poller, self.schedule = factory.scheduled_function(
            self,
            c.ID_ZALANDO_ORDERS_POLLER_FUNCTION,
            schedule_id=c.ID_ZALANDO_ORDERS_POLL_SCHEDULE,
            schedule=events.Schedule.rate(cdk.Duration.minutes(c.ZALANDO_ORDERS_POLL_MINUTES)),
            schedule_description="Every 10 minutes: Zalando orders poll",
            # Disabled until the merchant is configured.
            enabled=bool(merchant_id),
            handler=c.HANDLER_ZALANDO_ORDERS_POLLER,
            service="zalando-orders-poller",
            description="Poll zDirect orders updated in an overlapping window (watermark); enqueue each once",
            timeout_seconds=c.POLLER_TIMEOUT_SECONDS,
            environment={
                **intake.environment,
                c.ENV_STATE_TABLE: state_table.table_name,
                c.ENV_ZALANDO_API_BASE_URL: api_base_url,
                # Empty until the merchant is configured: the schedule stays disabled meanwhile.
                c.ENV_ZALANDO_MERCHANT_ID: merchant_id or "",
                "ZALANDO_POLL_OVERLAP_SECONDS": str(c.ZALANDO_POLL_OVERLAP_SECONDS),
                "ZALANDO_POLL_SETTLE_SECONDS": str(c.ZALANDO_POLL_SETTLE_SECONDS),
                "ZALANDO_POLL_FIRST_LOOKBACK_SECONDS": str(c.POLL_FIRST_LOOKBACK_SECONDS),
            },
        )
        intake.grant(self.poller)
        grant_state_partitions(state_table, self.poller, writes=[c.PK_POLLERS])  # its watermark only
