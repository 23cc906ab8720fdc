"""Scheduled poll of Zalando's Orders API (Zalando pushes nothing), with an overlapping window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.intake.adapters.runtime import watermarks_for
from functions.intake.logic.polls import ZalandoOrders, poll_zalando_orders
from functions.intake.logic.watermark import WindowPolicy
from functions.intake.settings import ZalandoPollerSettings
from shared.adapters.intake_runtime import intake_for
from shared.models import utc_now
from shared.observability import entry_point, metrics
from shared.settings import cached


@entry_point(clear_state=True)
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, orders: ZalandoOrders | None = None
) -> dict[str, Any]:
    settings = cached(ZalandoPollerSettings)
    if orders is None:
        from shared.adapters.vendor_auth import zalando_token_auth
        from shared.channels.clients.zalando_api import ZalandoOrdersClient

        orders = ZalandoOrdersClient(settings.zalando_api_base_url, zalando_token_auth(settings.zalando_api_base_url))
    report = poll_zalando_orders(
        orders,
        settings.zalando_merchant_id,
        store=watermarks_for(settings),
        intake=intake_for(settings, context),
        policy=WindowPolicy(
            overlap=timedelta(seconds=settings.zalando_poll_overlap_seconds),
            settle=timedelta(seconds=settings.zalando_poll_settle_seconds),
            first_lookback=timedelta(seconds=settings.zalando_poll_first_lookback_seconds),
        ),
        now=utc_now(),
    )
    metrics.add_metric(name="ZalandoPolledOrdersAccepted", unit=MetricUnit.Count, value=report.get("accepted", 0))
    return report
