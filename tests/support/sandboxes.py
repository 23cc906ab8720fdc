"""Vendor sandboxes served on free loopback ports for one test, stopped after it.

    amazon = sandbox_fixture(AmazonSandbox)      # a fixture named `amazon`: a served AmazonSandbox
    def test_x(serve: Serve) -> None:            # the `serve` fixture, for sandboxes built in the test
        erp = serve(ErpSandbox(token_ttl_seconds=2))

`SERVING` lists the sandboxes served at the moment (tests that present tokens per sandbox read it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

import pytest

from local.sandboxes import Sandbox

S = TypeVar("S", bound=Sandbox)

SERVING: list[Sandbox] = []


class Serve(Protocol):
    def __call__(self, sandbox: S, /) -> S: ...


@contextmanager
def serving() -> Iterator[Serve]:
    """Serves the sandboxes given to it until the block ends, then stops them."""
    started: list[Sandbox] = []

    def serve_one(sandbox: S) -> S:
        sandbox.start("127.0.0.1", 0)
        started.append(sandbox)
        SERVING.append(sandbox)
        return sandbox

    try:
        yield serve_one
    finally:
        for sandbox in started:
            sandbox.stop()
            SERVING.remove(sandbox)


@pytest.fixture
def serve() -> Iterator[Serve]:
    with serving() as serve_one:
        yield serve_one


def sandbox_fixture(kind: Callable[[], S]) -> Any:
    """A fixture serving a fresh sandbox of `kind` for each test; named by the name it is assigned to."""

    def served() -> Iterator[S]:
        with serving() as serve_one:
            yield serve_one(kind())

    return pytest.fixture(served)
