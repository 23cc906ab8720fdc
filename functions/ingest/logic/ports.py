"""The ingest pipeline's collaborators: small interfaces, real adapters in `adapters/`, fakes in tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from shared.channels.registry import adapter_for

if TYPE_CHECKING:
    # Only the types: the trace store would pull boto3 into the cold start, the channel interface
    # and the envelope pydantic (loaded with the request's channel module, on its first webhook).
    from shared.adapters.trace_store import TraceSink
    from shared.channels.base import ChannelAdapter
    from shared.models import Envelope

DeliveryWork = Callable[[], dict[str, Any]]


class SecretsPort(Protocol):
    def secret_for(self, source: str) -> str:
        """The signing secret of a source; SignatureInvalid when none is configured."""
        ...


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


@dataclass(slots=True)
class IngestPorts:
    secrets: SecretsPort
    dedupe: DedupePort
    publisher: PublisherPort
    trace: TraceSink
    adapters: Callable[[str], ChannelAdapter] = field(default=adapter_for)
    # The public base URL vendors call, when set (WEBHOOK_BASE_URL); else each request's own URL.
    webhook_base_url: str | None = None
