"""The `retail-sync` console script against `python -m local`: one command finds the README's order by
each of its ids over real HTTP, as an operator would type it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.test_local_cli import LocalProcess, _send_the_readme_order, _wait_for_status, local_process
from tests.support.events import load_event

__all__ = ["local_process"]  # the fixture, imported for pytest

SCRIPT = Path(sys.executable).with_name("retail-sync")  # what `pip install -e '.[dev]'` put beside python


def _cli(api_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli.main"]
    return subprocess.run(
        [*command, "--api-url", api_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"COLUMNS": "200", "PATH": str(Path(sys.executable).parent)},
    )


def _found(api_url: str, any_id: str) -> dict[str, Any]:
    result = _cli(api_url, "find", any_id, "--json")
    assert result.returncode == 0, result.stderr
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_one_command_finds_the_order_by_each_of_its_ids(local_process: LocalProcess) -> None:
    shopify_order = load_event("shopify/orders_create")
    with httpx.Client(timeout=10.0) as http:
        local_process.wait_healthy(http)
        accepted = _send_the_readme_order(http, local_process.api_url)
        view = _wait_for_status(
            http, f"{local_process.api_url}/v1/ops/orders/shopify/{shopify_order['id']}", "ACCEPTED", timeout=60
        )

    api = local_process.api_url
    ids = [str(shopify_order["id"]), str(view["order_id"]), str(view["erp_sales_order_id"]), accepted["correlation_id"]]
    for any_id in ids:
        body = _found(api, str(any_id))
        assert [(o["order"]["channel"], o["order"]["status"]) for o in body["orders"]] == [("shopify", "ACCEPTED")]
        assert body["orders"][0]["stuck"] is None
        assert [e["hop"] for e in body["orders"][0]["trace"]][0] == "ingest"

    human = _cli(api, "find", str(shopify_order["id"]))
    assert human.returncode == 0, human.stderr
    assert "ACCEPTED" in human.stdout and "nothing is stuck" in human.stdout

    missing = _cli(api, "find", "no-such-order")
    assert missing.returncode == 1
    assert "NOT_FOUND (404)" in missing.stderr
