"""eBay Sell Fulfillment: createShippingFulfillment. No acknowledgement: eBay has none (a paid order
is ready to ship).

`POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment` with `{"lineItems": [{"lineItemId",
"quantity"}], "shippedDate" (UTC, `YYYY-MM-DDTHH:MM:SS.SSSZ`), "shippingCarrierCode",
"trackingNumber"}`; 201 with `Location: .../shipping_fulfillment/{fulfillmentId}`
(developer.ebay.com/api-docs/sell/fulfillment/resources/order/shipping_fulfillment/methods/createShippingFulfillment).
It needs a seller's user token with the `sell.fulfillment` scope, minted from the refresh token like
the getOrder enrichment (`shared/channels/clients/ebay_api.py`). eBay's figure for this call is a
daily quota not in the stored pages: 5 a second, burst 5, is a conservative assumption.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from functions.channel_outbound.adapters.base import (
    JSON_HEADERS,
    ChannelOutbound,
    Sent,
    VendorRequest,
    tracking_required,
)
from functions.channel_outbound.adapters.registry import register
from functions.channel_outbound.logic.lines import ShippedLine
from functions.channel_outbound.settings import OutboundSettings
from shared.errors import Unavailable
from shared.models import Order, Shipment

if TYPE_CHECKING:
    from collections.abc import Callable


def shipping_fulfillment_request(order: Order, shipment: Shipment, lines: list[ShippedLine]) -> VendorRequest:
    carrier, tracking_number = tracking_required("ebay", shipment)
    shipped = shipment.shipped_at
    return VendorRequest(
        "POST",
        f"/sell/fulfillment/v1/order/{quote(order.channel_order_id, safe='')}/shipping_fulfillment",
        body={
            "lineItems": [{"lineItemId": line.line_id, "quantity": line.quantity} for line in lines],
            "shippedDate": shipped.strftime("%Y-%m-%dT%H:%M:%S.") + f"{shipped.microsecond // 1000:03d}Z",
            "shippingCarrierCode": carrier,
            "trackingNumber": tracking_number,
        },
    )


@register
class EbayOutbound(ChannelOutbound):
    channel: ClassVar[str] = "ebay"
    base_url_setting: ClassVar[str] = "ebay_api_base_url"
    rate_per_second: ClassVar[float] = 5.0
    burst: ClassVar[float] = 5.0

    def __init__(self, base_url: str, *, user_token: Callable[[], str] | None = None, **kwargs: Any) -> None:
        from shared.adapters.tokens import Grant, TokenAuth, TokenProvider

        if user_token is not None:  # a given token source (tests); deployed, `token_auth` is the eBay client's
            kwargs.setdefault("token_auth", TokenAuth(TokenProvider("eBay", lambda: Grant(user_token(), float("inf")))))
        super().__init__(base_url, **kwargs)

    @classmethod
    def options(cls, settings: OutboundSettings, base_url: str) -> dict[str, Any]:
        from shared.channels.clients.ebay_api import SELL_FULFILLMENT_SCOPE, EbayApiClient

        try:
            tokens = EbayApiClient.from_env(scope=SELL_FULFILLMENT_SCOPE)
        except Unavailable as exc:
            raise Unavailable(str(exc), system="ebay") from exc
        return {"token_auth": tokens.token_auth}

    def confirm_shipment(self, order: Order, shipment: Shipment, lines: list[ShippedLine]) -> Sent:
        # The user token comes from `token_auth` (minted from the refresh token, re-minted once on a 401); a
        # revoked refresh token is Rejected: a person must renew the seller's consent.
        request = shipping_fulfillment_request(order, shipment, lines)
        response = self._call(request, JSON_HEADERS)
        location = response.headers.get("Location", "")
        return Sent(calls=1, reference=location.rsplit("/", 1)[-1] or None)
