"""eBay ORDER_CONFIRMATION: routed to the orders queue, enriched with getOrder, mapped to an Order."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from local.sandboxes.ebay import EbaySandbox
from shared.channels.base import NormalizationError
from shared.channels.clients.ebay_api import EbayApiClient, EbayCredentials
from shared.channels.clients.ebay_credentials import EbayApiSettings, ebay_credential
from shared.channels.registry import adapter_for
from shared.errors import Rejected, Unavailable, ValidationFailed
from shared.models import Order, OrderCancellation
from tests.support.events import load_event, load_event_bytes
from tests.support.sandboxes import sandbox_fixture
from tests.unit.channels.conftest import FakeEbay, envelope, request


def _normalize(payload: dict[str, Any], lookup: FakeEbay) -> list[Any]:
    return adapter_for("ebay").normalize(envelope("ebay", payload["metadata"]["topic"], payload), enrich=lookup)


def test_order_confirmation_is_queued_for_the_orders_worker() -> None:
    body = load_event_bytes("ebay/order_confirmation")
    info = adapter_for("ebay").describe(request(body, source="ebay"), json.loads(body))
    assert (info.domain, info.event_type) == ("orders", "ORDER_CONFIRMATION")
    assert info.delivery_id == load_event("ebay/order_confirmation")["notification"]["notificationId"]


def test_order_confirmation_without_an_order_id_is_refused_at_the_edge_with_the_field() -> None:
    payload = load_event("ebay/order_confirmation")
    del payload["notification"]["data"]["order"]["orderId"]
    with pytest.raises(ValidationFailed) as refused:
        adapter_for("ebay").describe(request(json.dumps(payload).encode(), source="ebay"), payload)
    assert [d["field"] for d in refused.value.details] == ["order.orderId"]


def test_account_deletion_stays_ignored() -> None:
    body = load_event_bytes("ebay/marketplace_account_deletion")
    assert adapter_for("ebay").describe(request(body, source="ebay"), json.loads(body)).ignored


def test_order_confirmation_reads_the_order_with_get_order_and_prices_units_from_line_cost() -> None:
    lookup = FakeEbay()
    [order] = _normalize(load_event("ebay/order_confirmation"), lookup)
    assert lookup.calls == ["27-13492-80251"]
    assert isinstance(order, Order)
    black = order.lines[1]
    # lineItemCost 398.00 is 2 units: 199.00 each; the promotion is the 10.00 off discountedLineItemCost.
    assert (black.sku, black.quantity, black.unit_price.amount) == ("IPOD2008BLACK", 2, Decimal("199.00"))
    assert black.discount is not None and black.discount.amount == Decimal("10.00")
    assert order.shipping_address is not None and order.shipping_address.line2 == "Apt 4"


def test_an_order_line_without_a_sku_is_poison_naming_the_line() -> None:
    vendor = load_event("ebay/get_order_response")
    del vendor["lineItems"][1]["sku"]
    with pytest.raises(NormalizationError) as poison:
        _normalize(load_event("ebay/order_confirmation"), FakeEbay(vendor))
    assert poison.value.details == [{"field": "lineItems.1.sku", "message": "no SKU for this line"}]


def test_an_order_cancelled_on_ebay_before_we_read_it_becomes_a_cancellation() -> None:
    vendor = load_event("ebay/get_order_response")
    vendor["cancelStatus"] = {"cancelState": "CANCELED", "cancelledDate": "2026-11-20T17:00:00.000Z"}
    [command] = _normalize(load_event("ebay/order_confirmation"), FakeEbay(vendor))
    assert isinstance(command, OrderCancellation)
    assert command.channel_order_id == "27-13492-80251"


def test_other_topics_normalize_to_nothing_without_calling_ebay() -> None:
    lookup = FakeEbay()
    assert _normalize(load_event("ebay/marketplace_account_deletion"), lookup) == []
    assert lookup.calls == []


# What the eBay sandbox registers (the local placeholders of ebay_credentials.py).
LOCAL_CREDENTIALS = EbayCredentials("local-ebay-client-id", "local-ebay-client-secret", "local-ebay-refresh-token")


sandbox = sandbox_fixture(EbaySandbox)


def test_client_mints_one_user_token_from_the_refresh_token_and_reads_seeded_orders(sandbox: EbaySandbox) -> None:
    order = load_event("ebay/get_order_response")
    sandbox.seed_orders([order])
    client = EbayApiClient(sandbox.url, LOCAL_CREDENTIALS)

    assert client.get_order("27-13492-80251") == order
    assert client.get_order("27-13492-80251") == order

    assert client.tokens_minted == 1
    token_calls = [e for e in sandbox.journal() if e["path"] == "/identity/v1/oauth2/token"]
    assert len(token_calls) == 1


def test_client_reports_an_unknown_order_as_rejected(sandbox: EbaySandbox) -> None:
    client = EbayApiClient(sandbox.url, LOCAL_CREDENTIALS)
    with pytest.raises(Rejected):
        client.get_order("99-99999-99999")


def test_deployed_credentials_come_from_the_secrets_the_function_was_given_never_a_variable() -> None:
    signing = {"ebay_verification_token": "from-signing", "ebay_client_id": "app-id"}
    vendor = {"ebay_client_id": "vendor-id", "ebay_refresh_token": "v^1.1#refresh"}
    secrets = {"arn:signing": signing, "arn:vendor": vendor}
    edge = EbayApiSettings(webhook_secrets_arn="arn:signing", environment_name="prod")
    connector = EbayApiSettings(vendor_credentials_arn="arn:vendor", environment_name="prod")

    assert ebay_credential(edge, "verification_token", secrets.__getitem__) == "from-signing"
    assert ebay_credential(edge, "client_id", secrets.__getitem__) == "app-id"
    assert ebay_credential(connector, "client_id", secrets.__getitem__) == "vendor-id"
    assert ebay_credential(connector, "refresh_token", secrets.__getitem__) == "v^1.1#refresh"
    # The public edge never holds the seller's refresh token: it cannot act on the seller's account.
    with pytest.raises(Unavailable, match="ebay_refresh_token"):
        ebay_credential(edge, "refresh_token", lambda arn: copy.deepcopy(secrets[arn]))
    # Deployed, a variable planted in the function's configuration is ignored.
    planted = EbayApiSettings(vendor_credentials_arn="arn:vendor", ebay_client_id="planted", environment_name="prod")
    assert ebay_credential(planted, "client_id", secrets.__getitem__) == "vendor-id"


def test_locally_a_developers_variable_wins_then_the_sandboxes_placeholders() -> None:
    local = EbayApiSettings(ebay_client_id="my-own-keyset")
    assert ebay_credential(local, "client_id", lambda arn: {}) == "my-own-keyset"
    assert ebay_credential(local, "verification_token", lambda arn: {}) == "local-ebay-verification-token"
