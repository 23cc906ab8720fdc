"""Base of the channels that do not call our webhook endpoint: we pull from them (Zalando, the POS
nightly files) or they reach us through EventBridge (Amazon SP-API notifications).

Such an adapter has no signature to check: ``/v1/webhooks/<source>`` answers 404 for it (``verify``
raises ``UnknownSource``), so nobody can inject an Amazon order over HTTP. What the pull functions
(``functions/intake``: the pollers and the POS file import) need instead is ``describe_pulled(payload)``: the
delivery id, event type and queue of one pulled record, the same ``DeliveryInfo`` the webhook edge
gets from ``describe``. The delivery id is what dedupes: a record seen again (the next poll's
overlapping window, a second copy of a file, the same order by event and by poll) maps to the same
id and is enqueued once.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any, ClassVar

from shared.channels.base import ChannelAdapter, DeliveryInfo, WebhookRequest
from shared.errors import UnknownSource


class PullChannelAdapter(ChannelAdapter):
    """A channel without a webhook endpoint; ``arrives_by`` says how its records come in."""

    arrives_by: ClassVar[str] = "a scheduled poll"

    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        raise UnknownSource(f"no webhook endpoint for this source: it arrives by {self.arrives_by}")

    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        return self.describe_pulled(body)

    @abstractmethod
    def describe_pulled(self, payload: dict[str, Any]) -> DeliveryInfo:
        """Delivery id, event type and queue of one pulled record; ``ValidationFailed`` names bad
        fields (the record is then skipped and reported, never half enqueued)."""
