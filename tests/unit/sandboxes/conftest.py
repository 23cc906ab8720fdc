"""Sandboxes served on free loopback ports, stopped after each test.

The ``client`` presents, on every call to a served sandbox that demands a vendor token, a token that
sandbox minted (its own `TokenIssuer`), unless the call already carries that vendor's token header:
the tests about routes and shapes stay about routes and shapes. ``bare_client`` sends none, for the
tests about refusing calls without one.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator

import httpx
import pytest

from local.sandboxes import ErpSandbox, MarketplaceSandbox, Sandbox, SquareSandbox

# The header each vendor takes its access token in (value prefix after the colon).
TOKEN_HEADERS = {
    "erp": ("Authorization", "Bearer "),
    "zalando": ("Authorization", "Bearer "),
    "ebay": ("Authorization", "Bearer "),
    "marketplace": ("WM_SEC.ACCESS_TOKEN", ""),
    "amazon": ("x-amz-access-token", ""),
}
_SERVED: list[Sandbox] = []


class SandboxTokens(httpx.Auth):
    """Adds a token minted by the addressed sandbox when the request has none."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for sandbox in _SERVED:
            issuer = getattr(sandbox, "tokens", None)
            if issuer is None or request.url.port != sandbox.port or sandbox.name not in TOKEN_HEADERS:
                continue
            header, prefix = TOKEN_HEADERS[sandbox.name]
            if header not in request.headers:
                request.headers[header] = prefix + issuer.issue()[0]
        yield request


@pytest.fixture
def serve() -> Iterator[Callable[[Sandbox], Sandbox]]:
    started: list[Sandbox] = _SERVED

    def _serve(sandbox: Sandbox) -> Sandbox:
        sandbox.start("127.0.0.1", 0)
        started.append(sandbox)
        return sandbox

    yield _serve
    for sandbox in started:
        sandbox.stop()
    started.clear()


@pytest.fixture
def erp(serve: Callable[[Sandbox], Sandbox]) -> ErpSandbox:
    sandbox = serve(ErpSandbox())
    assert isinstance(sandbox, ErpSandbox)
    return sandbox


@pytest.fixture
def marketplace(serve: Callable[[Sandbox], Sandbox]) -> MarketplaceSandbox:
    sandbox = serve(MarketplaceSandbox())
    assert isinstance(sandbox, MarketplaceSandbox)
    return sandbox


@pytest.fixture
def square(serve: Callable[[Sandbox], Sandbox]) -> SquareSandbox:
    sandbox = serve(SquareSandbox())
    assert isinstance(sandbox, SquareSandbox)
    return sandbox


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0, auth=SandboxTokens()) as http:
        yield http


@pytest.fixture
def bare_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http
