"""Contract tests, canonical -> vendor: each outbound command becomes exactly the request the vendor
documents (`events/<source>/outbound_<case>.json` is the body the vendor expects), sent with its headers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from functions.channel_outbound.adapters.amazon import AmazonOutbound, confirm_shipment_request
from functions.channel_outbound.adapters.ebay import EbayOutbound, shipping_fulfillment_request
from functions.channel_outbound.adapters.registry import channels
from functions.channel_outbound.adapters.shopify import ShopifyOutbound, fulfillment_request
from functions.channel_outbound.adapters.walmart import WalmartOutbound, acknowledge_request, ship_request
from functions.channel_outbound.logic.lines import ShipmentMismatch, shipped_lines
from shared.errors import Rejected
from tests.support.events import load_event
from tests.unit.channel_outbound.conftest import canonical_order, shipment_of


class Recorder:
    """An httpx transport that records each request and answers like the vendor."""

    def __init__(self, answers: list[httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self.answers = answers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0)

    def client(self, base_url: str) -> httpx.Client:
        return httpx.Client(base_url=base_url, transport=httpx.MockTransport(self))


def body(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def test_outbound_adapters_exist_for_the_channels_that_take_commands() -> None:
    assert channels() == ["amazon", "ebay", "shopify", "walmart", "zalando"]


def test_walmart_acknowledgement_is_a_bodyless_post_with_walmart_headers() -> None:
    order = canonical_order("walmart")
    recorder = Recorder([httpx.Response(200, json={"order": {}})])
    base = "https://marketplace.walmartapis.com"
    adapter = WalmartOutbound(base, access_token="tok", client=recorder.client(base))

    adapter.acknowledge(order)

    [request] = recorder.requests
    assert (request.method, request.url.path) == ("POST", "/v3/orders/1796277083968/acknowledge")
    assert request.content == b""
    assert request.headers["WM_SEC.ACCESS_TOKEN"] == "tok"
    assert request.headers["WM_SVC.NAME"] == "Walmart Marketplace"
    assert len(request.headers["WM_QOS.CORRELATION_ID"]) == 36
    assert acknowledge_request(order).body is None


def test_walmart_shipment_marks_each_po_line_shipped_with_tracking() -> None:
    order = canonical_order("walmart")
    shipment = shipment_of(order)
    request = ship_request(order, shipment, shipped_lines(order, shipment))
    assert (request.method, request.path) == ("POST", "/v3/orders/1796277083968/shipping")
    assert request.body == load_event("walmart/outbound_ship")


def test_amazon_confirm_shipment_names_order_items_and_the_package() -> None:
    order = canonical_order("amazon")
    shipment = shipment_of(order)
    recorder = Recorder([httpx.Response(204)])
    base = "https://sellingpartnerapi-na.amazon.com"
    adapter = AmazonOutbound(base, access_token="Atza|x", marketplace_id="ATVPDKIKX0DER", client=recorder.client(base))

    adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))

    [request] = recorder.requests
    assert request.url.path == "/orders/v0/orders/113-5467394-8722613/shipmentConfirmation"
    assert request.headers["x-amz-access-token"] == "Atza|x"
    assert body(request) == load_event("amazon/outbound_confirm_shipment")


def test_amazon_unknown_carrier_goes_as_other_with_its_name() -> None:
    order = canonical_order("amazon")
    shipment = shipment_of(order, carrier="Hermes")
    package = confirm_shipment_request(order, shipment, shipped_lines(order, shipment), "A1PA6795UKMFR9").body
    assert package is not None
    assert (package["packageDetail"]["carrierCode"], package["packageDetail"]["carrierName"]) == ("Other", "Hermes")


def test_ebay_shipping_fulfillment_uses_line_item_ids_and_a_user_token() -> None:
    order = canonical_order("ebay")
    shipment = shipment_of(order)
    location = (
        "https://api.ebay.com/sell/fulfillment/v1/order/27-13492-80251/shipping_fulfillment/9405509699937003457459"
    )
    recorder = Recorder([httpx.Response(201, headers={"Location": location})])
    base = "https://api.ebay.com"
    adapter = EbayOutbound(base, user_token=lambda: "v^1.1#user", client=recorder.client(base))

    sent = adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))

    [request] = recorder.requests
    assert request.url.path == "/sell/fulfillment/v1/order/27-13492-80251/shipping_fulfillment"
    assert request.headers["Authorization"] == "Bearer v^1.1#user"
    assert body(request) == load_event("ebay/outbound_shipping_fulfillment")
    assert sent.reference == "9405509699937003457459"
    assert shipping_fulfillment_request(order, shipment, shipped_lines(order, shipment)).body == body(request)


def test_shopify_fulfils_the_open_fulfillment_order_lines_of_the_shipped_line_items() -> None:
    order = canonical_order("shopify")
    shipment = shipment_of(order)
    recorder = Recorder(
        [
            httpx.Response(200, json=load_event("shopify/fulfillment_orders_response")),
            httpx.Response(201, json={"fulfillment": {"id": 255858046, "status": "success"}}),
        ]
    )
    base = "https://shop.myshopify.com"
    adapter = ShopifyOutbound(base, access_token="shpat", api_version="2024-07", client=recorder.client(base))

    sent = adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))

    listing, create = recorder.requests
    assert (listing.method, listing.url.path) == (
        "GET",
        "/admin/api/2024-07/orders/820982911946154508/fulfillment_orders.json",
    )
    assert (create.method, create.url.path) == ("POST", "/admin/api/2024-07/fulfillments.json")
    assert create.headers["X-Shopify-Access-Token"] == "shpat"
    assert body(create) == load_event("shopify/outbound_fulfillment")
    assert sent.reference == "255858046"


def test_shopify_refuses_to_fulfil_more_than_the_open_fulfillment_orders_hold() -> None:
    order = canonical_order("shopify")
    shipment = shipment_of(order)
    closed: dict[str, Any] = load_event("shopify/fulfillment_orders_response")
    closed["fulfillment_orders"][0]["status"] = "closed"
    with pytest.raises(Rejected):
        fulfillment_request(closed["fulfillment_orders"], shipment, shipped_lines(order, shipment), "2024-07")


def test_a_partial_shipment_confirms_only_the_units_shipped() -> None:
    order = canonical_order("amazon")
    shipment = shipment_of(order, lines=[{"sku": "IPOD2008BLACK", "quantity": 1}])
    [line] = shipped_lines(order, shipment)
    assert (line.line_id, line.quantity) == ("41329867524162", 1)


@pytest.mark.parametrize(
    "lines",
    [[{"sku": "NOT-ON-ORDER", "quantity": 1}], [{"sku": "IPOD2008PINK", "quantity": 2}]],
    ids=["unknown_sku", "more_than_ordered"],
)
def test_a_shipment_that_does_not_fit_the_order_is_refused(lines: list[dict[str, Any]]) -> None:
    order = canonical_order("walmart")
    with pytest.raises(ShipmentMismatch):
        shipped_lines(order, shipment_of(order, lines=lines))


@pytest.mark.parametrize("channel", ["walmart", "amazon", "ebay"])
def test_channels_that_require_tracking_refuse_a_shipment_without_it(channel: str) -> None:
    order = canonical_order(channel)
    shipment = shipment_of(order, tracking_number=None)
    builders = {
        "walmart": lambda: ship_request(order, shipment, shipped_lines(order, shipment)),
        "amazon": lambda: confirm_shipment_request(order, shipment, shipped_lines(order, shipment), "ATVPDKIKX0DER"),
        "ebay": lambda: shipping_fulfillment_request(order, shipment, shipped_lines(order, shipment)),
    }
    with pytest.raises(Rejected):
        builders[channel]()
