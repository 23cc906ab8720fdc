"""Short-lived access tokens for the sandboxes, minted and checked as the vendors do.

A sandbox with a token endpoint owns a `TokenIssuer`: the endpoint checks the caller's credentials
(the placeholders of `shared/adapters/vendor_auth.py` unless registered otherwise) and answers a new
token living ``ttl_seconds`` (the vendor's own lifetime by default); every API call then needs a token
it issued and that has not expired, else the vendor's refusal. Admin API (`TokenAdminMixin`):

- ``GET /__admin/tokens``: ``{"ttl_seconds", "issued", "live", "refused"}``.
- ``POST /__admin/tokens`` with ``{"ttl_seconds": 2}`` (later tokens live that long) and/or
  ``{"expire": true}`` (every token issued so far is expired now, as if an hour had passed).
- ``DELETE /__admin/tokens``: revokes every token and restores the default lifetime.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import admin_route, json_response, read_json

VALID, EXPIRED, UNKNOWN = "valid", "expired", "unknown"


class TokenIssuer:
    def __init__(self, ttl_seconds: float, prefix: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.default_ttl = ttl_seconds
        self.ttl_seconds = ttl_seconds
        self._prefix = prefix
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self.issued = 0
        self.refused = 0

    def issue(self) -> tuple[str, int]:
        """A new token and its lifetime in whole seconds (what ``expires_in`` says)."""
        token = f"{self._prefix}{uuid.uuid4().hex}"
        with self._lock:
            self._expiry[token] = self._clock() + self.ttl_seconds
            self.issued += 1
        return token, max(int(self.ttl_seconds), 1)

    def check(self, token: str | None) -> str:
        with self._lock:
            expires_at = self._expiry.get(token or "")
            state = UNKNOWN if expires_at is None else (VALID if self._clock() < expires_at else EXPIRED)
            if state != VALID:
                self.refused += 1
        return state

    def expire_all(self) -> None:
        with self._lock:
            now = self._clock()
            self._expiry = {token: min(at, now) for token, at in self._expiry.items()}

    def revoke_all(self) -> None:
        with self._lock:
            self._expiry.clear()
            self.ttl_seconds = self.default_ttl

    def summary(self) -> dict[str, float | int]:
        with self._lock:
            now = self._clock()
            live = sum(1 for at in self._expiry.values() if at > now)
            return {"ttl_seconds": self.ttl_seconds, "issued": self.issued, "live": live, "refused": self.refused}


class TokenAdminMixin:
    """``/__admin/tokens`` over the sandbox's ``tokens`` (a `TokenIssuer`)."""

    tokens: TokenIssuer

    @admin_route("GET", "tokens")
    def admin_get_tokens(self, request: Request) -> Response:
        return json_response(self.tokens.summary())

    @admin_route("POST", "tokens")
    def admin_post_tokens(self, request: Request) -> Response:
        try:
            body = read_json(request)
            if not isinstance(body, dict):
                raise ValueError('send {"ttl_seconds": n} and/or {"expire": true}')
            ttl = body.get("ttl_seconds")
            if ttl is not None:
                if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl <= 0:
                    raise ValueError("ttl_seconds must be a positive number")
                self.tokens.ttl_seconds = float(ttl)
            if body.get("expire"):
                self.tokens.expire_all()
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(self.tokens.summary())

    @admin_route("DELETE", "tokens")
    def admin_delete_tokens(self, request: Request) -> Response:
        self.tokens.revoke_all()
        return json_response(self.tokens.summary())
