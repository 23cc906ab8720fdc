"""The raw request a channel adapter verifies and what it says about a verified delivery.

Apart from `base.py` (which holds the adapter interface and the pydantic helpers the channels
validate with) so that the webhook edge can decode a request, route it and answer a refusal
before any channel module, pydantic or model is imported (issue 7, cold start).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.models import Envelope
    from shared.models.envelope import Domain


class Headers(Mapping[str, str]):
    """HTTP headers with case-insensitive lookup (HTTP/2 and API Gateway lower-case them)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = {k.lower(): v for k, v in (items or {}).items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A webhook as it arrived: the raw body bytes are what signatures are computed over.

    `path_with_query` is the path the vendor called (stage prefix included on API Gateway's default
    URL: Walmart signs it) and `endpoint_url` the public URL of this source's endpoint (the URL the
    request was sent to, or `WEBHOOK_BASE_URL` + `/v1/webhooks/<source>` when that override is set):
    Square signs it together with the body.
    """

    method: str
    path_with_query: str
    body: bytes
    headers: Headers = field(default_factory=Headers)
    endpoint_url: str | None = None

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value.strip() if value is not None else None


@dataclass(frozen=True, slots=True)
class DeliveryInfo:
    """What the edge needs to know about a verified delivery.

    `domain` is the queue it goes to, or None when the topic is not handled (answered 202
    `ignored`, nothing enqueued).
    """

    delivery_id: str
    event_type: str
    domain: Domain | None
    occurred_at: datetime | None = None
    source_sequence: int | None = None

    @property
    def ignored(self) -> bool:
        return self.domain is None

    def envelope(
        self, source: str, event_id: str, correlation_id: str, received_at: datetime, payload: dict[str, Any]
    ) -> Envelope:
        """The queue envelope of this delivery (raises pydantic's ``ValidationError`` on bad identifiers)."""
        from shared.models import Envelope

        return Envelope(
            event_id=event_id,
            source=source,
            event_type=self.event_type,
            domain=self.domain,
            delivery_id=self.delivery_id,
            correlation_id=correlation_id,
            occurred_at=self.occurred_at,
            received_at=received_at,
            source_sequence=self.source_sequence,
            payload=payload,
        )
