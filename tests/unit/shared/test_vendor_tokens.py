"""Vendor access tokens: minted once, refreshed before expiry, one mint under concurrency, and a token
the vendor refuses (it expired early, or was revoked) re-minted once, against each vendor's sandbox.

What a user sees: no connector ever sends a configured token that outlives its hour; when a sandbox
expires every token (``POST /__admin/tokens {"expire": true}``) the next call is refused once, a new
token is minted, and the call succeeds, so a write happens once; a wrong client secret is a refusal
(the connector's non-retryable error) that names the secret to fix.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from functions.orders.adapters.erp import HttpErp
from local.sandboxes import AmazonSandbox, EbaySandbox, ErpSandbox, MarketplaceSandbox, Sandbox, ZalandoSandbox
from shared.adapters.oauth import netsuite_client_assertion
from shared.adapters.tokens import CredentialsMissing, CredentialsRejected, Grant, TokenProvider
from shared.adapters.vendor_auth import VendorAuthSettings, VendorCredentials
from shared.channels.clients.ebay_api import EbayApiClient, EbayCredentials
from shared.channels.clients.sp_api import SpApiClient
from shared.channels.clients.walmart_api import WalmartApiClient
from shared.channels.clients.zalando_api import ZalandoOrdersClient
from shared.errors import ErpRejected, Rejected
from tests.support.events import load_event
from tests.support.vendor_tokens import (
    amazon_sandbox_auth,
    erp_sandbox_auth,
    walmart_sandbox_auth,
    zalando_sandbox_auth,
)

SALES_ORDERS = "/services/rest/record/v1/salesOrder"
EBAY_LOCAL = EbayCredentials("local-ebay-client-id", "local-ebay-client-secret", "local-ebay-refresh-token")
ORDER_LINES = {"item": {"items": [{"item": {"externalId": "SKU-1"}, "quantity": 1, "rate": 10}]}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ----- the provider itself -----------------------------------------------------------------------


def test_one_token_serves_every_call_until_a_minute_before_it_expires() -> None:
    clock, grants = Clock(), iter(["t1", "t2"])
    provider = TokenProvider("v", lambda: Grant(next(grants), 900), clock=clock, refresh_before_seconds=60)

    assert [provider.token() for _ in range(50)] == ["t1"] * 50
    clock.now += 839
    assert provider.token() == "t1"
    # WHEN the token is within the refresh margin THEN a new one is minted before use.
    clock.now += 1
    assert provider.token() == "t2"
    assert provider.minted == 2


def test_concurrent_callers_share_one_mint() -> None:
    started, calls = threading.Event(), []

    def slow_mint() -> Grant:
        calls.append(1)
        started.wait(0.2)
        return Grant("only", 3600)

    provider = TokenProvider("v", slow_mint)
    with ThreadPoolExecutor(max_workers=16) as pool:
        tokens = list(pool.map(lambda _: provider.token(), range(32)))

    assert set(tokens) == {"only"} and len(calls) == 1


def test_a_refused_token_is_forgotten_once_whatever_how_many_callers_saw_it_refused() -> None:
    grants = iter(["stale", "fresh", "spare"])
    provider = TokenProvider("v", lambda: Grant(next(grants), 3600))
    stale = provider.token()

    provider.invalidate(stale)
    assert provider.token() == "fresh"
    provider.invalidate(stale)  # a second caller refused the same stale token: the fresh one stays
    assert provider.token() == "fresh" and provider.minted == 2


def test_deployed_credentials_come_only_from_the_secret() -> None:
    deployed = VendorAuthSettings(vendor_credentials_arn="arn:secret", environment_name="prod")
    creds = VendorCredentials(deployed, read_secret=lambda arn: {"walmart_client_id": "from-secret"})
    assert creds.get("walmart_client_id") == "from-secret"
    with pytest.raises(CredentialsMissing, match="walmart_client_secret"):
        creds.get("walmart_client_secret")
    local = VendorCredentials(VendorAuthSettings(), read_secret=lambda arn: {})
    assert local.get("zalando_client_id") == "local-zalando-client-id"
    with pytest.raises(CredentialsMissing):  # the ERP key has no placeholder: `make local` seeds it
        local.get("erp_private_key")


# ----- against the sandboxes ---------------------------------------------------------------------


def _expire_every_token(sandbox: Sandbox) -> None:
    httpx.post(f"{sandbox.url}/__admin/tokens", json={"expire": True}).raise_for_status()


def _paths(sandbox: Sandbox) -> list[tuple[str, int | None]]:
    return [(e["path"], e["status"]) for e in sandbox.journal()]


def test_amazon_mints_one_lwa_token_and_recovers_once_from_an_expired_one(serve: Callable[..., Any]) -> None:
    amazon: AmazonSandbox = serve(AmazonSandbox())
    order = load_event("amazon/get_order_response")["payload"]
    amazon.seed_orders(
        [{"order": order, "items": load_event("amazon/get_order_items_response")["payload"]["OrderItems"]}]
    )
    client = SpApiClient(amazon.url, amazon_sandbox_auth(amazon.url))
    order_id = order["AmazonOrderId"]

    for _ in range(5):
        client.get_order(order_id)
    assert amazon.tokens.summary()["issued"] == 1

    # GIVEN every token expired (as if the hour had passed early) WHEN the next call is made
    _expire_every_token(amazon)
    assert client.get_order(order_id)["AmazonOrderId"] == order_id

    # THEN SP-API's 403 Unauthorized was answered once, one token minted, the call sent again once
    assert [s for _, s in _paths(amazon)][-2:] == [403, 200]
    assert amazon.tokens.summary()["issued"] == 2


def test_walmart_acknowledges_once_after_its_token_expired(serve: Callable[..., Any]) -> None:
    from functions.channel_outbound.adapters.walmart import WalmartOutbound
    from tests.fakes.builders import order as canonical_order

    walmart: MarketplaceSandbox = serve(MarketplaceSandbox())
    auth = walmart_sandbox_auth(walmart.url)
    reader = WalmartApiClient(walmart.url, auth)
    outbound = WalmartOutbound(walmart.url, token_auth=auth)
    order = canonical_order("1796277083968", channel="walmart")

    outbound.acknowledge(order)
    _expire_every_token(walmart)
    outbound.acknowledge(order)  # the redelivered command, after the token expired
    reader.get_order(order.channel_order_id)

    acks = [s for p, s in _paths(walmart) if p.endswith("/acknowledge")]
    # One refused (401, nothing acknowledged), then accepted: Walmart saw each acknowledgement once.
    assert acks == [200, 401, 200]
    assert [p for p, _ in _paths(walmart)].count("/v3/token") == 2


def test_zalando_polls_through_a_token_that_expired_between_pages(serve: Callable[..., Any]) -> None:
    from datetime import UTC, datetime, timedelta

    from local.sandboxes.zalando import DEFAULT_MERCHANT_ID

    zalando: ZalandoSandbox = serve(ZalandoSandbox())
    t = datetime.now(UTC) - timedelta(minutes=5)
    zalando.seed_order(
        {
            "order_id": "o-1",
            "modified_at": t.isoformat().replace("+00:00", "Z"),
            "items": [{"external_id": "SKU-1", "quantity": 1, "price": {"amount": 10, "currency": "EUR"}}],
        }
    )
    client = ZalandoOrdersClient(zalando.url, zalando_sandbox_auth(zalando.url))

    first = list(client.list_orders(DEFAULT_MERCHANT_ID, t - timedelta(seconds=1), t + timedelta(minutes=1)))
    _expire_every_token(zalando)
    second = list(client.list_orders(DEFAULT_MERCHANT_ID, t - timedelta(seconds=1), t + timedelta(minutes=1)))

    assert [d["data"]["id"] for d in first] == [d["data"]["id"] for d in second] == ["o-1"]
    assert [s for p, s in _paths(zalando) if p != "/auth/token"] == [200, 401, 200]


def test_ebay_reads_an_order_after_its_user_token_expired(serve: Callable[..., Any]) -> None:
    ebay: EbaySandbox = serve(EbaySandbox())
    order = load_event("ebay/get_order_response")
    ebay.seed_orders([order])
    client = EbayApiClient(ebay.url, EBAY_LOCAL)

    client.get_order(order["orderId"])
    _expire_every_token(ebay)
    assert client.get_order(order["orderId"]) == order

    assert client.tokens_minted == 2
    assert [s for p, s in _paths(ebay) if p.startswith("/sell/")] == [200, 401, 200]


def test_the_erp_upserts_once_after_its_token_expired(serve: Callable[..., Any]) -> None:
    erp: ErpSandbox = serve(ErpSandbox())
    connector = HttpErp(erp.url, token_auth=erp_sandbox_auth(erp.url))

    first = connector.upsert_sales_order("ORD-1", {"externalId": "ORD-1", **ORDER_LINES})
    _expire_every_token(erp)
    again = connector.upsert_sales_order("ORD-1", {"externalId": "ORD-1", "memo": "replayed", **ORDER_LINES})

    # One sales order; the refused PUT (401) wrote nothing, the resend wrote once.
    assert first == again and len(erp.sales_orders()) == 1
    assert [s for p, s in _paths(erp) if p.startswith(SALES_ORDERS)] == [204, 401, 204]
    assert erp.tokens.summary()["issued"] == 2


def test_every_connector_mints_once_for_many_calls_at_once(serve: Callable[..., Any]) -> None:
    erp: ErpSandbox = serve(ErpSandbox(concurrency_limit=None))
    connector = HttpErp(erp.url, token_auth=erp_sandbox_auth(erp.url))
    for n in range(4):
        connector.upsert_sales_order(f"ORD-{n}", {"externalId": f"ORD-{n}", **ORDER_LINES})
    erp.tokens.revoke_all()
    fresh = HttpErp(erp.url, token_auth=erp_sandbox_auth(erp.url))

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda n: fresh.get_sales_order(f"ORD-{n % 4}"), range(24)))

    assert all(found) and erp.tokens.summary()["issued"] == 1 + 1  # the first connector's, then one more


def test_a_short_lived_token_is_renewed_before_the_sandbox_would_refuse_it(serve: Callable[..., Any]) -> None:
    # GIVEN tokens living 2 s and a provider that renews 1.5 s before expiry
    erp: ErpSandbox = serve(ErpSandbox(token_ttl_seconds=2))
    connector = HttpErp(erp.url, token_auth=erp_sandbox_auth(erp.url, refresh_before_seconds=1.5))
    connector.upsert_sales_order("ORD-1", {"externalId": "ORD-1", **ORDER_LINES})

    time.sleep(0.7)
    assert connector.get_sales_order("ORD-1")

    # THEN the second call used a new token, and no call was ever refused
    assert erp.tokens.summary()["issued"] == 2
    assert 401 not in [s for _, s in _paths(erp)]


@pytest.mark.parametrize("vendor", ["amazon", "walmart", "zalando"])
def test_a_wrong_client_secret_is_a_clear_refusal_not_a_retry(serve: Callable[..., Any], vendor: str) -> None:
    sandbox = serve({"amazon": AmazonSandbox, "walmart": MarketplaceSandbox, "zalando": ZalandoSandbox}[vendor]())
    call, refused = {
        "amazon": (
            lambda: SpApiClient(sandbox.url, amazon_sandbox_auth(sandbox.url, client_secret="wrong")).get_order("1"),
            Rejected,
        ),
        "walmart": (
            lambda: WalmartApiClient(sandbox.url, walmart_sandbox_auth(sandbox.url, client_secret="wrong")).get_order(
                "1"
            ),
            Rejected,
        ),
        "zalando": (
            lambda: list(
                ZalandoOrdersClient(sandbox.url, zalando_sandbox_auth(sandbox.url, client_secret="wrong")).list_orders(
                    "m", *_window()
                )
            ),
            Rejected,
        ),
    }[vendor]

    with pytest.raises(refused, match="refused our credentials") as raised:
        call()

    assert isinstance(raised.value.__cause__, CredentialsRejected)
    assert "client id, secret" in str(raised.value)


def _window() -> tuple[Any, Any]:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    return now - timedelta(hours=1), now


def test_ebay_with_a_revoked_refresh_token_is_refused(serve: Callable[..., Any]) -> None:
    ebay: EbaySandbox = serve(EbaySandbox())
    client = EbayApiClient(ebay.url, EbayCredentials(EBAY_LOCAL.client_id, EBAY_LOCAL.client_secret, "revoked"))

    with pytest.raises(Rejected, match="invalid_grant"):
        client.get_order("27-13492-80251")


# ----- ERP: NetSuite's client credentials flow, verified by the sandbox --------------------------


def test_the_erp_sandbox_verifies_the_signed_assertion_and_refuses_a_bad_signature(serve: Callable[..., Any]) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    erp: ErpSandbox = serve(ErpSandbox())
    other_key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )

    # A token minted with the registered certificate's key works ...
    assert HttpErp(erp.url, token_auth=erp_sandbox_auth(erp.url)).get_sales_order("none") is None
    # ... one signed with another key is refused, and nothing is called without a token.
    with pytest.raises(ErpRejected, match="signature does not verify"):
        HttpErp(erp.url, token_auth=erp_sandbox_auth(erp.url, private_key_pem=other_key)).get_sales_order("none")
    assert httpx.get(f"{erp.url}{SALES_ORDERS}").json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


def test_the_erp_sandbox_refuses_an_assertion_for_another_audience_or_an_expired_one(serve: Callable[..., Any]) -> None:
    from local.sandboxes import erp_keys

    erp: ErpSandbox = serve(ErpSandbox())
    token_url = f"{erp.url}/services/rest/auth/oauth2/v1/token"

    def mint(assertion: str) -> httpx.Response:
        return httpx.post(
            token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
            },
        )

    def sign(url: str, now: float | None = None) -> str:
        return netsuite_client_assertion(
            url, erp_keys.CLIENT_ID, erp_keys.CERTIFICATE_ID, erp_keys.PRIVATE_KEY_PEM, now
        )

    good = mint(sign(token_url))
    assert good.status_code == 200 and good.json()["token_type"] == "bearer" and good.json()["expires_in"] == "3600"
    assert mint(sign("https://1234567.suitetalk.api.netsuite.com/x")).json()["error"] == "invalid_grant"
    assert mint(sign(token_url, now=time.time() - 3600)).json()["error"] == "invalid_grant"
    assert mint("not-a-jwt").json()["error"] == "invalid_request"


def test_the_ingest_refetches_an_ebay_key_once_after_its_app_token_expired(serve: Callable[..., Any]) -> None:
    from local.sandboxes.ebay_keys import PUBLIC_KEY_ID
    from shared.channels import ebay as ebay_channel

    sandbox: EbaySandbox = serve(EbaySandbox())
    clock = Clock()
    settings = ebay_channel.EbaySettings(
        ebay_api_base_url=sandbox.url, ebay_client_id=EBAY_LOCAL.client_id, ebay_client_secret=EBAY_LOCAL.client_secret
    )
    keys = ebay_channel.NotificationApiKeys(settings, clock=clock)
    first = keys.pem_for(PUBLIC_KEY_ID)

    # GIVEN the app token expired early and the cached key aged out
    _expire_every_token(sandbox)
    clock.now += ebay_channel.KEY_CACHE_SECONDS + 1

    # THEN the lookup is refused once, mints a new app token, and finds the key
    assert keys.pem_for(PUBLIC_KEY_ID) == first
    assert [s for p, s in _paths(sandbox) if "public_key" in p] == [200, 401, 200]
