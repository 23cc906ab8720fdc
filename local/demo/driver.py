"""Deliver the scenario to a running local stack over HTTP, as the vendors would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from local.demo.scenario import Delivery
from local.signing import EVENTS_DIR, fixture_request


@dataclass(frozen=True)
class Answer:
    delivery: Delivery
    status: int
    body: dict[str, Any]

    @property
    def correlation_id(self) -> str | None:
        value = self.body.get("correlation_id") or self.body.get("error", {}).get("correlation_id")
        return str(value) if value else None

    @property
    def outcome(self) -> str:
        if self.status == 202:
            if self.body.get("duplicate"):
                return "duplicate"
            return "ignored" if self.body.get("ignored") else "accepted"
        return f"refused {self.status} {self.body.get('error', {}).get('code', '')}".strip()

    @property
    def as_expected(self) -> bool:
        expected = self.delivery
        if self.status != expected.expect_status:
            return False
        if self.status != 202:
            return True
        return bool(self.body.get("duplicate")) == expected.expect_duplicate and bool(
            self.body.get("ignored")
        ) == expected.expect_ignored


def deliver(client: httpx.Client, api_url: str, delivery: Delivery) -> Answer:
    body, headers = fixture_request(delivery.fixture, base_url=api_url)
    if delivery.tamper:
        body = body.replace(b'"quantity": 3', b'"quantity": 30', 1) if b'"quantity": 3' in body else body + b" "
    response = client.post(f"{api_url}/v1/webhooks/{delivery.source}", content=body, headers=headers)
    try:
        parsed = response.json()
    except json.JSONDecodeError:
        parsed = {"raw": response.text}
    return Answer(delivery, response.status_code, parsed if isinstance(parsed, dict) else {"body": parsed})


def seed_square_sandbox(client: httpx.Client, square_url: str) -> None:
    """Square webhooks carry no line items: the adapter reads the order (and its variations'
    SKUs) back from Square, here the Square sandbox, seeded with the fixture responses."""
    order = _fixture("square/retrieve_order_response")["order"]
    client.post(f"{square_url}/__admin/orders", json=[order]).raise_for_status()
    catalog = _fixture("square/batch_retrieve_catalog_objects_response")
    response = client.post(f"{square_url}/__admin/catalog", json=catalog.get("objects", []))
    if response.status_code == 404:  # an older sandbox without a catalog: SKUs go on the lines
        skus = {obj["id"]: obj["item_variation_data"]["sku"] for obj in catalog.get("objects", [])}
        for line in order.get("line_items", []):
            line["metadata"] = {**(line.get("metadata") or {}), "sku": skus[line["catalog_object_id"]]}
        client.post(f"{square_url}/__admin/orders", json=[order]).raise_for_status()
    else:
        response.raise_for_status()


def _fixture(name: str) -> dict[str, Any]:
    value = json.loads((EVENTS_DIR / f"{name}.json").read_text())
    assert isinstance(value, dict), name
    return value
