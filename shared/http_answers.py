"""The JSON answers of both HTTP APIs (the webhook edge and the ops API): one body format, one
error document, one mapping from an exception to its status.

    {"error": {"code", "message", "correlation_id", "details"?}}    (CONTRACT.md, "Errors")

Bodies are compact JSON with non-ASCII kept as UTF-8, as pydantic's `model_dump_json` writes them,
so a model and a plain dict answer the same bytes. Neither pydantic nor Powertools is imported
here: the webhook edge answers with this module alone (its cold start has no resolver), the ops
API wraps the same text in a Powertools `Response`.
"""

from __future__ import annotations

import json
from typing import Any

from shared.errors import ErrorCode, RetailSyncError

APPLICATION_JSON = "application/json"


def json_text(value: Any, *, exclude_none: bool = False) -> str:
    """A pydantic model (anything with `model_dump_json`) or plain JSON data as the answer's body;
    `exclude_none` drops None-valued fields (of a plain dict: its top-level keys; like pydantic, the
    values inside free-form dicts and lists are written as they are)."""
    dump = getattr(value, "model_dump_json", None)
    if dump is not None:
        return str(dump(exclude_none=exclude_none))
    if exclude_none and isinstance(value, dict):
        value = {key: item for key, item in value.items() if item is not None}
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def error_document(
    code: ErrorCode, message: str, correlation_id: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The contract's error body; `details` only when there are some."""
    error: dict[str, Any] = {"code": code.value, "message": message, "correlation_id": correlation_id}
    if details:
        error["details"] = details
    return {"error": error}


def error_answer(exc: BaseException, correlation_id: str, *, internal_message: str) -> tuple[int, dict[str, Any]]:
    """Status and body for an exception: a RetailSyncError carries its own code and status, anything
    else is a 500 INTERNAL with `internal_message` (never the exception's text)."""
    if isinstance(exc, RetailSyncError):
        return exc.status, error_document(exc.code, exc.message, correlation_id, exc.details)
    return 500, error_document(ErrorCode.INTERNAL, internal_message, correlation_id)


def proxy_response(status: int, body: str) -> dict[str, Any]:
    """An API Gateway REST (proxy integration) answer, the shape Powertools' `APIGatewayRestResolver`
    returns for a JSON `Response`."""
    return {
        "statusCode": status,
        "body": body,
        "isBase64Encoded": False,
        "multiValueHeaders": {"Content-Type": [APPLICATION_JSON]},
    }
