"""Base for HTTP connectors: one httpx client per connector, statuses mapped to domain errors.

A connector given a `TokenAuth` sends its vendor token on every call and, when the vendor refuses
it (401; SP-API's 403: the token expired early or was revoked), forgets that token, mints a new one and sends the call
once more. A refused token means the vendor refused before acting, so the second send cannot duplicate a
write; a second refusal is a 4xx like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from shared.adapters.tokens import CredentialsMissing, CredentialsRejected, TokenAuth, TokenEndpointUnavailable
from shared.errors import ErpRejected, ErpThrottled, ErpUnavailable, Rejected, Throttled, Unavailable
from shared.redaction import vendor_code, vendor_error

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

T = TypeVar("T")


class CallGate(Protocol):
    """Admits each call of a connector (the ERP gateway); `throttled` is the connector's error."""

    def call(self, send: Callable[[], T], throttled: type[Throttled]) -> T: ...


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


class HttpConnector:
    """Owns an httpx client; subclasses call `_send` and get the error family for failures
    (shared/errors.py): `Throttled`, `Unavailable`, `Rejected`, each naming the connector's `system`.

    The ERP's connectors raise the ERP's own subclasses (`ErpThrottled`, ...): OrderFlow tells an
    ERP outage (orders wait, parked) from any other by their names.
    """

    system: str = "outside system"
    throttled_error: type[Throttled] = Throttled
    unavailable_error: type[Unavailable] = Unavailable
    rejected_error: type[Rejected] = Rejected
    # When set, a 404 raises this instead of `rejected_error` (reads and cancels treat "no such record"
    # as an answer, not a failure).
    not_found_error: type[Rejected] | None = None
    # Vendor error codes that mean "throttled" on a 4xx other than 429 (NetSuite's RESTlets answer
    # their concurrency limit with 400 SSS_REQUEST_LIMIT_EXCEEDED): raised as `throttled_error`.
    throttle_codes: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A channel's connector (`channel = "walmart"`) names its channel as the system of its errors."""
        super().__init_subclass__(**kwargs)
        channel = cls.__dict__.get("channel")
        if isinstance(channel, str) and "system" not in cls.__dict__:
            cls.system = channel

    def __init__(
        self,
        base_url: str,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        *,
        token_auth: TokenAuth | None = None,
        gate: CallGate | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._client = client
        self.token_auth = token_auth
        self.gate = gate

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx  # with the first call (about 50-80 ms), not at import: issue 7

            self._client = httpx.Client(base_url=self._base_url, timeout=self._timeout)
        return self._client

    def _send(self, method: str, path: str, *, authorize: bool = True, **kwargs: Any) -> httpx.Response:
        """One call; with `token_auth` (and `authorize`), the token is sent and a refused token retried
        once. With a `gate` (the ERP gateway, shared/adapters/erp_gateway.py) the call holds one of the
        gate's slots while it runs, and a throttled answer is waited out and sent again there."""
        if self.gate is None:
            return self._send_once(method, path, authorize=authorize, **kwargs)
        return self.gate.call(
            lambda: self._send_once(method, path, authorize=authorize, **kwargs), throttled=self.throttled_error
        )

    def _send_once(self, method: str, path: str, *, authorize: bool = True, **kwargs: Any) -> httpx.Response:
        auth = self.token_auth if authorize else None
        if auth is None:
            return self._checked(method, path, self._request(method, path, **kwargs))
        token = self._vendor_token(auth)
        response = self._request(method, path, **self._with_token(auth, token, kwargs))
        if response.status_code in auth.refused_statuses:
            auth.provider.invalidate(token)
            token = self._vendor_token(auth)
            response = self._request(method, path, **self._with_token(auth, token, kwargs))
        return self._checked(method, path, response)

    def _vendor_token(self, auth: TokenAuth) -> str:
        """The provider's token; its failures become this connector's own errors (a wrong secret is a
        refusal, a token endpoint that is down or unconfigured is transient)."""
        try:
            return auth.provider.token()
        except CredentialsRejected as exc:
            raise self.rejected_error(str(exc), system=self.system) from exc
        except (TokenEndpointUnavailable, CredentialsMissing) as exc:
            raise self.unavailable_error(str(exc), system=self.system) from exc

    @staticmethod
    def _with_token(auth: TokenAuth, token: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {**kwargs, "headers": {**(kwargs.get("headers") or {}), **auth.headers(token)}}

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            return self.client.request(method, path, **kwargs)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise self.unavailable_error(f"{method} {path}: {exc.__class__.__name__}", system=self.system) from exc

    def _checked(self, method: str, path: str, response: httpx.Response) -> httpx.Response:
        if response.status_code == 429:
            raise self.throttled_error(
                f"{method} {path}: 429", retry_after=retry_after_seconds(response), system=self.system
            )
        if response.status_code >= 500:
            raise self.unavailable_error(f"{method} {path}: {response.status_code}", system=self.system)
        if self.throttle_codes and response.status_code >= 400 and vendor_code(response) in self.throttle_codes:
            raise self.throttled_error(
                f"{method} {path}: {vendor_error(response)}",
                retry_after=retry_after_seconds(response),
                system=self.system,
            )
        if response.status_code == 404 and self.not_found_error is not None:
            raise self.not_found_error(f"{method} {path}: 404", system=self.system, status=404)
        if response.status_code >= 400:
            # Status and the vendor's error code only: its text often echoes the order (buyer, address).
            raise self.rejected_error(
                f"{method} {path}: {vendor_error(response)}", system=self.system, status=response.status_code
            )
        return response

    def throttled(self, message: str, retry_after: float | None = None) -> Throttled:
        return self.throttled_error(message, retry_after=retry_after, system=self.system)

    def unavailable(self, message: str) -> Unavailable:
        return self.unavailable_error(message, system=self.system)

    def rejected(self, message: str, status: int | None = None) -> Rejected:
        return self.rejected_error(message, system=self.system, status=status)


class ErpConnector(HttpConnector):
    """A connector to the ERP: it raises the ERP's own names (`ErpThrottled`, `ErpUnavailable`,
    `ErpRejected`), which OrderFlow's Retry/Catch and the parking of orders during an outage match."""

    system = "erp"
    throttled_error = ErpThrottled
    unavailable_error = ErpUnavailable
    rejected_error = ErpRejected
