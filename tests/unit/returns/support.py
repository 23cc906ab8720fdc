"""The order and the return requests the returns tests are about: Shopify order 1001 (ord-1, USD),
returned through Loop."""

from __future__ import annotations

from datetime import datetime

from functions.returns.models.returns import PurchasedLine, PurchasedOrder, RequestedLine, ReturnRequest


def shopify_order(placed_at: datetime, *lines: PurchasedLine) -> PurchasedOrder:
    """Shopify order 1001 as the returns store keeps it, with `lines`."""
    return PurchasedOrder(
        order_id="ord-1",
        channel="shopify",
        channel_order_id="1001",
        currency="USD",
        placed_at=placed_at,
        lines=list(lines),
    )


def loop_request(return_id: str, requested_at: datetime, *lines: RequestedLine) -> ReturnRequest:
    """A return of order 1001 announced by Loop at `requested_at`, asking for `lines`."""
    return ReturnRequest(
        source="loop",
        source_return_id=return_id,
        channel="shopify",
        channel_order_id="1001",
        correlation_id="corr-12345678",
        requested_at=requested_at,
        lines=list(lines),
    )
