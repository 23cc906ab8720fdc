"""Zalando: no push; a scheduled poll of the zDirect Orders API with an overlapping window."""

from __future__ import annotations

from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.intake.pull_intake import PullIntakeResources
from infra.shared.core import CoreResources
from infra.storage.tables_construct import grant_state_partitions


class ZalandoChannelConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        config = core.pull_channels
        intake = PullIntakeResources.of(core)
        merchant_id = config.zalando_merchant_id
        self.poller = core.factory.function(
            self,
            specs.ZALANDO_ORDERS_POLLER,
            # Disabled until the merchant is configured.
            enabled=bool(merchant_id),
            environment={
                **intake.environment,
                **core.env(state=True),
                c.ENV_ZALANDO_API_BASE_URL: config.zalando_api_base_url,
                # Empty until the merchant is configured: the schedule stays disabled meanwhile.
                c.ENV_ZALANDO_MERCHANT_ID: merchant_id or "",
                "ZALANDO_POLL_OVERLAP_SECONDS": str(c.ZALANDO_POLL_OVERLAP_SECONDS),
                "ZALANDO_POLL_SETTLE_SECONDS": str(c.ZALANDO_POLL_SETTLE_SECONDS),
                "ZALANDO_POLL_FIRST_LOOKBACK_SECONDS": str(c.POLL_FIRST_LOOKBACK_SECONDS),
            },
        )
        intake.grant(self.poller)
        grant_state_partitions(core.state_table, self.poller, writes=[c.PK_POLLERS])  # its watermark only
