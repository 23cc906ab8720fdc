"""ReturnFlow task AuthorizeReturn: the ERP return authorization, upserted by the business key.

Input: `{"return_key"}`. Raises ErpThrottled / ErpUnavailable (retried) and ErpRejected (caught).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.deps import default_steps
from functions.returns.logic.flow_steps import ReturnSteps
from shared.observability import entry_point


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, steps: ReturnSteps | None = None) -> dict[str, Any]:
    return (steps or default_steps()).authorize(event["return_key"])
