"""What every intake (the webhook ingest, the pollers, the POS files) hands a delivery to: run it once
per delivery key, then queue its envelope durably. Real adapters in shared/adapters/
(delivery_dedupe.py, queue_publisher.py), fakes in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from shared.models import Envelope

DeliveryWork = Callable[[], dict[str, Any]]


class PublisherPort(Protocol):
    def publish(self, envelope: Envelope, raw_body: bytes) -> None:
        """Queue the envelope durably (claim check when large); UpstreamUnavailable when it cannot."""
        ...


class DedupePort(Protocol):
    def once(self, key: str, work: DeliveryWork) -> tuple[dict[str, Any], bool]:
        """Run `work` once per key: (its result, False), or (the stored result, True) for a repeat.

        Raises DeliveryInProgress while another request runs the same key; if `work` raises, nothing
        is remembered (the next attempt runs it again).
        """
        ...
