"""eBay credentials, read without importing httpx (the ingest's cold path uses them too).

`ebay_credential(settings, name)` for `client_id`, `client_secret`, `refresh_token`,
`verification_token`: `EBAY_<NAME>` from the environment wins; else the webhook secret JSON
(`WEBHOOK_SECRETS_ARN`, Powertools parameters, cached 5 min) key `ebay_<name>` (deployed); else,
locally only, the sandbox's placeholder (`local-ebay-verification-token`, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.settings import EnvSettings

LOCAL_ENVIRONMENT = "local"
LOCAL_CLIENT_ID = "local-ebay-client-id"
LOCAL_CLIENT_SECRET = "local-ebay-client-secret"
LOCAL_REFRESH_TOKEN = "local-ebay-refresh-token"
LOCAL_VERIFICATION_TOKEN = "local-ebay-verification-token"
SECRET_CACHE_SECONDS = 300
# Keys of the webhook secret JSON that hold the eBay credentials when deployed.
SECRET_KEYS = {
    "client_id": "ebay_client_id",
    "client_secret": "ebay_client_secret",
    "refresh_token": "ebay_refresh_token",
    "verification_token": "ebay_verification_token",
}
_LOCAL_DEFAULTS = {
    "client_id": LOCAL_CLIENT_ID,
    "client_secret": LOCAL_CLIENT_SECRET,
    "refresh_token": LOCAL_REFRESH_TOKEN,
    "verification_token": LOCAL_VERIFICATION_TOKEN,
}


class EbayApiSettings(EnvSettings):
    ebay_api_base_url: str | None = None
    ebay_client_id: str | None = None
    ebay_client_secret: str | None = None
    ebay_refresh_token: str | None = None
    ebay_verification_token: str | None = None
    webhook_secrets_arn: str | None = None
    environment_name: str = LOCAL_ENVIRONMENT


class EbayUnavailable(Exception):
    """eBay is down, timed out, or the credentials are not configured: retry later (transient)."""


def _secret_json(arn: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(arn, transform="json", max_age=SECRET_CACHE_SECONDS)
    return value if isinstance(value, dict) else {}


def ebay_credential(
    settings: EbayApiSettings, name: str, read_secret: Callable[[str], dict[str, Any]] = _secret_json
) -> str:
    """One eBay credential (`client_id`, `client_secret`, `refresh_token`, `verification_token`):
    the environment, else the webhook secret's `ebay_<name>`, else (local only) the sandbox's value.

    Deployed, a missing credential is a configuration error: EbayUnavailable (retried, then
    dead-lettered), never a call eBay would refuse."""
    from_env = getattr(settings, f"ebay_{name}")
    if from_env:
        return str(from_env)
    if settings.webhook_secrets_arn:
        value = read_secret(settings.webhook_secrets_arn).get(SECRET_KEYS[name])
        if value:
            return str(value)
    if settings.environment_name == LOCAL_ENVIRONMENT:
        return _LOCAL_DEFAULTS[name]
    raise EbayUnavailable(f"no eBay {name}: set `{SECRET_KEYS[name]}` in the webhook secret")
