"""Who is calling the ops API, as API Gateway's IAM (SigV4) authorization tells it.

With `AWS_IAM` authorization API Gateway fills `requestContext.identity` with the caller's ARN
(`userArn`, for an assumed role `arn:aws:sts::<account>:assumed-role/<role>/<session>`), its
principal id (`caller`) and access key (`accessKey`); the local bridge fills the same fields for the
`local` role. Audit entries and every ops log line carry this value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN_CALLER = "unknown"


def caller_of(request_context: Mapping[str, Any] | None) -> str:
    """The most specific identity API Gateway authenticated: user ARN, else principal id, else key."""
    identity = (request_context or {}).get("identity") or {}
    for key in ("userArn", "caller", "accessKey"):
        value = identity.get(key)
        if isinstance(value, str) and value:
            return value[:256]
    return UNKNOWN_CALLER
