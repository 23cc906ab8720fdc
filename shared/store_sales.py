"""Store sales (pure): a completed sale at a store's till takes its units off on hand there, once.

A till sale already happened: the customer walked out with the goods. So it is never reserved,
never held and never refused (docs/inventory.md, "Store sales"):
- on hand at the store falls by the units sold, once per sale line (a marker per line and
  position, `MOVEMENT#store-sale:<order_id>:<line_id>`), whatever is delivered again;
- `reserved` is left alone (online orders' holds at the store stay what they were);
- on hand never goes below zero: what the count did not cover (the till sold units our books did
  not have) becomes a variance for reconciliation (`sale_exceeded_count`), not a refusal;
- sequence-safe against the store's counts, by time: the POS has no place in the WMS's sequence,
  so a sale is compared with the last count by the sale's time (`counted_at_ms`). A sale not newer
  than the last count is already in it (nothing changes); a sale newer than the count applies and
  records `sold_through_ms`, and a count taken before that sale then no longer overwrites it (the
  count paths refuse it as stale, as they refuse a WMS count older than later movements).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from shared.errors import ConcurrentModification
from shared.models import InventoryPosition, Order

# Channels whose orders are completed sales at a store's till: the Square adapter emits an order
# only once Square reports it COMPLETED (the goods have left), the POS files hold rung-up sales.
STORE_SALE_CHANNELS = frozenset({"square", "pos"})
VARIANCE_REASON = "sale_exceeded_count"


def is_store_sale(order: Order) -> bool:
    """A completed till sale at a known store (online orders at a store are reserved as usual)."""
    return order.channel in STORE_SALE_CHANNELS and order.fulfilment_location_id is not None


def sold_at(order: Order) -> datetime:
    """When the goods left the store: Square's completion time, the POS row's time."""
    return order.source_updated_at or order.placed_at


def epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def sale_event_id(order: Order, line_id: str) -> str:
    """The marker id of one sale line: the same for every delivery of the same sale."""
    return f"store-sale:{order.order_id}:{line_id}"


@dataclass(frozen=True)
class SaleLine:
    event_id: str
    quantity: int


def sale_lines_by_sku(order: Order) -> dict[str, list[SaleLine]]:
    """The order's lines per SKU, each with its marker id."""
    out: dict[str, list[SaleLine]] = {}
    for line in order.lines:
        out.setdefault(line.sku, []).append(SaleLine(sale_event_id(order, line.line_id), line.quantity))
    return out


@dataclass(frozen=True)
class SalePlan:
    """What one SKU's sale lines do to the store's position.

    `position` is the position to write (None: nothing changes, the sale is in the last count);
    `taken` the units on hand fell by; `shortfall` the units sold that our count did not hold.
    """

    sku: str
    location_id: str
    lines: tuple[SaleLine, ...]
    current: InventoryPosition | None
    position: InventoryPosition | None
    taken: int = 0
    shortfall: int = 0

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def stale(self) -> bool:
        return self.position is None


def plan_sale(
    current: InventoryPosition | None,
    sku: str,
    location_id: str,
    lines: Iterable[SaleLine],
    sale_ms: int,
    at: datetime,
) -> SalePlan:
    """The position after these (not yet applied) sale lines: on hand less what it covers, never below zero."""
    lines = tuple(lines)
    quantity = sum(line.quantity for line in lines)
    if current is not None and current.counted_at_ms and sale_ms <= current.counted_at_ms:
        return SalePlan(sku, location_id, lines, current, None)
    base = current or InventoryPosition(sku=sku, location_id=location_id, count_sequence=-1)
    taken = min(quantity, base.on_hand)
    position = base.model_copy(
        update={
            "on_hand": base.on_hand - taken,
            "sold_through_ms": max(base.sold_through_ms, sale_ms),
            "version": base.version + 1,
            "updated_at": at,
        }
    )
    return SalePlan(sku, location_id, lines, current, position, taken=taken, shortfall=quantity - taken)


class CommitOutcome(StrEnum):
    COMMITTED = "COMMITTED"
    DUPLICATE = "DUPLICATE"  # a marker of these lines exists: this sale was applied before
    CONFLICT = "CONFLICT"  # the position changed since it was read: read again


class StoreSaleStore(Protocol):
    """The state-table operations (DynamoDB in shared/adapters/store_sale_store.py, a dict in tests)."""

    def get_positions(self, location_id: str, skus: Iterable[str]) -> dict[str, InventoryPosition]: ...

    def commit_sale(self, plan: SalePlan, variance: dict[str, Any] | None, at: datetime) -> CommitOutcome:
        """Markers of the plan's lines, the position (unless stale) and the variance, in one transaction."""
        ...


@dataclass
class SaleOutcome:
    """Per SKU: applied (on hand fell), stale (already in the last count) or duplicate (applied before)."""

    applied: dict[str, int] = field(default_factory=dict)  # sku -> units taken off on hand
    shortfall: dict[str, int] = field(default_factory=dict)  # sku -> units the count did not hold
    stale: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    positions: list[InventoryPosition] = field(default_factory=list)


def variance_record(order: Order, plan: SalePlan, correlation_id: str) -> dict[str, Any]:
    """The reconciliation exception for units sold beyond the count (`GET /v1/ops/exceptions`).

    In the exceptions' terms: ours is our on hand after the sale (0), theirs what the till's sale
    implies (minus the shortfall), units the difference. Only a count can correct it (keep_ours
    closes it; the next WMS count or reconciliation run sets the real figure).
    """
    assert plan.position is not None
    return {
        "sku": plan.sku,
        "location_id": plan.location_id,
        "source": order.channel,
        "ours": plan.position.on_hand,
        "theirs": plan.position.on_hand - plan.shortfall,
        "units": -plan.shortfall,
        "run_id": f"store-sale:{order.order_id}",
        "reason": f"{VARIANCE_REASON}: the till sold {plan.quantity}, our count held {plan.taken}",
        "order_id": order.order_id,
        "channel_order_id": order.channel_order_id,
        "correlation_id": correlation_id,
        "position_version": plan.position.version,
    }


def apply_store_sale(
    order: Order,
    store: StoreSaleStore,
    correlation_id: str,
    now: Callable[[], datetime],
    max_attempts: int = 5,
) -> SaleOutcome:
    """Take the sale's units off on hand at its store, once; ConcurrentModification when races keep winning."""
    location_id = order.fulfilment_location_id
    if location_id is None:
        raise ValueError(f"store sale {order.order_id} names no store")
    sale_ms = epoch_ms(sold_at(order))
    by_sku = sale_lines_by_sku(order)
    outcome = SaleOutcome()
    for sku, lines in sorted(by_sku.items()):
        for _ in range(max_attempts):
            current = store.get_positions(location_id, [sku]).get(sku)
            at = now()
            plan = plan_sale(current, sku, location_id, lines, sale_ms, at)
            variance = variance_record(order, plan, correlation_id) if plan.shortfall else None
            result = store.commit_sale(plan, variance, at)
            if result is CommitOutcome.CONFLICT:
                continue
            if result is CommitOutcome.DUPLICATE:
                outcome.duplicate.append(sku)
            elif plan.position is None:
                outcome.stale.append(sku)
            else:
                outcome.applied[sku] = plan.taken
                outcome.positions.append(plan.position)
                if plan.shortfall:
                    outcome.shortfall[sku] = plan.shortfall
            break
        else:
            raise ConcurrentModification(
                f"position {sku}@{location_id} kept changing under store sale {order.order_id}"
            )
    return outcome
