"""The ingest pipeline's collaborators: small interfaces, real adapters in `adapters/`, fakes in tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from shared.channels.registry import adapter_for
from shared.intake_ports import DedupePort, PublisherPort

if TYPE_CHECKING:
    # Only the types: the trace store would pull boto3 into the cold start, the channel interface
    # and the envelope pydantic (loaded with the request's channel module, on its first webhook).
    from shared.adapters.trace_store import TraceSink
    from shared.channels.base import ChannelAdapter

class SecretsPort(Protocol):
    def secret_for(self, source: str) -> str:
        """The signing secret of a source; SignatureInvalid when none is configured."""
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
