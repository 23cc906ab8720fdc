"""Exceptions: list (every kind, or one), resolve and retry (every kind)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.ops.routes._http import answer, body, caller, deps
from shared.errors import ValidationFailed

router = Router()


@router.get("/v1/ops/exceptions")
def list_exceptions() -> Response:
    from functions.ops.logic import exceptions as exception_ops

    query = router.current_event.get_query_string_value
    status = exception_ops.parse_status(query("status", None))
    kind = exception_ops.parse_kind(query("kind", None))
    limit = exception_ops.parse_limit(query("limit", None))
    given = deps(router)
    return answer(exception_ops.list_every_kind(given.exceptions, given.kinds, status, kind, limit))


@router.post("/v1/ops/exceptions/<exception_id>/resolve")
def resolve_exception(exception_id: str) -> Response:
    from functions.ops.logic import exceptions as exception_ops

    given, actor = deps(router), caller(router)
    if exception_ops.stored_kind(exception_id):
        return answer(exception_ops.close_stored_exception(given.need_kinds(), exception_id, body(router), actor=actor))
    return answer(exception_ops.resolve_exception(given.need_exceptions(), exception_id, body(router), actor=actor))


@router.post("/v1/ops/exceptions/<exception_id>/retry")
def retry_exception(exception_id: str) -> Response:
    from functions.ops.logic import exceptions as exception_ops

    if not exception_ops.stored_kind(exception_id):
        raise ValidationFailed(
            "a reconciliation exception is not retried: resolve it, or start a new run",
            details=[{"field": "exception_id", "message": exception_id[:64]}],
        )
    given = deps(router)
    return answer(
        exception_ops.retry_stored_exception(given.need_kinds(), given.queues or {}, exception_id, flow=given.flow),
        202,
    )
