"""Base of the connectors that write to a channel (stock, prices, shipment confirmations): the
HTTP connector (`shared.adapters.http`: one client, statuses mapped to the error family, a minted
token sent and re-minted once when refused) paced by a client-side token bucket at the vendor's
documented rate and burst (`shared.rate_limit.TokenBucket`), and the per-item refusals a vendor
lists in a 200 answer read one way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from shared.adapters.http import HttpConnector
from shared.channels.clients._token import Token, read_token
from shared.rate_limit import TokenBucket

if TYPE_CHECKING:
    import httpx

    from shared.adapters.tokens import TokenAuth


class Listed(Protocol):
    """An update for one item: our SKU and the channel's key for it."""

    @property
    def sku(self) -> str: ...

    @property
    def listing_id(self) -> str: ...


class PacedConnector(HttpConnector):
    """A channel connector whose calls first take their tokens from `bucket` (`rate_per_second`,
    `burst`: the vendor's documented limits, which the connector module cites)."""

    channel: ClassVar[str]
    rate_per_second: ClassVar[float]
    burst: ClassVar[float]

    def __init__(
        self,
        base_url: str,
        *,
        token_auth: TokenAuth | None = None,
        access_token: Token | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(base_url, timeout=timeout, client=client, token_auth=token_auth)
        # A static token (Shopify's custom-app token does not expire), or how to read it when a call
        # is made (shared/channels/clients/_token.py); minted tokens come in `token_auth`.
        self._access_token = access_token
        self.clock = clock
        rate, burst = self.pace()
        self.bucket = TokenBucket(rate, burst, clock, sleep)

    def pace(self) -> tuple[float, float]:
        """The bucket's rate per second and burst."""
        return self.rate_per_second, self.burst

    @property
    def access_token(self) -> str | None:
        return None if self._access_token is None else read_token(self._access_token)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None


def refused_items(
    batch: Sequence[Listed],
    results: Iterable[dict[str, Any]],
    listing_of: Callable[[dict[str, Any]], Any],
    refusal: Callable[[dict[str, Any]], str | None],
) -> dict[str, str]:
    """SKU -> the channel's reason, for each per-item result of a call that refuses one of `batch`'s
    items (`listing_of` names the item as the channel keys it; `refusal` is None for an accepted one)."""
    by_listing = {update.listing_id: update.sku for update in batch}
    refused: dict[str, str] = {}
    for result in results:
        reason = refusal(result)
        listing = listing_of(result)
        if reason is not None and listing in by_listing:
            refused[by_listing[listing]] = reason
    return refused
