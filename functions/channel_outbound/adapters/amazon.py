"""Amazon SP-API Orders v0: confirmShipment for a merchant-fulfilled order. No acknowledgement:
Amazon has none for MFN orders (an Unshipped order is ready to ship).

`POST /orders/v0/orders/{orderId}/shipmentConfirmation` with `{"marketplaceId", "packageDetail":
{"packageReferenceId" (positive numeric, unique within the order), "carrierCode", "carrierName"
(only with carrierCode "Other"), "trackingNumber", "shipDate" (ISO 8601), "orderItems":
[{"orderItemId", "quantity"}]}}`; 204 on success (Orders API v0 model, ConfirmShipmentRequest /
PackageDetail). Usage plan: 2 requests a second, burst 10. Calls carry the LWA token in
`x-amz-access-token`.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar
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
from shared.models import Order, Shipment

# Amazon's CarrierCode values for the carriers WMSs usually name; anything else is "Other" + carrierName.
CARRIER_CODES = {"UPS": "UPS", "USPS": "USPS", "FEDEX": "FedEx", "DHL": "DHL", "ONTRAC": "OnTrac"}


def package_reference_id(shipment_id: str) -> str:
    """A positive number standing for the shipment (Amazon accepts only numeric package references)."""
    return str(int(hashlib.sha256(shipment_id.encode()).hexdigest()[:8], 16) or 1)


def confirm_shipment_request(
    order: Order, shipment: Shipment, lines: list[ShippedLine], marketplace_id: str
) -> VendorRequest:
    carrier, tracking_number = tracking_required("amazon", shipment)
    code = CARRIER_CODES.get(carrier.upper())
    package: dict[str, Any] = {"packageReferenceId": package_reference_id(shipment.shipment_id)}
    package["carrierCode"] = code or "Other"
    if code is None:
        package["carrierName"] = carrier
    package.update(
        trackingNumber=tracking_number,
        shipDate=shipment.shipped_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        orderItems=[{"orderItemId": line.line_id, "quantity": line.quantity} for line in lines],
    )
    return VendorRequest(
        "POST",
        f"/orders/v0/orders/{quote(order.channel_order_id, safe='')}/shipmentConfirmation",
        body={"marketplaceId": marketplace_id, "packageDetail": package},
    )


@register
class AmazonOutbound(ChannelOutbound):
    channel: ClassVar[str] = "amazon"
    base_url_setting: ClassVar[str] = "amazon_sp_api_base_url"
    rate_per_second: ClassVar[float] = 2.0
    burst: ClassVar[float] = 10.0

    def __init__(self, base_url: str, *, marketplace_id: str, access_token: str | None = None, **kwargs: Any) -> None:
        from shared.adapters.tokens import fixed_token
        from shared.adapters.vendor_auth import amazon_auth

        if access_token is not None:  # a fixed token (tests); deployed, `token_auth` mints LWA tokens
            kwargs.setdefault("token_auth", amazon_auth(fixed_token("Amazon", access_token)))
        super().__init__(base_url, **kwargs)
        self.marketplace_id = marketplace_id

    @classmethod
    def options(cls, settings: OutboundSettings, base_url: str) -> dict[str, Any]:
        from shared.adapters.vendor_auth import amazon_token_auth

        return {"token_auth": amazon_token_auth(), "marketplace_id": settings.amazon_marketplace_id}

    def confirm_shipment(self, order: Order, shipment: Shipment, lines: list[ShippedLine]) -> Sent:
        self._call(confirm_shipment_request(order, shipment, lines, self.marketplace_id), JSON_HEADERS)
        return Sent(calls=1, reference=shipment.tracking_number)
