"""Base for the retailer's own systems (WMS, POS back office, ERP): one signature and envelope.

They sign with `X-Signature: t=<unix>,v1=<hex>`, hex HMAC-SHA256 of `"<t>.<raw body>"`, refused
when `t` is more than 300 s from now (either way). Every body is a flat JSON object with at least
`event_id` (the delivery id), `event_type`, and optionally `sequence` (the sender's monotonic
stream position, used to refuse stale updates) and `occurred_at`. See events/wms/README.md.

A subclass sets `source` and `handled` (event type -> queue); other event types are verified
and answered 202 ignored.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter, ValidationError

from shared.channels.base import (
    CanonicalCommand,
    ChannelAdapter,
    DeliveryInfo,
    WebhookRequest,
    payload_of,
    poison_in_worker,
    refused_at_edge,
    validate_at_edge,
)
from shared.channels.signatures import verify_t_v1
from shared.models import Envelope
from shared.models.base import Model
from shared.models.envelope import Domain

SIGNATURE_HEADER = "X-Signature"
TOLERANCE_SECONDS = 300


class OwnSystemEvent(Model):
    model_config = ConfigDict(extra="ignore")

    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    event_type: Annotated[str, Field(min_length=1, max_length=128)]
    sequence: Annotated[int, Field(ge=0)] | None = None
    # Informational for ignored events (a handled type validates its own timestamp in `check`).
    occurred_at: Any = None


class OwnSystemAdapter(ChannelAdapter):
    handled: ClassVar[dict[str, Domain]] = {}

    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        verify_t_v1(request.header(SIGNATURE_HEADER), request.body, secret, now, TOLERANCE_SECONDS)

    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        event = validate_at_edge(OwnSystemEvent, body, f"{self.source} event")
        domain = self.handled.get(event.event_type)
        occurred_at = self.check(event.event_type, body) if domain is not None else _aware(event.occurred_at)
        return DeliveryInfo(
            delivery_id=event.event_id,
            event_type=event.event_type,
            domain=domain,
            occurred_at=occurred_at,
            source_sequence=event.sequence,
        )

    def check(self, event_type: str, body: dict[str, Any]) -> datetime | None:
        """Validate a handled event at the edge (ValidationFailed -> 400); returns when it happened."""
        return None

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        return []


class CommandSystemAdapter(OwnSystemAdapter):
    """An own system whose handled events each stand for one canonical command, built by `command`
    both at the edge (a record the models refuse answers 400 now, not a poison message later) and in
    the worker."""

    label: ClassVar[str]  # the system as messages name it ("WMS", "ERP")

    @abstractmethod
    def command(self, body: dict[str, Any]) -> CanonicalCommand:
        """The canonical command of a handled event (pydantic's ValidationError when it does not fit)."""

    @abstractmethod
    def happened_at(self, command: Any) -> datetime | None:
        """When the event the command stands for happened."""

    def check(self, event_type: str, body: dict[str, Any]) -> datetime | None:
        with refused_at_edge(f"{self.label} {event_type} is missing or has invalid fields"):
            command = self.command(body)
        return self.happened_at(command)

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        body = payload_of(envelope)
        if body.get("event_type") not in self.handled:
            return []
        with poison_in_worker(f"{self.label} event does not fit the canonical model"):
            return [self.command(body)]


_AWARE = TypeAdapter(AwareDatetime, config=ConfigDict(defer_build=True))  # built with its first use


def _aware(value: Any) -> datetime | None:
    try:
        return _AWARE.validate_python(value) if value is not None else None
    except ValidationError:
        return None
