"""SQS for the outbound worker: dead-letter a rejected command now, delay a throttled one."""

from __future__ import annotations

import math
from typing import Any, Protocol

from shared.adapters.envelope_queue import SqsEnvelopeQueue

MAX_VISIBILITY_SECONDS = 12 * 3600


class QueuePort(Protocol):
    def dead_letter(self, body: str, reason: str, correlation_id: str) -> None: ...

    def retry_after(self, receipt_handle: str, seconds: float) -> None: ...


class SqsQueues:
    """The worker's own queue and its DLQ (one SQS client for both)."""

    def __init__(self, queue_url: str, dlq_url: str, client: Any | None = None) -> None:
        self.queue = SqsEnvelopeQueue(queue_url, client)
        self.dlq = SqsEnvelopeQueue(dlq_url, client)

    def dead_letter(self, body: str, reason: str, correlation_id: str) -> None:
        """The message as received, to the DLQ, with why (redrive it once the cause is fixed)."""
        self.dlq.send(body, {"reason": reason[:1000] or "rejected", "correlation_id": correlation_id})

    def retry_after(self, receipt_handle: str, seconds: float) -> None:
        """The throttled message comes back once the channel's `Retry-After` has passed."""
        self.queue.delay(receipt_handle, min(max(math.ceil(seconds), 1), MAX_VISIBILITY_SECONDS))
