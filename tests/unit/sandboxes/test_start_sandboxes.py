"""start_sandboxes(): every sandbox served, on free ports or on the base port's offsets."""

from __future__ import annotations

import random
import socket

import httpx
import pytest

from local.sandboxes import PORT_OFFSETS, SandboxSet, start_sandboxes


def test_port_zero_serves_every_sandbox_on_its_own_free_loopback_port() -> None:
    with start_sandboxes(base_port=0) as sandboxes:
        urls = sandboxes.urls

        assert set(urls) == set(PORT_OFFSETS)
        assert set(urls) >= {"erp", "marketplace", "square", "amazon", "shopify", "zalando", "ebay"}
        assert len(set(urls.values())) == len(urls)
        for url in urls.values():
            assert url.startswith("http://127.0.0.1:")
            assert httpx.get(f"{url}/__admin/stats", timeout=5).json() == {"requests": 0, "max_concurrent": 0}
        assert sandboxes.erp.faults() == {"concurrency_limit": 5}


def test_sandboxes_listen_on_the_base_port_plus_their_offsets() -> None:
    sandboxes = _start_on_some_free_base_port()
    try:
        base = sandboxes.erp.port - 1
        assert sandboxes.urls == {name: f"http://127.0.0.1:{base + offset}" for name, offset in PORT_OFFSETS.items()}
        assert {
            name: PORT_OFFSETS[name]
            for name in ("erp", "marketplace", "square", "amazon", "shopify", "zalando", "ebay")
        } == {
            "erp": 1,
            "marketplace": 2,
            "square": 3,
            "amazon": 4,
            "shopify": 5,
            "zalando": 6,
            "ebay": 8,
        }
    finally:
        sandboxes.stop()


def test_stop_closes_the_ports() -> None:
    sandboxes = start_sandboxes(base_port=0)
    url = sandboxes.urls["erp"]

    sandboxes.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/__admin/stats", timeout=2)


def _start_on_some_free_base_port() -> SandboxSet:
    # Another process may hold any given port, so try a few random bases.
    for _ in range(20):
        base = random.randrange(20_000, 60_000)
        if all(_port_is_free(base + offset) for offset in PORT_OFFSETS.values()):
            try:
                return start_sandboxes(base_port=base)
            except (OSError, SystemExit):  # werkzeug exits when a port was taken meanwhile
                continue
    pytest.fail("no free run of ports found")


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0
