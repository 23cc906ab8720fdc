"""The marketplaces' APIs as the functions that write to them configure them: one settings mixin
(the same variables, with the same meaning, for the availability and the price publishers) and the
connection of each channel whose base URL is set.

A channel is called only when its API base URL (and the ids its calls name) is set. Amazon,
Walmart, Zalando and eBay tokens are minted and refreshed from each vendor's credentials in Secrets
Manager (`shared/adapters/vendor_auth.py`, `shared/channels/clients/ebay_api.py`); only Shopify's
custom-app token, which does not expire, is a configured value (`SHOPIFY_ACCESS_TOKEN` locally; unset,
the sandbox's; deployed, the vendor secret's `shopify_access_token`).
"""

from __future__ import annotations

from typing import Any

from shared.settings import EnvSettings


class ChannelApiSettings(EnvSettings):
    channel_timeout_seconds: float = 10.0

    amazon_sp_api_base_url: str | None = None
    amazon_seller_id: str = "A2SANDBOXSELLER"
    amazon_marketplace_ids: str = "ATVPDKIKX0DER"  # comma list (shared with the order pollers): the first

    walmart_api_base_url: str | None = None

    ebay_api_base_url: str | None = None

    shopify_admin_base_url: str | None = None
    shopify_api_version: str = "2024-07"
    # A local developer's own token only: deployed, the vendor secret's `shopify_access_token`.
    shopify_access_token: str | None = None

    zalando_api_base_url: str | None = None
    zalando_merchant_id: str | None = "local-merchant"
    zalando_sales_channel_id: str = "local-sales-channel"

    @property
    def amazon_marketplace_id(self) -> str:
        """The marketplace the calls name: the first of `AMAZON_MARKETPLACE_IDS`."""
        return self.amazon_marketplace_ids.split(",")[0].strip()


def channel_connections(settings: ChannelApiSettings) -> dict[str, dict[str, Any]]:
    """Per configured channel, what its listing connector is built with: `base_url`, the token
    (`token_auth`, or Shopify's `access_token` read when a call is made) and the ids its calls name;
    the caller adds its own (timeout, ledger, ...)."""
    from shared.adapters.vendor_auth import amazon_token_auth, walmart_token_auth, zalando_token_auth
    from shared.channels.clients._token import shopify_token
    from shared.errors import Unavailable

    s = settings
    found: dict[str, dict[str, Any]] = {}
    if s.amazon_sp_api_base_url and s.amazon_seller_id:
        found["amazon"] = {
            "base_url": s.amazon_sp_api_base_url,
            "seller_id": s.amazon_seller_id,
            "marketplace_id": s.amazon_marketplace_id,
            "token_auth": amazon_token_auth(),
        }
    if s.walmart_api_base_url:
        found["walmart"] = {
            "base_url": s.walmart_api_base_url,
            "token_auth": walmart_token_auth(s.walmart_api_base_url),
        }
    if s.ebay_api_base_url:
        from shared.channels.clients.ebay_api import INVENTORY_SCOPE, user_token_auth

        # bulkUpdatePriceQuantity (stock and prices) takes the seller's user token with the sell.inventory scope.
        found["ebay"] = {"base_url": s.ebay_api_base_url, "token_auth": user_token_auth(INVENTORY_SCOPE)}
    if s.shopify_admin_base_url:
        found["shopify"] = {
            "base_url": s.shopify_admin_base_url,
            "api_version": s.shopify_api_version,
            "access_token": shopify_token(s.shopify_access_token, Unavailable),
        }
    if s.zalando_api_base_url and s.zalando_merchant_id and s.zalando_sales_channel_id:
        found["zalando"] = {
            "base_url": s.zalando_api_base_url,
            "merchant_id": s.zalando_merchant_id,
            "sales_channel_id": s.zalando_sales_channel_id,
            "token_auth": zalando_token_auth(s.zalando_api_base_url),
        }
    return found
