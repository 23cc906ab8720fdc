"""Scheduled backup poll of Amazon orders (getOrders), as Amazon advises beside the notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.intake.adapters.runtime import watermarks_for
from functions.intake.logic.polls import AmazonOrders, poll_amazon_orders
from functions.intake.settings import AmazonPollerSettings
from shared.adapters.intake_runtime import intake_for
from shared.channels.clients.sp_api import SpApiClient, SpApiSettings
from shared.models import utc_now
from shared.observability import entry_point, metrics
from shared.settings import cached


@entry_point(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext, orders: AmazonOrders | None = None) -> dict[str, Any]:
    settings = cached(AmazonPollerSettings)
    if orders is None:
        orders = SpApiClient.from_settings(cached(SpApiSettings))
    report = poll_amazon_orders(
        orders,
        settings.marketplace_ids,
        store=watermarks_for(settings),
        intake=intake_for(settings, context),
        overlap=timedelta(seconds=settings.amazon_poll_overlap_seconds),
        first_lookback=timedelta(seconds=settings.amazon_poll_first_lookback_seconds),
        now=utc_now(),
    )
    metrics.add_metric(name="AmazonPolledOrdersAccepted", unit=MetricUnit.Count, value=report.get("accepted", 0))
    return report
