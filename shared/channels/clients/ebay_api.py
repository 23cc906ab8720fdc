"""A small eBay Sell Fulfillment API client: getOrder, with the user access token it needs.

eBay's ORDER_CONFIRMATION notification names the order (`data.order.orderId`) but carries no prices,
SKUs or ship-to address, so normalizing it reads the order with the Fulfillment API's getOrder
(`GET /sell/fulfillment/v1/order/{orderId}`). getOrder is a seller call: it needs a *user* access token
(scope `sell.fulfillment.readonly`), which the client mints from the seller's long-lived refresh
token (`POST /identity/v1/oauth2/token`, `grant_type=refresh_token`, Basic client id:secret) through
the shared `TokenProvider` (`shared/adapters/tokens.py`): cached per warm container until a minute
before `expires_in` runs out, one mint under concurrency, minted again once when eBay answers 401.

Credentials (`ebay_credentials`): the vendor credentials JSON (`VENDOR_CREDENTIALS_ARN`) keys
`ebay_client_id`, `ebay_client_secret`, `ebay_refresh_token`; locally `EBAY_CLIENT_ID` / ... from the
environment win and the sandbox's placeholders stand in for missing ones.
Workers import this module lazily (httpx stays off the ingest path).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

from shared.adapters.http import HttpConnector
from shared.adapters.oauth import ebay_user_grant
from shared.adapters.tokens import Grant, TokenAuth, TokenProvider, shared_provider
from shared.channels.clients.ebay_credentials import EbayApiSettings, ebay_credential
from shared.errors import Rejected, Unavailable, VendorNotFound

if TYPE_CHECKING:
    import httpx

GET_ORDER_PATH = "/sell/fulfillment/v1/order/{order_id}"
TOKEN_PATH = "/identity/v1/oauth2/token"
FULFILLMENT_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly"
# The other seller scopes the connectors ask for (one user token per scope, shared_provider's key).
SELL_FULFILLMENT_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment"  # shipments, refunds
INVENTORY_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.inventory"  # bulkUpdatePriceQuantity
FINANCES_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.finances"  # payouts and their transactions


@dataclass(frozen=True)
class EbayCredentials:
    client_id: str
    client_secret: str
    refresh_token: str


class EbayApiClient(HttpConnector):
    system = "ebay"

    # Typed as the base's, so a client answering with its callers' own errors can reuse this one
    # (ReturnFlow's eBay refunds: functions/returns/adapters/channel_refunds.py).
    not_found_error: type[Rejected] | None = VendorNotFound

    def __init__(
        self,
        base_url: str,
        credentials: EbayCredentials,
        timeout: float = 5.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        scope: str = FULFILLMENT_SCOPE,
    ) -> None:
        super().__init__(base_url, timeout=timeout, client=client)
        self._credentials = credentials
        self._scope = scope  # the channel-outbound worker asks for sell.fulfillment (write)
        # One user token per (endpoint, client, scope) for the warm container: cached, renewed a minute
        # before `expires_in` runs out, minted by one caller at a time, re-minted once after a 401.
        provider = shared_provider(
            ("ebay", self._base_url, credentials.client_id, scope),
            lambda: TokenProvider("eBay", self._mint, clock=clock),
        )
        self.token_auth = TokenAuth(provider)

    @classmethod
    def from_env(cls, scope: str = FULFILLMENT_SCOPE) -> Self:
        settings = EbayApiSettings.from_env()
        if not settings.ebay_api_base_url:
            raise Unavailable("EBAY_API_BASE_URL is not set", system="ebay")
        credentials = EbayCredentials(
            client_id=ebay_credential(settings, "client_id"),
            client_secret=ebay_credential(settings, "client_secret"),
            refresh_token=ebay_credential(settings, "refresh_token"),
        )
        return cls(settings.ebay_api_base_url, credentials, scope=scope)

    @property
    def tokens_minted(self) -> int:
        assert self.token_auth is not None
        return self.token_auth.provider.minted

    def get_order(self, order_id: str) -> dict[str, Any]:
        """The Order object of getOrder."""
        response = self._send(
            "GET", GET_ORDER_PATH.format(order_id=quote(order_id, safe="")), headers={"Accept": "application/json"}
        )
        order = response.json()
        if not isinstance(order, dict) or not order.get("orderId"):
            raise Rejected(f"getOrder {order_id}: no order in the answer", system="ebay")
        return order

    def user_token(self) -> str:
        """The seller's user access token for this client's scope (cached until a minute before expiry)."""
        assert self.token_auth is not None
        return self._vendor_token(self.token_auth)

    def forget_token(self, token: str) -> None:
        """eBay refused ``token`` (401): the next `user_token` mints a new one."""
        assert self.token_auth is not None
        self.token_auth.provider.invalidate(token)

    def _mint(self) -> Grant:
        return ebay_user_grant(
            self._base_url,
            self._credentials.client_id,
            self._credentials.client_secret,
            self._credentials.refresh_token,
            self._scope,
            client=self.client,
        )


def user_token_auth(scope: str) -> TokenAuth:
    """The seller's user token for `scope` from the environment's credentials: minted from the refresh
    token, cached per warm container, refreshed before it expires (what a connector's `token_auth` takes)."""
    auth = EbayApiClient.from_env(scope=scope).token_auth
    assert auth is not None
    return auth
