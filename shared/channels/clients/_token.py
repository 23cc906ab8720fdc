"""Where a vendor API client finds its access token: the environment, the vendor credentials, or
(local only) the sandbox's fixed token. Square and Walmart resolve theirs the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SECRET_CACHE_SECONDS = 300
LOCAL_ENVIRONMENT = "local"

# A token as a client is given it: the token itself, or how to read it when a call is made.
Token = str | Callable[[], str]


def read_token(token: Token) -> str:
    return token if isinstance(token, str) else token()


def secret_json(arn: str) -> dict[str, Any]:
    """A JSON secret's keys (Powertools parameters, cached for the warm container); {} when it holds none."""
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(arn, transform="json", max_age=SECRET_CACHE_SECONDS)
    return value if isinstance(value, dict) else {}


def vendor_access_token(
    *,
    vendor: str,
    from_env: str | None,
    credentials_arn: str | None,
    secret_key: str,
    environment_name: str,
    local_token: str,
    unavailable: type[Exception],
) -> str:
    """Locally, ``from_env`` (a developer's own token) wins; else the vendor credentials JSON's
    (`VENDOR_CREDENTIALS_ARN`) ``secret_key``; else, locally, ``local_token``. Deployed, only the
    secret counts (issue 14.5: whoever may change a function's configuration must not be able to
    set a credential, nor leave one in plain text there), and a missing token raises
    ``unavailable`` (a configuration error: retried, then dead-lettered) instead of a call the
    vendor would refuse."""
    if from_env and environment_name == LOCAL_ENVIRONMENT:
        return from_env
    if credentials_arn:
        secrets = secret_json(credentials_arn)
        if secrets.get(secret_key):
            return str(secrets[secret_key])
    if environment_name == LOCAL_ENVIRONMENT:
        return local_token
    raise unavailable(f"no {vendor} access token: set `{secret_key}` in the vendor credentials secret")


SHOPIFY_SECRET_KEY = "shopify_access_token"
LOCAL_SHOPIFY_TOKEN = "local-shopify-token"


def configured_token(
    *,
    vendor: str,
    secret_key: str,
    override: str | None,
    local_token: str,
    unavailable: type[Exception],
) -> Callable[[], str]:
    """A token that does not expire (Shopify's custom-app Admin API token, Loop's API key), read
    when a call is made: deployed, only the vendor secret's ``secret_key`` counts (issue 14.5: no
    variable overrides a credential there, and a missing one fails that call with ``unavailable``
    naming the key, never a silent ``local-*`` token); locally, ``override`` (the function's
    variable, a developer's own token) or the sandbox's ``local_token``. The secret's ARN and the
    environment come from the function's variables (``VENDOR_CREDENTIALS_ARN``, ``ENVIRONMENT_NAME``)."""

    def token() -> str:
        from shared.adapters.vendor_auth import VendorAuthSettings

        settings = VendorAuthSettings.from_env()
        return vendor_access_token(
            vendor=vendor,
            from_env=override,
            credentials_arn=settings.vendor_credentials_arn,
            secret_key=secret_key,
            environment_name=settings.environment_name,
            local_token=local_token,
            unavailable=unavailable,
        )

    return token


def shopify_token(override: str | None, unavailable: type[Exception]) -> Callable[[], str]:
    """The Shopify Admin API token as `configured_token` reads it (key ``shopify_access_token``)."""
    return configured_token(
        vendor="Shopify",
        secret_key=SHOPIFY_SECRET_KEY,
        override=override,
        local_token=LOCAL_SHOPIFY_TOKEN,
        unavailable=unavailable,
    )
