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

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from shared.adapters.http import HttpConnector
from shared.adapters.tokens import TokenAuth
from shared.errors import Rejected, Throttled
from shared.rate_limit import OutOfTime, TokenBucket

if TYPE_CHECKING:
    import httpx

    from functions.channel_outbound.logic.lines import ShippedLine
    from functions.channel_outbound.settings import OutboundSettings
    from shared.models import Order, Shipment

# Longest a call waits for its own token bucket before giving the message back to the queue.
MAX_BUCKET_WAIT_SECONDS = 5.0


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


class ChannelOutbound(HttpConnector):
    channel: ClassVar[str]
    acknowledges: ClassVar[bool] = False  # does the channel need accepted orders acknowledged?
    rate_per_second: ClassVar[float]
    burst: ClassVar[float]

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        token_auth: TokenAuth | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, client=client, token_auth=token_auth)
        self.clock = clock
        self.bucket = TokenBucket(self.rate_per_second, self.burst, clock, sleep)

    @classmethod
    def from_settings(cls, settings: OutboundSettings) -> ChannelOutbound | None:
        """The configured adapter, or None when the channel's base URL (or id) is not set."""
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
