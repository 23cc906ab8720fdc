"""Trace entries are observability, not part of accepting a delivery: a failed write is logged, not raised."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.adapters.trace_store import TraceSink
from shared.observability import logger


class BestEffortTrace:
    def __init__(self, inner: TraceSink) -> None:
        self._inner = inner

    def record(
        self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None
    ) -> None:
        try:
            self._inner.record(correlation_id, hop, status, detail)
        except (ClientError, BotoCoreError):
            logger.warning("trace entry not written", hop=hop, status=status, exc_info=True)
