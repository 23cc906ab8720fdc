"""Sandboxes served on free loopback ports, stopped after each test.

The ``client`` presents, on every call to a served sandbox that demands a vendor token, a token that
sandbox minted (its own `TokenIssuer`), unless the call already carries that vendor's token header:
the tests about routes and shapes stay about routes and shapes. ``bare_client`` sends none, for the
tests about refusing calls without one.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import httpx
import pytest

from local.sandboxes import (
    AmazonSandbox,
    EbaySandbox,
    ErpSandbox,
    MarketplaceSandbox,
    ShopifySandbox,
    SquareSandbox,
    WmsSandbox,
    ZalandoSandbox,
)
from tests.support.sandboxes import SERVING, sandbox_fixture

# The header each vendor takes its access token in (value prefix after the colon).
TOKEN_HEADERS = {
    "erp": ("Authorization", "Bearer "),
    "zalando": ("Authorization", "Bearer "),
    "ebay": ("Authorization", "Bearer "),
    "marketplace": ("WM_SEC.ACCESS_TOKEN", ""),
    "amazon": ("x-amz-access-token", ""),
}


class SandboxTokens(httpx.Auth):
    """Adds a token minted by the addressed sandbox when the request has none."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for sandbox in SERVING:
            issuer = getattr(sandbox, "tokens", None)
            if issuer is None or request.url.port != sandbox.port or sandbox.name not in TOKEN_HEADERS:
                continue
            header, prefix = TOKEN_HEADERS[sandbox.name]
            if header not in request.headers:
                request.headers[header] = prefix + issuer.issue()[0]
        yield request


erp = sandbox_fixture(ErpSandbox)
marketplace = sandbox_fixture(MarketplaceSandbox)
square = sandbox_fixture(SquareSandbox)
zalando = sandbox_fixture(ZalandoSandbox)
shopify = sandbox_fixture(ShopifySandbox)
ebay = sandbox_fixture(EbaySandbox)
amazon = sandbox_fixture(AmazonSandbox)
wms = sandbox_fixture(WmsSandbox)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0, auth=SandboxTokens()) as http:
        yield http


@pytest.fixture
def bare_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http
