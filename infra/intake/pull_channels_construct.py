"""The pulled channels, composed: Amazon (partner bus rule + backup poll), Zalando (poll), POS files."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.intake.amazon_channel_construct import AmazonChannelConstruct
from infra.intake.config import PullChannelsConfig
from infra.intake.pos_files_construct import PosFilesConstruct
from infra.intake.pull_intake import PullIntakeResources
from infra.intake.zalando_channel_construct import ZalandoChannelConstruct
from infra.shared.core import CoreResources


class PullChannelsConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreResources,
        config: PullChannelsConfig,
        intake: PullIntakeResources,
        orders_worker: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        factory = core.factory
        state_table = core.state_table
        environment = core.environment
        removal_policy = core.removal_policy
        self.amazon = AmazonChannelConstruct(
            self,
            "Amazon",
            factory=factory,
            config=config,
            intake=intake,
            state_table=state_table,
            orders_worker=orders_worker,
        )
        self.zalando = ZalandoChannelConstruct(
            self,
            "Zalando",
            factory=factory,
            api_base_url=config.zalando_api_base_url,
            merchant_id=config.zalando_merchant_id,
            intake=intake,
            state_table=state_table,
        )
        self.pos_files = PosFilesConstruct(
            self,
            "PosFiles",
            factory=factory,
            intake=intake,
            access_logs=intake.payloads.access_logs,
            store_time_zones=config.pos_store_time_zones,
            environment=environment,
            removal_policy=removal_policy,
        )

    @property
    def functions(self) -> dict[str, lambda_.Function]:
        from infra import constants as c

        return {
            c.ID_AMAZON_ORDER_CHANGE_FUNCTION: self.amazon.notifications,
            c.ID_AMAZON_ORDERS_POLLER_FUNCTION: self.amazon.poller,
            c.ID_ZALANDO_ORDERS_POLLER_FUNCTION: self.zalando.poller,
            c.ID_POS_FILES_FUNCTION: self.pos_files.function,
        }
