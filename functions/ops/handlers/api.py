"""Ops API: transaction timelines, orders, inventory, reconciliations (runs, exceptions, audit), replay.

The entry point only includes the routes (`functions/ops/routes/`, one Powertools `Router` per
area), maps every error to the contract's body in one place (`shared.http_answers`, shared with the
webhook API: a RetailSyncError carries its own status, anything else is a 500 INTERNAL), names the
caller on every log line and logs each write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths

from functions.ops.deps import Deps
from functions.ops.logic.caller import caller_of
from functions.ops.routes import (
    api_description,
    dead_letters,
    exceptions,
    inventory,
    orders,
    reconciliations,
    returns,
)
from functions.ops.routes._http import answer, correlation_id
from shared.errors import ErrorCode, RetailSyncError
from shared.http_answers import error_answer, error_document
from shared.observability import entry_point, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

__all__ = ["Deps", "app", "lambda_handler"]

app = APIGatewayRestResolver()
for area in (orders, inventory, reconciliations, exceptions, dead_letters, returns, api_description):
    app.include_router(area.router)


@app.exception_handler(Exception)
def handle_error(exc: Exception) -> Response:
    if not isinstance(exc, RetailSyncError):
        logger.exception("ops request failed")
    status, body = error_answer(exc, correlation_id(app), internal_message="internal error")
    return answer(body, status)


@app.not_found
def handle_not_found(exc: NotFoundError) -> Response:
    return answer(error_document(ErrorCode.NOT_FOUND, "no such route", correlation_id(app)), 404)


@entry_point(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    if event.get("detail-type") == SCHEDULED_EVENT:
        return _auto_retry(deps)
    app.append_context(deps=deps)
    # Every log line of the request names the caller; every write leaves an audit line with it.
    logger.append_keys(caller=caller_of(event.get("requestContext")))
    response = app.resolve(event, context)
    if event.get("httpMethod") not in ("GET", "HEAD", "OPTIONS"):
        logger.info("ops write", method=event.get("httpMethod"), path=event.get("path"), status=response["statusCode"])
    return response


# The ExceptionsAutoRetry schedule targets this function: it has every grant a retry needs (queues,
# OrderFlow, the state table), so the schedule reuses them instead of a copy of them.
SCHEDULED_EVENT = "Scheduled Event"


def _auto_retry(deps: Deps | None) -> dict[str, Any]:
    from functions.ops.deps import default_deps
    from functions.ops.logic.auto_retry import retry_transient_exceptions

    given = deps or default_deps()
    run = retry_transient_exceptions(given.need_kinds(), given.queues or {}, given.flow)
    metrics.add_metric(name="ExceptionsAutoRetried", unit="Count", value=len(run.retried))
    logger.info("transient exceptions retried", extra=run.as_dict())
    return run.as_dict()
