"""eBay credentials, read without importing httpx (the ingest's cold path uses them too).

`ebay_credential(settings, name)` for `client_id`, `client_secret`, `refresh_token`,
`verification_token`, from the secrets the function was given (issue 14.5):

- the vendor credentials (`VENDOR_CREDENTIALS_ARN`: `ebay_client_id`, `ebay_client_secret`,
  `ebay_refresh_token`), which the connectors acting on the seller's account read;
- the signing secret (`WEBHOOK_SECRETS_ARN`: `ebay_verification_token` and the application keyset
  `ebay_client_id`, `ebay_client_secret`), which the ingest function reads to answer eBay's
  endpoint challenge and to fetch eBay's public key with an application token. The seller's
  refresh token is never there, so the public edge cannot act on the seller's account.

Both are JSON secrets read with Powertools parameters, cached 5 min. Locally (`ENVIRONMENT_NAME`
`local`) `EBAY_<NAME>` from the environment wins (a developer's own keyset) and the sandbox's
placeholder stands in for a missing one; deployed, no variable overrides a credential and a
missing one is `Unavailable` naming the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.channels.clients._token import LOCAL_ENVIRONMENT, secret_json
from shared.errors import Unavailable
from shared.settings import EnvSettings

LOCAL_CLIENT_ID = "local-ebay-client-id"
LOCAL_CLIENT_SECRET = "local-ebay-client-secret"
LOCAL_REFRESH_TOKEN = "local-ebay-refresh-token"
LOCAL_VERIFICATION_TOKEN = "local-ebay-verification-token"
# Keys of the secrets' JSON that hold the eBay credentials when deployed.
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
    webhook_secrets_arn: str | None = None  # the signing secret (ingest)
    vendor_credentials_arn: str | None = None  # the vendor credentials (the connectors)
    environment_name: str = LOCAL_ENVIRONMENT


def ebay_credential(
    settings: EbayApiSettings, name: str, read_secret: Callable[[str], dict[str, Any]] = secret_json
) -> str:
    """One eBay credential (`client_id`, `client_secret`, `refresh_token`, `verification_token`):
    locally the environment's `EBAY_<NAME>`; else `ebay_<name>` of the vendor credentials, then of
    the signing secret (whichever the function was given); else (local only) the sandbox's value.

    Deployed, a missing credential is a configuration error: Unavailable (retried, then
    dead-lettered), never a call eBay would refuse."""
    local = settings.environment_name == LOCAL_ENVIRONMENT
    from_env = getattr(settings, f"ebay_{name}")
    if from_env and local:
        return str(from_env)
    for arn in (settings.vendor_credentials_arn, settings.webhook_secrets_arn):
        if arn:
            value = read_secret(arn).get(SECRET_KEYS[name])
            if value:
                return str(value)
    if local:
        return _LOCAL_DEFAULTS[name]
    where = "the signing secret" if name == "verification_token" else "the vendor credentials"
    raise Unavailable(f"no eBay {name}: set `{SECRET_KEYS[name]}` in {where}", system="ebay")
