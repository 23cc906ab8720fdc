"""Accepting a webhook: size -> source -> signature -> parse -> describe -> dedupe -> enqueue.

Pure apart from the ports it is given. A refused delivery (any exception before `dedupe.once`)
leaves nothing behind: no idempotency record, no trace entry, nothing queued; the caller logs it
and counts it. See docs/wiring.md, "Ingest".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.ingest.logic.ports import IngestPorts
from shared.channels.delivery import DeliveryInfo, WebhookRequest
from shared.errors import MalformedBody, PayloadTooLarge, ValidationFailed
from shared.limits import WEBHOOK_MAX_BODY_BYTES

if TYPE_CHECKING:
    from shared.models import Envelope

HOP = "ingest"


@dataclass(frozen=True, slots=True)
class Outcome:
    correlation_id: str
    event_id: str
    event_type: str
    duplicate: bool
    ignored: bool


def event_id_for(source: str, delivery_id: str) -> str:
    """Our event id for a delivery: stable, so a vendor's retry after a failure maps to the same id."""
    return hashlib.sha256(f"{source}#{delivery_id}".encode()).hexdigest()[:32]


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody("body is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedBody("body must be a JSON object")
    return value


def accept_webhook(
    request: WebhookRequest,
    source: str,
    *,
    ports: IngestPorts,
    correlation_id: str,
    now: datetime,
    max_body_bytes: int = WEBHOOK_MAX_BODY_BYTES,
) -> Outcome:
    """Verify, dedupe and queue one delivery; raises a RetailSyncError for every refusal."""
    if len(request.body) > max_body_bytes:
        raise PayloadTooLarge(f"body is {len(request.body)} bytes, the limit is {max_body_bytes}")
    adapter = ports.adapters(source)
    adapter.verify(request, ports.secrets.secret_for(source), now)
    body = parse_body(request.body)
    info = adapter.describe(request, body)
    event_id = event_id_for(source, info.delivery_id)
    envelope = None if info.ignored else _envelope(source, info, event_id, correlation_id, now, body)

    def work() -> dict[str, Any]:
        detail = {"source": source, "event_type": info.event_type, "delivery_id": info.delivery_id}
        if envelope is None:
            ports.trace.record(correlation_id, HOP, "ignored", detail)
            return {"correlation_id": correlation_id, "event_id": event_id, "ignored": True}
        ports.publisher.publish(envelope, request.body)
        ports.trace.record(
            correlation_id, HOP, "accepted", {**detail, "event_id": event_id, "domain": info.domain}
        )
        return {"correlation_id": correlation_id, "event_id": event_id, "ignored": False}

    stored, duplicate = ports.dedupe.once(f"{source}#{info.delivery_id}", work)
    original_correlation_id = str(stored.get("correlation_id") or correlation_id)
    if duplicate:
        ports.trace.record(
            original_correlation_id,
            HOP,
            "duplicate",
            {"source": source, "delivery_id": info.delivery_id, "retry_correlation_id": correlation_id},
        )
    return Outcome(
        correlation_id=original_correlation_id,
        event_id=str(stored.get("event_id") or event_id),
        event_type=info.event_type,
        duplicate=duplicate,
        ignored=bool(stored.get("ignored")),
    )


def _envelope(
    source: str, info: DeliveryInfo, event_id: str, correlation_id: str, now: datetime, body: dict[str, Any]
) -> Envelope:
    # pydantic is loaded by now (the channel's module validates with it); the envelope is the
    # same model the workers validate with.
    from pydantic import ValidationError

    from shared.channels.base import field_errors

    try:
        return info.envelope(source, event_id, correlation_id, now, body)
    except ValidationError as exc:
        raise ValidationFailed("the delivery's identifiers are invalid", details=field_errors(exc)) from exc
