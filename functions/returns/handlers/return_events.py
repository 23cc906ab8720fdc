"""Domain events for returns (EventBridge rule `ReturnEventsRule`).

- `ReturnAuthorized` / `ReturnUpdated` / `StoreReturnRecorded` (a return recorded by the orders
  worker): start its ReturnFlow, named after the business key (a second start is refused by name);
- `ReturnInspected` (the WMS `return.inspected` webhook, recorded once per event id): hand the
  inspection to the flow waiting for it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.logic.events import ReturnEvents
from shared.observability import entry_point


@lru_cache(maxsize=1)
def default_events() -> ReturnEvents:
    from functions.returns.adapters.aws_ports import StepFunctionsReturnFlow
    from functions.returns.deps import build_steps
    from functions.returns.settings import ReturnEventsSettings, ReturnStepSettings
    from shared.settings import cached

    settings = cached(ReturnEventsSettings)
    return ReturnEvents(
        StepFunctionsReturnFlow(settings.return_flow_arn),
        build_steps(cached(ReturnStepSettings)),
        settings.inspection_timeout_seconds,
    )


@entry_point(correlation_id_path="detail.correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, events: ReturnEvents | None = None) -> dict[str, Any]:
    return (events or default_events()).handle(event["detail-type"], event["detail"])
