"""`python -m local` as a developer runs it: free ports from the environment, /health, a webhook
sent like curl would (the fixture's raw bytes, signed), the order visible through the ops API, and
a clean exit on Ctrl-C (SIGINT)."""

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

from local.signing import fixture_request, signed_headers
from tests.support.events import load_event

ROOT = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT_S = 120
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
    def __init__(self, log_path: Path) -> None:
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
        }
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

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
                self.process.wait(timeout=30)
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


def test_python_m_local_accepts_a_signed_shopify_order_and_exits_cleanly_on_ctrl_c(
    local_process: LocalProcess,
) -> None:
    with httpx.Client(timeout=10.0) as http:
        health = local_process.wait_healthy(http)
        assert health["status"] == "ok"
        sandboxes = health["sandboxes"]
        assert isinstance(sandboxes, dict)
        assert sandboxes["erp"] == f"http://127.0.0.1:{local_process.sandbox_port + 1}"

        # Stock for the fixture's SKUs, through the WMS webhook.
        order = load_event("shopify/orders_create")
        for sequence, line in enumerate(order["line_items"], start=1):
            event = {**load_event("wms/inventory_adjusted"), "event_id": f"e2e-{sequence}", "sku": line["sku"]}
            event.update(sequence=sequence, on_hand=10, delta=None)
            body = httpx.Request("POST", "/", json=event).content
            answer = http.post(
                f"{local_process.api_url}/v1/webhooks/wms",
                content=body,
                headers=signed_headers("wms", body, base_url=local_process.api_url),
            )
            assert answer.status_code == 202, answer.text

        # The fixture's bytes as they are on disk, signed like `curl --data-binary @file` would send them.
        body, headers = fixture_request("shopify/orders_create", base_url=local_process.api_url)
        answer = http.post(f"{local_process.api_url}/v1/webhooks/shopify", content=body, headers=headers)
        assert answer.status_code == 202, answer.text
        accepted = answer.json()

        view = _wait_for_status(
            http, f"{local_process.api_url}/v1/ops/orders/shopify/{order['id']}", "ACCEPTED", timeout=60
        )
        assert view["correlation_id"] == accepted["correlation_id"]
        assert view["erp_sales_order_id"]

    assert local_process.stop() == 0, local_process.output
    assert "stopping" in local_process.output
