"""Each vendor's `TokenAuth`, built from its long-lived credentials in Secrets Manager.

Credentials are read when a token is minted (a missing one fails the call, not the client's
construction) and are keys of the vendor credentials secret JSON (`VENDOR_CREDENTIALS_ARN`,
`retail-sync/<env>/vendor-credentials`, apart from the signing secrets; read with Powertools parameters
and cached 5 minutes, so a rotated secret is picked up without a redeploy):

| vendor | keys | grant |
| --- | --- | --- |
| Amazon SP-API | `amazon_lwa_client_id`, `amazon_lwa_client_secret`, `amazon_lwa_refresh_token` | LWA refresh token |
| Walmart | `walmart_client_id`, `walmart_client_secret` | client credentials |
| Zalando | `zalando_client_id`, `zalando_client_secret` | client credentials |
| ERP (NetSuite) | `erp_client_id`, `erp_certificate_id`, `erp_private_key` (PEM) | client credentials, JWT assertion |

(eBay's `ebay_client_id` / `ebay_client_secret` / `ebay_refresh_token` are read by
`shared/channels/clients/ebay_credentials.py`; Shopify's custom-app Admin API token and Square's
access token do not expire and stay configured values.)

Only the secret counts, never a plain environment variable: deployed, a missing key is
`CredentialsMissing`; locally (`ENVIRONMENT_NAME` `local`) a key the local secret lacks falls back to
the sandboxes' placeholder (`local-amazon-lwa-client-id`, ...; the ERP private key has none: `make
local` seeds it into the local secret).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.adapters.tokens import CredentialsMissing, TokenAuth, TokenProvider, shared_provider
from shared.settings import EnvSettings

LOCAL_ENVIRONMENT = "local"
SECRET_CACHE_SECONDS = 300
# Login with Amazon's North America endpoint (EU: api.amazon.co.uk, FE: api.amazon.co.jp).
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


class VendorAuthSettings(EnvSettings):
    vendor_credentials_arn: str | None = None  # the vendor credentials (never the signing secrets)
    environment_name: str = LOCAL_ENVIRONMENT
    amazon_lwa_token_url: str = LWA_TOKEN_URL  # the local stack points it at the SP-API sandbox


AMAZON_KEYS = ("amazon_lwa_client_id", "amazon_lwa_client_secret", "amazon_lwa_refresh_token")
WALMART_KEYS = ("walmart_client_id", "walmart_client_secret")
ZALANDO_KEYS = ("zalando_client_id", "zalando_client_secret")
ERP_KEYS = ("erp_client_id", "erp_certificate_id", "erp_private_key")
# Every key this module reads from the vendor secret (infra fixes the secret's JSON shape with them).
SECRET_KEYS = (*AMAZON_KEYS, *WALMART_KEYS, *ZALANDO_KEYS, *ERP_KEYS)
_NO_LOCAL_DEFAULT = frozenset({"erp_private_key"})


def local_default(key: str) -> str:
    """The sandboxes' placeholder for ``key`` (``amazon_lwa_client_id`` -> ``local-amazon-lwa-client-id``)."""
    return "local-" + key.replace("_", "-")


def _secret_json(arn: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(arn, transform="json", max_age=SECRET_CACHE_SECONDS)
    return value if isinstance(value, dict) else {}


class VendorCredentials:
    """Reads credentials as the module docstring says; ``settings`` and ``read_secret`` are injectable."""

    def __init__(
        self,
        settings: VendorAuthSettings | None = None,
        read_secret: Callable[[str], dict[str, Any]] = _secret_json,
    ) -> None:
        self.settings = settings or VendorAuthSettings.from_env()
        self._read_secret = read_secret

    @property
    def local(self) -> bool:
        return self.settings.environment_name == LOCAL_ENVIRONMENT

    def get(self, key: str) -> str:
        arn = self.settings.vendor_credentials_arn
        if arn:
            value = self._read_secret(arn).get(key)
            if value:
                return str(value)
        if self.local and key not in _NO_LOCAL_DEFAULT:
            return local_default(key)
        raise CredentialsMissing(f"no `{key}` in the vendor credentials secret (VENDOR_CREDENTIALS_ARN)")


def amazon_auth(provider: TokenProvider) -> TokenAuth:
    """SP-API's header (``x-amz-access-token``, no prefix) and its refusal of a stale token (403)."""
    return TokenAuth(provider, header="x-amz-access-token", prefix="", refused_statuses=(403,))


def walmart_auth(provider: TokenProvider) -> TokenAuth:
    """Walmart's header: ``WM_SEC.ACCESS_TOKEN: <token>``."""
    return TokenAuth(provider, header="WM_SEC.ACCESS_TOKEN", prefix="")


def _vendor_provider(
    system: str, name: str, url: str, creds: VendorCredentials, grant: Callable[..., Any], keys: tuple[str, ...]
) -> TokenProvider:
    """The vendor's token provider for `url`, shared by every client of it: it mints with
    `grant(url, *the credentials named by keys)`, read when a token is minted."""

    def mint() -> Any:
        return grant(url, *(creds.get(key) for key in keys))

    return shared_provider((system, url), lambda: TokenProvider(name, mint))


def amazon_token_auth(credentials: VendorCredentials | None = None) -> TokenAuth:
    """SP-API: the LWA token in ``x-amz-access-token``."""
    from shared.adapters.oauth import lwa_grant

    creds = credentials or VendorCredentials()
    token_url = creds.settings.amazon_lwa_token_url
    return amazon_auth(_vendor_provider("amazon", "Amazon LWA", token_url, creds, lwa_grant, AMAZON_KEYS))


def walmart_token_auth(base_url: str, credentials: VendorCredentials | None = None) -> TokenAuth:
    """Walmart Marketplace: the token in ``WM_SEC.ACCESS_TOKEN``."""
    from shared.adapters.oauth import walmart_grant

    creds = credentials or VendorCredentials()
    return walmart_auth(_vendor_provider("walmart", "Walmart", base_url, creds, walmart_grant, WALMART_KEYS))


def zalando_token_auth(base_url: str, credentials: VendorCredentials | None = None) -> TokenAuth:
    """zDirect: ``Authorization: Bearer <token>``."""
    from shared.adapters.oauth import zalando_grant

    creds = credentials or VendorCredentials()
    return TokenAuth(_vendor_provider("zalando", "Zalando", base_url, creds, zalando_grant, ZALANDO_KEYS))


def erp_token_auth(base_url: str, credentials: VendorCredentials | None = None) -> TokenAuth:
    """NetSuite REST: ``Authorization: Bearer <token>`` from the client credentials (M2M) flow."""
    from shared.adapters.oauth import netsuite_grant

    creds = credentials or VendorCredentials()
    return TokenAuth(_vendor_provider("erp", "NetSuite", base_url, creds, netsuite_grant, ERP_KEYS))
