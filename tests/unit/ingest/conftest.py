"""In-memory ports for the ingest pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from functions.ingest.adapters.memory import MemoryDedupe, MemoryPublisher, MemorySecrets
from functions.ingest.logic.ports import IngestPorts
from shared.adapters.trace_store import MemoryTraceStore

SECRETS = {source: f"test-{source}-secret" for source in ("shopify", "square", "wms", "pos", "erp")}


@dataclass
class Fakes:
    secrets: MemorySecrets = field(default_factory=lambda: MemorySecrets(dict(SECRETS)))
    dedupe: MemoryDedupe = field(default_factory=MemoryDedupe)
    publisher: MemoryPublisher = field(default_factory=MemoryPublisher)
    trace: MemoryTraceStore = field(default_factory=MemoryTraceStore)
    webhook_base_url: str | None = None

    @property
    def ports(self) -> IngestPorts:
        """The handler's `deps`: these fakes, and the public base URL setting (None: from the request)."""
        return IngestPorts(
            secrets=self.secrets,
            dedupe=self.dedupe,
            publisher=self.publisher,
            trace=self.trace,
            webhook_base_url=self.webhook_base_url,
        )

    def nothing_left_behind(self) -> bool:
        return not (self.dedupe.records or self.publisher.published or self.trace.entries)


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()
