"""What the webhook endpoint answers (the contract's answers table)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Accepted(BaseModel):
    """202 for an accepted, duplicate or ignored delivery."""

    model_config = ConfigDict(frozen=True)

    correlation_id: str
    event_id: str
    duplicate: bool = False
    ignored: bool | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    correlation_id: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """`{"error": {"code", "message", "correlation_id", "details"?}}` for every refusal."""

    error: ErrorDetail
