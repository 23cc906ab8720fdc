"""Walmart Marketplace: acknowledge a purchase order, ship its lines.

- Acknowledge: `POST /v3/orders/{purchaseOrderId}/acknowledge`, no body; Walmart expects every
  created PO acknowledged before it is shipped
  (developer.walmart.com/us-marketplace/docs/acknowledge-a-created-order).
- Ship: `POST /v3/orders/{purchaseOrderId}/shipping` with `{"orderShipment": {"orderLines":
  {"orderLine": [{"lineNumber", "orderLineStatuses": {"orderLineStatus": [{"status": "Shipped",
  "statusQuantity": {"unitOfMeasurement": "EACH", "amount"}, "trackingInfo": {"shipDateTime" (epoch
  ms, UTC), "carrierName": {"carrier"} | {"otherCarrier"}, "methodCode", "trackingNumber"}}]}}]}}}`
  (Walmart "Ship Order Lines", operationId shippingUpdates; developer.walmart.com/us-marketplace/docs/ship-an-order).
- Headers: `WM_SEC.ACCESS_TOKEN`, `WM_QOS.CORRELATION_ID` (a new GUID per call), `WM_SVC.NAME`.
- Limits: Walmart rate-limits each API and answers 429 beyond it; the stored pages give no figure for
  these two calls, so 10 a second with a burst of 10 (the sandbox's stand-in) is an assumption.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar
from urllib.parse import quote

from functions.channel_outbound.adapters.base import (
    ChannelOutbound,
    Sent,
    VendorRequest,
    tracking_required,
)
from functions.channel_outbound.adapters.registry import register
from functions.channel_outbound.logic.lines import ShippedLine
from functions.channel_outbound.settings import OutboundSettings
from shared.channels.clients.walmart_api import walmart_headers
from shared.models import Order, Shipment

# Carrier names Walmart lists as supported (the rest go as `otherCarrier`).
SUPPORTED_CARRIERS = {"UPS", "USPS", "FedEx", "DHL", "OnTrac", "LaserShip", "Amazon Shipping"}
METHOD_CODE = "Standard"  # the canonical shipment carries no service level; Walmart's default method


def acknowledge_request(order: Order) -> VendorRequest:
    return VendorRequest("POST", f"/v3/orders/{quote(order.channel_order_id, safe='')}/acknowledge")


def ship_request(order: Order, shipment: Shipment, lines: list[ShippedLine]) -> VendorRequest:
    carrier, tracking_number = tracking_required("walmart", shipment)
    carrier_name = {"carrier": carrier} if carrier in SUPPORTED_CARRIERS else {"otherCarrier": carrier}
    ship_ms = int(shipment.shipped_at.timestamp() * 1000)
    order_lines: list[dict[str, Any]] = [
        {
            "lineNumber": line.line_id,
            "orderLineStatuses": {
                "orderLineStatus": [
                    {
                        "status": "Shipped",
                        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(line.quantity)},
                        "trackingInfo": {
                            "shipDateTime": ship_ms,
                            "carrierName": carrier_name,
                            "methodCode": METHOD_CODE,
                            "trackingNumber": tracking_number,
                        },
                    }
                ]
            },
        }
        for line in lines
    ]
    return VendorRequest(
        "POST",
        f"/v3/orders/{quote(order.channel_order_id, safe='')}/shipping",
        body={"orderShipment": {"orderLines": {"orderLine": order_lines}}},
    )


@register
class WalmartOutbound(ChannelOutbound):
    channel: ClassVar[str] = "walmart"
    base_url_setting: ClassVar[str] = "walmart_api_base_url"
    acknowledges: ClassVar[bool] = True
    rate_per_second: ClassVar[float] = 10.0
    burst: ClassVar[float] = 10.0

    def __init__(self, base_url: str, *, access_token: str | None = None, **kwargs: Any) -> None:
        from shared.adapters.tokens import fixed_token
        from shared.adapters.vendor_auth import walmart_auth

        if access_token is not None:  # a fixed token (tests); deployed, `token_auth` mints Walmart tokens
            kwargs.setdefault("token_auth", walmart_auth(fixed_token("Walmart", access_token)))
        super().__init__(base_url, **kwargs)

    @classmethod
    def options(cls, settings: OutboundSettings, base_url: str) -> dict[str, Any]:
        from shared.adapters.vendor_auth import walmart_token_auth

        return {"token_auth": walmart_token_auth(base_url)}

    def headers(self, with_body: bool) -> dict[str, str]:
        # A dashed GUID: the form Walmart's pages show for the correlation id.
        return walmart_headers(with_body, correlation_id=str(uuid.uuid4()))

    def acknowledge(self, order: Order) -> Sent:
        self._call(acknowledge_request(order), self.headers(with_body=False))
        return Sent(calls=1, reference=order.channel_order_id)

    def confirm_shipment(self, order: Order, shipment: Shipment, lines: list[ShippedLine]) -> Sent:
        self._call(ship_request(order, shipment, lines), self.headers(with_body=True))
        return Sent(calls=1, reference=shipment.tracking_number)
