"""`python -m local` as a developer runs it: free ports from the environment, /health, a webhook
sent like curl would (the fixture's raw bytes, signed), the order visible through the ops API, and
a clean exit on Ctrl-C (SIGINT). It starts from the demo's sample data (stock, rules, the
sandboxes' records), so the README's curl works right after boot; `RETAIL_SYNC_SEED=none` starts
empty."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from local.signing import fixture_request
from tests.support.events import load_event

ROOT = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT_S = 120
STOP_TIMEOUT_S = 90
SANDBOX_PORT_SPAN = 40  # the sandboxes sit at base + 1, + 2, ...: leave room for more of them


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_range(span: int) -> int:
    """A base port whose next `span` ports are free (the sandboxes' base port), taken below the
    kernel's ephemeral range, where outgoing connections do not come and go."""
    for _ in range(200):
        base = random.randrange(15000, 30000 - span)
        if all(_port_is_free(base + offset) for offset in range(0, span + 1)):
            return base
    raise RuntimeError("no free port range for the sandboxes")


class LocalProcess:
    def __init__(self, log_path: Path, **extra_env: str) -> None:
        self.api_port, self.aws_port = _free_port(), _free_port()
        self.sandbox_port = _free_port_range(SANDBOX_PORT_SPAN)
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        env = {
            **os.environ,
            "RETAIL_SYNC_PORT": str(self.api_port),
            "RETAIL_SYNC_AWS_PORT": str(self.aws_port),
            "RETAIL_SYNC_SANDBOX_PORT": str(self.sandbox_port),
            "RETAIL_SYNC_LOCAL_SCHEDULES": "off",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def sandbox_port_url(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.sandbox_port + offset}"

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, http: httpx.Client) -> dict[str, object]:
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"python -m local exited with {self.process.returncode}:\n{self.output}")
            try:
                answer = http.get(f"{self.api_url}/health")
                if answer.status_code == 200:
                    body: dict[str, object] = answer.json()
                    return body
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"/health never answered 200 within {BOOT_TIMEOUT_S} s:\n{self.output}")

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                # Generous: on a loaded 2-core machine one CI run saw no "==> stopping" within 30 s.
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        self._log.close()
        return self.process.returncode


@pytest.fixture
def local_process(tmp_path: Path) -> Iterator[LocalProcess]:
    running = LocalProcess(tmp_path / "local.log")
    yield running
    running.stop()


def _wait_for_status(http: httpx.Client, url: str, status: str, timeout: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        last = http.get(url)
        if last.status_code == 200 and last.json()["status"] == status:
            body: dict[str, object] = last.json()
            return body
        time.sleep(0.25)
    raise AssertionError(f"{url} never reached {status}: {last.text if last else 'no answer'}")


def _send_the_readme_order(http: httpx.Client, api_url: str) -> dict[str, object]:
    """The fixture's bytes as they are on disk, signed like the README's `curl --data-binary @file`."""
    body, headers = fixture_request("shopify/orders_create", base_url=api_url)
    answer = http.post(f"{api_url}/v1/webhooks/shopify", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    accepted: dict[str, object] = answer.json()
    assert accepted["duplicate"] is False
    return accepted


def _position(http: httpx.Client, api_url: str, sku: str, location_id: str) -> dict[str, int]:
    answer = http.get(f"{api_url}/v1/ops/inventory/{sku}")
    assert answer.status_code == 200, answer.text
    [position] = [loc for loc in answer.json()["locations"] if loc["location_id"] == location_id]
    return {key: position[key] for key in ("on_hand", "reserved", "available")}


def test_python_m_local_starts_seeded_so_the_readme_curl_order_reaches_the_erp_and_reserves_stock(
    local_process: LocalProcess,
) -> None:
    # GIVEN `python -m local` as a new user starts it (seeding on by default), nothing sent by the test
    order = load_event("shopify/orders_create")
    with httpx.Client(timeout=10.0) as http:
        health = local_process.wait_healthy(http)
        assert health["status"] == "ok"
        sandboxes = health["sandboxes"]
        assert isinstance(sandboxes, dict)
        assert sandboxes["erp"] == f"http://127.0.0.1:{local_process.sandbox_port + 1}"
        # /health says 200 only once the seed is in: the demo's WMS counts are there already
        assert _position(http, local_process.api_url, "IPOD2008BLACK", "dc-east") == {
            "on_hand": 25,
            "reserved": 0,
            "available": 25,
        }

        # WHEN the README's signed Shopify order (1 PINK + 2 BLACK) is sent right after boot
        accepted = _send_the_readme_order(http, local_process.api_url)

        # THEN within seconds it is ACCEPTED with an ERP sales order id and the stock is reserved
        view = _wait_for_status(
            http, f"{local_process.api_url}/v1/ops/orders/shopify/{order['id']}", "ACCEPTED", timeout=60
        )
        assert view["correlation_id"] == accepted["correlation_id"]
        assert view["erp_sales_order_id"]
        assert _position(http, local_process.api_url, "IPOD2008BLACK", "dc-east") == {
            "on_hand": 25,
            "reserved": 2,
            "available": 23,
        }
        assert _position(http, local_process.api_url, "IPOD2008PINK", "dc-east")["reserved"] == 1
        # the allocation rules were seeded too: the ops view splits BLACK across the five channels
        channels = http.get(f"{local_process.api_url}/v1/ops/inventory/IPOD2008BLACK").json()["channels"]
        assert set(channels) == {"amazon", "shopify", "walmart", "ebay", "zalando"}
        # and the vendors' records for the fixtures' orders are in their sandboxes
        walmart = http.get(f"{local_process.sandbox_port_url(2)}/__admin/orders")
        assert walmart.status_code == 200 and "1796277083968" in walmart.text

    assert local_process.stop() == 0, local_process.output
    output = local_process.output
    assert "seeding the demo's starting point" in output
    assert "IPOD2008BLACK    dc-east 25, franchise-0042 3" in output
    assert output.index("seeded in") < output.index("Ctrl-C to stop")  # the URLs print after the seed
    assert "stopping" in output


@pytest.fixture
def empty_local_process(tmp_path: Path) -> Iterator[LocalProcess]:
    running = LocalProcess(tmp_path / "local.log", RETAIL_SYNC_SEED="none")
    yield running
    running.stop()


@pytest.mark.slow  # a second `python -m local` of its own; the seeded start above samples the path
def test_retail_sync_seed_none_starts_empty_and_the_same_order_waits_on_hold(
    empty_local_process: LocalProcess,
) -> None:
    order = load_event("shopify/orders_create")
    api_url = empty_local_process.api_url
    with httpx.Client(timeout=10.0) as http:
        empty_local_process.wait_healthy(http)
        assert http.get(f"{api_url}/v1/ops/inventory/IPOD2008BLACK").status_code == 404

        _send_the_readme_order(http, api_url)

        # no stock anywhere: the order is held for a person, never sent to the ERP
        view = _wait_for_status(http, f"{api_url}/v1/ops/orders/shopify/{order['id']}", "ON_HOLD", timeout=60)
        assert view["erp_sales_order_id"] is None
    assert empty_local_process.stop() == 0, empty_local_process.output
    assert "RETAIL_SYNC_SEED=none: starting empty" in empty_local_process.output
