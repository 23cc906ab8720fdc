"""What every ops route shares: its collaborators, the request's body, caller and SKU, and the
JSON answer (`shared.http_answers`, the same format as the webhook API's)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from functions.ops.deps import Deps, default_deps
from functions.ops.logic.caller import caller_of
from shared.errors import MalformedBody, ValidationFailed
from shared.http_answers import APPLICATION_JSON, json_text

_SKU = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def deps(router: BaseRouter) -> Deps:
    """The test's `deps` passed to the handler, else the AWS ones."""
    given: Deps | None = router.context.get("deps")
    return given or default_deps()


def answer(value: Any, status: int = 200) -> Response:
    """A model (or plain data) as the JSON answer; None fields are left out of error bodies only."""
    text = json_text(value, exclude_none=status >= 400)
    return Response(status_code=status, content_type=APPLICATION_JSON, body=text)


def body(router: BaseRouter) -> Any:
    try:
        return router.current_event.json_body
    except ValueError as exc:
        raise MalformedBody("the body is not JSON") from exc


def caller(router: BaseRouter) -> str:
    return caller_of(router.current_event.raw_event.get("requestContext"))


def correlation_id(router: BaseRouter) -> str:
    return router.current_event.headers.get("X-Correlation-Id") or uuid.uuid4().hex


def checked_sku(value: str) -> str:
    """A SKU from the path or query; the allocation rules' default scope is not one."""
    from shared.models.allocation import DEFAULT_SCOPE

    if not _SKU.match(value) or value == DEFAULT_SCOPE:
        raise ValidationFailed("not a SKU", details=[{"field": "sku", "message": value[:64]}])
    return value
