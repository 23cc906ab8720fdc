"""Short-lived vendor access tokens: minted from long-lived credentials, cached per warm container.

One `TokenProvider` per (vendor, endpoint, client): it mints a token on first use, keeps it until
`refresh_before_seconds` before it expires (so a token never runs out between the check and the
call), lets only one caller mint at a time (the others wait and take the fresh token), and forgets a
token the vendor refused (`invalidate`, after a 401) so the next call mints once more.
`HttpConnector` sends the token and retries a 401 once (`TokenAuth`); the vendors' grants are in
`shared/adapters/oauth.py`.

Providers live in a module-level registry (`shared_provider`), so every client built during a warm
container's life reuses the same token instead of minting one per message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from shared.errors import Rejected, Unavailable

DEFAULT_REFRESH_BEFORE_SECONDS = 60.0


class CredentialsRejected(Rejected):
    """The vendor's token endpoint refused our credentials (wrong client id or secret, revoked refresh
    token, bad signature): retrying will not help until an operator fixes the secret."""


class CredentialsMissing(Exception):
    """A credential is not configured (deployed: a key of the vendor secret is empty): a configuration
    error, retried and then dead-lettered rather than sent as a call the vendor would refuse."""


class TokenEndpointUnavailable(Unavailable):
    """The token endpoint is down, timed out or throttled: retry later (transient)."""


@dataclass(frozen=True)
class Grant:
    """What a token endpoint answered: the access token and its lifetime in seconds."""

    access_token: str
    expires_in: float


class TokenProvider:
    """A cached access token, refreshed before expiry, minted by one caller at a time."""

    def __init__(
        self,
        name: str,
        mint: Callable[[], Grant],
        *,
        refresh_before_seconds: float = DEFAULT_REFRESH_BEFORE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._mint = mint
        self._refresh_before = refresh_before_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self.minted = 0

    def token(self) -> str:
        """The cached token, or a new one when there is none or it is within the refresh margin."""
        with self._lock:
            if self._token is not None and self._clock() < self._renew_at:
                return self._token
            grant = self._mint()
            if not grant.access_token:
                raise CredentialsRejected(f"{self.name}: the token endpoint answered no access_token")
            # A token shorter-lived than the margin is still used once rather than minted in a loop.
            lifetime = max(float(grant.expires_in) - self._refresh_before, 0.0)
            self._token, self._renew_at = grant.access_token, self._clock() + lifetime
            self.minted += 1
            return grant.access_token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (the vendor answered 401 to it). A token minted since is kept, so callers
        that were refused the same stale token at the same moment cause one new mint, not several."""
        with self._lock:
            if self._token == token:
                self._token, self._renew_at = None, 0.0


@dataclass(frozen=True)
class TokenAuth:
    """How a connector presents its token: ``header: <prefix><token>`` (``Authorization: Bearer x``,
    Walmart's ``WM_SEC.ACCESS_TOKEN: x``, SP-API's ``x-amz-access-token: x``)."""

    provider: TokenProvider
    header: str = "Authorization"
    prefix: str = "Bearer "
    # The statuses with which the vendor refuses an expired or revoked token (SP-API answers 403
    # ``Unauthorized`` "The access token you provided has expired", the others 401).
    refused_statuses: tuple[int, ...] = (401,)

    def headers(self, token: str) -> dict[str, str]:
        return {self.header: f"{self.prefix}{token}"}


def fixed_token(name: str, token: str) -> TokenProvider:
    """A provider of one configured token that never expires (tests, and a developer's own token)."""
    return TokenProvider(name, lambda: Grant(token, float("inf")))


_providers: dict[Hashable, TokenProvider] = {}
_providers_lock = threading.Lock()


def shared_provider(key: Hashable, factory: Callable[[], TokenProvider]) -> TokenProvider:
    """The warm container's provider for ``key`` (vendor, token URL, client id, scope), made once."""
    with _providers_lock:
        provider = _providers.get(key)
        if provider is None:
            provider = _providers[key] = factory()
        return provider


def forget_providers() -> None:
    """Drop every cached token (tests, and the local stack when sandboxes restart)."""
    with _providers_lock:
        _providers.clear()
