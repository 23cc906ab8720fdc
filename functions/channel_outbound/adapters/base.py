"""Base of the outbound channel adapters: canonical commands -> the channel's API calls.

One module per channel (`functions/channel_outbound/adapters/<channel>.py`) defines one subclass
decorated with `@register` (`registry.py` discovers the modules, so adding a channel is adding one
module). An adapter builds the vendor's exact request from the canonical models (`*_request`
functions, pure: what the contract tests compare with `events/<source>/outbound_<case>.json`) and
sends it through its client-side token bucket (the vendor's documented rate and burst,
`shared.rate_limit.TokenBucket`). Statuses become domain errors:
429 -> Throttled (retry after `Retry-After`), 5xx / timeouts -> Unavailable (retry),
other 4xx -> Rejected (permanent: traced and dead-lettered, never retried).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

from shared.channels.clients.paced import PacedConnector
from shared.errors import Rejected, Throttled
from shared.rate_limit import OutOfTime

if TYPE_CHECKING:
    import httpx

    from functions.channel_outbound.logic.lines import ShippedLine
    from functions.channel_outbound.settings import OutboundSettings
    from shared.models import Order, Shipment

# Longest a call waits for its own token bucket before giving the message back to the queue.
MAX_BUCKET_WAIT_SECONDS = 5.0
# A call that sends a JSON body and reads a JSON answer (the vendors that need no other header).
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True)
class VendorRequest:
    """One vendor call, as the vendor documents it."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    """What the channel answered, for the trace and the marker (its fulfillment id, status...)."""

    calls: int
    reference: str | None = None


class ChannelOutbound(PacedConnector):
    acknowledges: ClassVar[bool] = False  # does the channel need accepted orders acknowledged?

    base_url_setting: ClassVar[str]  # the settings field with the channel's API base URL

    @classmethod
    def from_settings(cls, settings: OutboundSettings) -> Self | None:
        """The configured adapter, or None when the channel's base URL (or id) is not set."""
        base_url: str | None = getattr(settings, cls.base_url_setting)
        options = cls.options(settings, base_url) if base_url else None
        if not base_url or options is None:
            return None
        return cls(base_url, timeout=settings.channel_timeout_seconds, **options)

    @classmethod
    def options(cls, settings: OutboundSettings, base_url: str) -> dict[str, Any] | None:
        """What the adapter is built with besides its base URL and timeout (its token, its ids);
        None when an id it needs is not set."""
        raise NotImplementedError

    # What each channel provides -------------------------------------------------------------------

    def acknowledge(self, order: Order) -> Sent:
        """Acknowledge an accepted order (only channels with `acknowledges = True`)."""
        raise NotImplementedError

    def confirm_shipment(self, order: Order, shipment: Shipment, lines: list[ShippedLine]) -> Sent:
        """Tell the channel the shipment left, with its carrier and tracking number."""
        raise NotImplementedError

    # Plumbing ---------------------------------------------------------------------------------------

    def _call(self, request: VendorRequest, headers: dict[str, str]) -> httpx.Response:
        try:
            self.bucket.acquire(1.0, deadline=self.clock() + MAX_BUCKET_WAIT_SECONDS)
        except OutOfTime as exc:
            raise Throttled(f"{self.channel}: client-side rate limit", retry_after=1.0, system=self.channel) from exc
        kwargs: dict[str, Any] = {"headers": headers}
        if request.params:
            kwargs["params"] = request.params
        if request.body is not None:
            kwargs["json"] = request.body
        return self._send(request.method, request.path, **kwargs)


def tracking_required(channel: str, shipment: Shipment) -> tuple[str, str]:
    """(carrier, tracking number) for a channel that refuses a confirmation without them."""
    if not shipment.carrier or not shipment.tracking_number:
        raise Rejected(
            f"{channel} needs a carrier and a tracking number; shipment {shipment.shipment_id} has none", system=channel
        )
    return shipment.carrier, shipment.tracking_number
