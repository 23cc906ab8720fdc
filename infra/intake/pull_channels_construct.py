"""The pulled channels, composed: Amazon (partner bus rule + backup poll), Zalando (poll), POS files."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra.intake.amazon_channel_construct import AmazonChannelConstruct
from infra.intake.pos_files_construct import PosFilesConstruct
from infra.intake.zalando_channel_construct import ZalandoChannelConstruct
from infra.shared.core import CoreResources


class PullChannelsConstruct(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, core: CoreResources, orders_worker: lambda_.Function
    ) -> None:
        super().__init__(scope, construct_id)
        self.amazon = AmazonChannelConstruct(self, "Amazon", core=core, orders_worker=orders_worker)
        self.zalando = ZalandoChannelConstruct(self, "Zalando", core=core)
        self.pos_files = PosFilesConstruct(self, "PosFiles", core=core)

    @property
    def functions(self) -> dict[str, lambda_.Function]:
        return {
            c.ID_AMAZON_ORDER_CHANGE_FUNCTION: self.amazon.notifications,
            c.ID_AMAZON_ORDERS_POLLER_FUNCTION: self.amazon.poller,
            c.ID_ZALANDO_ORDERS_POLLER_FUNCTION: self.zalando.poller,
            c.ID_POS_FILES_FUNCTION: self.pos_files.function,
        }
