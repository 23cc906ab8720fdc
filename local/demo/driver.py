"""Deliver the scenario's webhooks to a running local stack over HTTP, as the vendors would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from local.demo.namespace import Namespace
from local.demo.scenario import Delivery
from local.signing import EVENTS_DIR, signed_headers


@dataclass(frozen=True)
class Answer:
    """The API's answer to one webhook delivery."""

    delivery: Delivery
    status: int
    body: dict[str, Any]

    @property
    def label(self) -> str:
        return self.delivery.label

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
    def answer_text(self) -> str:
        return f"{self.status} {self.outcome}"

    @property
    def as_expected(self) -> bool:
        expected = self.delivery
        if self.status != expected.expect_status:
            return False
        if self.status != 202:
            return True
        return (
            bool(self.body.get("duplicate")) == expected.expect_duplicate
            and bool(self.body.get("ignored")) == expected.expect_ignored
        )


@dataclass(frozen=True)
class Done:
    """Any other step (a bus event, a file, a schedule, an ops call): what came of it."""

    label: str
    answer_text: str
    as_expected: bool
    correlation_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return self.answer_text.split(" ")[0]


def fixture_body(fixture: str, ns: Namespace, changes: dict[str, Any] | None = None) -> bytes:
    """The fixture's bytes; re-serialized only when fields change or ids are namespaced."""
    raw = (EVENTS_DIR / f"{fixture}.json").read_bytes()
    if not changes and not ns:
        return raw
    payload = json.loads(raw)
    if changes:
        payload.update(changes)
    return ns.text(json.dumps(payload)).encode()


def fixture_headers(fixture: str, ns: Namespace) -> dict[str, str]:
    path = EVENTS_DIR / f"{fixture}.headers.json"
    headers = json.loads(path.read_text()) if path.is_file() else {}
    return {name: ns.text(str(value)) for name, value in headers.items()}


def deliver(client: httpx.Client, api_url: str, delivery: Delivery, ns: Namespace) -> Answer:
    body = fixture_body(delivery.fixture, ns, delivery.changes)
    headers = signed_headers(
        delivery.source, body, headers={**fixture_headers(delivery.fixture, ns), **delivery.headers}, base_url=api_url
    )
    if delivery.tamper:  # after signing: what arrives is no longer what was signed
        body = body.replace(b'"quantity": 3', b'"quantity": 30', 1) if b'"quantity": 3' in body else body + b" "
    return post(client, api_url, delivery, body, headers)


def post(client: httpx.Client, api_url: str, delivery: Delivery, body: bytes, headers: dict[str, str]) -> Answer:
    response = client.post(f"{api_url}/v1/webhooks/{delivery.source}", content=body, headers=headers)
    try:
        parsed = response.json()
    except json.JSONDecodeError:
        parsed = {"raw": response.text}
    return Answer(delivery, response.status_code, parsed if isinstance(parsed, dict) else {"body": parsed})


def fixture_json(name: str) -> dict[str, Any]:
    value = json.loads((EVENTS_DIR / f"{name}.json").read_text())
    assert isinstance(value, dict), name
    return value
