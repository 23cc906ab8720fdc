"""Target of the SP-API partner event bus rule: an ORDER_CHANGE notification -> the orders queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.intake.logic.amazon_events import accept_partner_event
from shared.adapters.intake_runtime import intake_for
from shared.models import utc_now
from shared.observability import entry_point, metrics
from shared.pulled_intake import PulledIntake
from shared.settings import PullIntakeSettings, cached


@entry_point(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext, intake: PulledIntake | None = None) -> dict[str, Any]:
    intake = intake or intake_for(cached(PullIntakeSettings), context)
    result = accept_partner_event(event, intake, now=utc_now())
    metrics.add_metric(name=f"AmazonNotification{result['status'].capitalize()}", unit=MetricUnit.Count, value=1)
    return result
