"""Return policy (pure): the window per channel, eligible items, and quantities against what was bought.

A return is judged against the order the goods were bought on and every other return of that order
already accepted: a SKU may come back at most `bought - already returned` units in all. A refused
return says why, one reason per problem, so the returns platform and an operator can tell the
customer. Nothing here reads a clock or a table: `now`, the order and the earlier returns come in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from functions.returns.models.returns import (
    AcceptedLine,
    PolicyDecision,
    PurchasedOrder,
    ReturnRequest,
)

DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ReturnPolicy:
    """What the retailer allows. Windows in days per channel the goods were bought on."""

    window_days: Mapping[str, int] = field(
        default_factory=lambda: {"shopify": 30, "amazon": 30, "walmart": 90, "ebay": 30, "square": 30, "pos": 30}
    )
    default_window_days: int = DEFAULT_WINDOW_DAYS
    final_sale_skus: frozenset[str] = frozenset()

    def window(self, channel: str) -> timedelta:
        return timedelta(days=self.window_days.get(channel, self.default_window_days))


def already_returned(earlier_returns: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Units per SKU accepted by the order's other returns (each a `{sku: units}` mapping)."""
    totals: dict[str, int] = {}
    for accepted in earlier_returns:
        for sku, units in accepted.items():
            totals[sku] = totals.get(sku, 0) + units
    return totals


def decide(
    request: ReturnRequest,
    order: PurchasedOrder | None,
    earlier_returns: Iterable[Mapping[str, int]],
    now: datetime,
    policy: ReturnPolicy | None = None,
) -> PolicyDecision:
    """Accept the whole return or reject it with every reason (a partial acceptance would surprise
    the customer: the platform asks again with fewer units)."""
    policy = policy or ReturnPolicy()
    if order is None:
        return PolicyDecision(rejected_reasons=[f"order {request.channel}:{request.channel_order_id} is unknown"])
    reasons: list[str] = []
    if order.status == "CANCELLED":
        reasons.append(
            f"order {request.channel}:{request.channel_order_id} was cancelled: nothing was delivered to return"
        )
    deadline = order.placed_at + policy.window(order.channel)
    if request.requested_at > deadline:
        reasons.append(
            f"outside the {policy.window(order.channel).days}-day return window for {order.channel} "
            f"(ordered {order.placed_at.date().isoformat()}, requested {request.requested_at.date().isoformat()})"
        )
    bought: dict[str, int] = {}
    for bought_line in order.lines:
        bought[bought_line.sku] = bought.get(bought_line.sku, 0) + bought_line.quantity
    returned = already_returned(earlier_returns)
    requested: dict[str, int] = {}
    for line in request.lines:
        requested[line.sku] = requested.get(line.sku, 0) + line.quantity
    accepted: list[AcceptedLine] = []
    for sku, units in requested.items():
        if sku not in bought:
            reasons.append(f"{sku} was not bought on this order")
            continue
        if sku in policy.final_sale_skus:
            reasons.append(f"{sku} is final sale")
            continue
        left = bought[sku] - returned.get(sku, 0)
        if units > left:
            reasons.append(
                f"{sku}: {units} requested but only {max(left, 0)} of {bought[sku]} bought can still be returned"
            )
            continue
        accepted.append(AcceptedLine(sku=sku, quantity=units))
    if reasons:
        return PolicyDecision(rejected_reasons=reasons)
    return PolicyDecision(accepted=accepted)
