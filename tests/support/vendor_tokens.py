"""`TokenAuth` for a connector pointed at a sandbox: the real grants, with the local credentials.

Each call builds a fresh `TokenProvider` (not the warm-container registry), so a test counts its own
mints and never inherits another test's token.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.adapters import oauth
from shared.adapters.tokens import Grant, TokenAuth, TokenProvider
from shared.adapters.vendor_auth import amazon_auth, local_default, walmart_auth


def _local(key: str) -> str:
    return local_default(key)


def amazon_sandbox_auth(url: str, *, client_secret: str | None = None, **provider: object) -> TokenAuth:
    def mint() -> Grant:
        return oauth.lwa_grant(
            f"{url}/auth/o2/token",
            _local("amazon_lwa_client_id"),
            client_secret or _local("amazon_lwa_client_secret"),
            _local("amazon_lwa_refresh_token"),
        )

    return amazon_auth(TokenProvider("Amazon LWA", mint, **provider))  # type: ignore[arg-type]


def walmart_sandbox_auth(url: str, *, client_secret: str | None = None, **provider: object) -> TokenAuth:
    def mint() -> Grant:
        return oauth.walmart_grant(url, _local("walmart_client_id"), client_secret or _local("walmart_client_secret"))

    return walmart_auth(TokenProvider("Walmart", mint, **provider))  # type: ignore[arg-type]


def zalando_sandbox_auth(url: str, *, client_secret: str | None = None, **provider: object) -> TokenAuth:
    def mint() -> Grant:
        return oauth.zalando_grant(url, _local("zalando_client_id"), client_secret or _local("zalando_client_secret"))

    return TokenAuth(TokenProvider("Zalando", mint, **provider))  # type: ignore[arg-type]


def erp_sandbox_auth(url: str, *, private_key_pem: str | None = None, **provider: object) -> TokenAuth:
    from local.sandboxes import erp_keys

    def mint() -> Grant:
        return oauth.netsuite_grant(
            url, erp_keys.CLIENT_ID, erp_keys.CERTIFICATE_ID, private_key_pem or erp_keys.PRIVATE_KEY_PEM
        )

    return TokenAuth(TokenProvider("NetSuite", mint, **provider))  # type: ignore[arg-type]


SANDBOX_AUTH: dict[str, Callable[..., TokenAuth]] = {
    "amazon": amazon_sandbox_auth,
    "walmart": walmart_sandbox_auth,
    "zalando": zalando_sandbox_auth,
    "erp": erp_sandbox_auth,
}
