"""ReturnFlow task RecordException: a failed or timed-out return is marked EXCEPTION and traced.

Input: `{"return_key", "error": {"Error", "Cause"}, "request"}` (the Catch's result; the request, for
a failure of ApplyPolicy before the return was stored).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.deps import default_steps
from functions.returns.logic.flow_steps import ReturnSteps
from shared.observability import entry_point


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, steps: ReturnSteps | None = None) -> dict[str, Any]:
    return (steps or default_steps()).record_exception(
        event["return_key"], str(event["error"].get("Error", "")), event["error"].get("Cause"), event.get("request")
    )
