"""Sandboxes served on free loopback ports, stopped after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from local.sandboxes import ErpSandbox, MarketplaceSandbox, Sandbox, SquareSandbox


@pytest.fixture
def serve() -> Iterator[Callable[[Sandbox], Sandbox]]:
    started: list[Sandbox] = []

    def _serve(sandbox: Sandbox) -> Sandbox:
        sandbox.start("127.0.0.1", 0)
        started.append(sandbox)
        return sandbox

    yield _serve
    for sandbox in started:
        sandbox.stop()


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
    with httpx.Client(timeout=5.0) as http:
        yield http
