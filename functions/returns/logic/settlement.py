"""After the inspection (pure): a disposition per line, its inventory movements, and the refund.

- What the warehouse found decides the disposition: resellable -> RESTOCK, refurbish -> REFURBISH,
  damaged -> QUARANTINE (LIQUIDATE for SKUs the retailer sells off as a lot), unsellable -> SCRAP.
- Only units both accepted by policy and found by the inspection count: an inspection that finds
  fewer units than announced refunds and restocks only what arrived; extra units are reported,
  never refunded.
- Inventory: RESTOCK is `return_to_stock` (on hand, sellable, republished by the inventory
  service); REFURBISH and QUARANTINE put units on hand as damaged (`damage` first, then
  `return_to_stock`, so the position is never briefly sellable); SCRAP and LIQUIDATE never enter
  stock.
- Exchanges: units the customer swapped for another item are credited like a refund (the same
  per-line amounts, in the ERP credit memo) but not paid back: their credit pays the replacement.
- Refund per line: merchandise (unit price less the line's discount share) plus the line's tax
  share reversed, less the restocking fee policy sets for that condition; unsellable units are not
  refunded. Shares are rounded half up to the currency's cents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from functions.returns.models.returns import (
    AcceptedLine,
    Condition,
    Disposition,
    DispositionLine,
    Inspection,
    PurchasedOrder,
    RefundComputation,
    RefundLine,
)
from shared.models.money import Money
from shared.models.movement_kind import MovementKind

CENT = Decimal("0.01")

_DISPOSITION = {
    Condition.RESELLABLE: Disposition.RESTOCK,
    Condition.REFURBISH: Disposition.REFURBISH,
    Condition.DAMAGED: Disposition.QUARANTINE,
    Condition.UNSELLABLE: Disposition.SCRAP,
}

# The movements each disposition makes at the inspecting location, in the order they are sent.
MOVEMENTS: dict[Disposition, tuple[MovementKind, ...]] = {
    Disposition.RESTOCK: (MovementKind.RETURN_TO_STOCK,),
    Disposition.REFURBISH: (MovementKind.DAMAGE, MovementKind.RETURN_TO_STOCK),
    Disposition.QUARANTINE: (MovementKind.DAMAGE, MovementKind.RETURN_TO_STOCK),
    Disposition.SCRAP: (),
    Disposition.LIQUIDATE: (),
}


@dataclass(frozen=True)
class SettlementPolicy:
    # Share of the merchandise kept as a restocking fee, per condition found.
    restocking_fee_rates: Mapping[Condition, Decimal] = field(
        default_factory=lambda: {Condition.REFURBISH: Decimal("0.10")}
    )
    refunded_conditions: frozenset[Condition] = frozenset(
        {Condition.RESELLABLE, Condition.REFURBISH, Condition.DAMAGED}
    )
    liquidate_skus: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Movement:
    kind: MovementKind
    sku: str
    quantity: int


def dispositions(
    accepted: list[AcceptedLine], inspection: Inspection, policy: SettlementPolicy | None = None
) -> tuple[list[DispositionLine], dict[str, int]]:
    """The disposition lines (units capped at what policy accepted) and the units found beyond it."""
    policy = policy or SettlementPolicy()
    left = {line.sku: line.quantity for line in accepted}
    out: list[DispositionLine] = []
    extra: dict[str, int] = {}
    for line in inspection.lines:
        units = min(line.quantity, left.get(line.sku, 0))
        if line.quantity > units:
            extra[line.sku] = extra.get(line.sku, 0) + line.quantity - units
        if units == 0:
            continue
        left[line.sku] -= units
        disposition = _DISPOSITION[line.condition]
        if disposition is Disposition.QUARANTINE and line.sku in policy.liquidate_skus:
            disposition = Disposition.LIQUIDATE
        out.append(
            DispositionLine(
                sku=line.sku,
                quantity=units,
                condition=line.condition,
                disposition=disposition,
                refundable=line.condition in policy.refunded_conditions,
            )
        )
    return out, extra


def split_exchanged(
    lines: list[DispositionLine], wanted: Mapping[str, int]
) -> tuple[list[DispositionLine], list[DispositionLine]]:
    """The disposition lines split into those refunded and those exchanged (`wanted` units per SKU).

    Only units the inspection accepted for a refund can be exchanged: a unit found unsellable is
    neither refunded nor replaced (the customer is told through the returns platform), and an
    inspection that finds fewer units than announced exchanges only those that arrived."""
    left = dict(wanted)
    refunded: list[DispositionLine] = []
    exchanged: list[DispositionLine] = []
    for line in lines:
        units = min(line.quantity, left.get(line.sku, 0)) if line.refundable else 0
        if units:
            left[line.sku] -= units
            exchanged.append(line.model_copy(update={"quantity": units}))
        if line.quantity > units:
            refunded.append(line.model_copy(update={"quantity": line.quantity - units}))
    return refunded, exchanged


def movements(lines: list[DispositionLine]) -> list[Movement]:
    return [Movement(kind, line.sku, line.quantity) for line in lines for kind in MOVEMENTS[line.disposition]]


def _share(total: Money | None, units: int, of_units: int, currency: str) -> Decimal:
    if total is None or of_units == 0:
        return Decimal(0)
    if total.currency != currency:
        raise ValueError(f"{total.currency} amount on a {currency} order")
    return (total.amount * units / of_units).quantize(CENT, rounding=ROUND_HALF_UP)


def refund(
    lines: list[DispositionLine], order: PurchasedOrder, policy: SettlementPolicy | None = None
) -> RefundComputation:
    """The refund of the refundable disposition lines, tax reversed per line, fees deducted."""
    policy = policy or SettlementPolicy()
    currency = order.currency
    bought = {line.sku: line for line in order.lines}
    out: list[RefundLine] = []
    for line in lines:
        purchased = bought.get(line.sku)
        if not line.refundable or purchased is None:
            continue
        gross = (purchased.unit_price.amount * line.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
        merchandise = gross - _share(purchased.discount, line.quantity, purchased.quantity, currency)
        tax = _share(purchased.tax, line.quantity, purchased.quantity, currency)
        rate = policy.restocking_fee_rates.get(line.condition, Decimal(0))
        fee = (merchandise * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        out.append(
            RefundLine(
                sku=line.sku,
                quantity=line.quantity,
                line_id=purchased.line_id,
                merchandise=Money(amount=merchandise, currency=currency),
                tax=Money(amount=tax, currency=currency),
                fee=Money(amount=fee, currency=currency),
            )
        )
    return RefundComputation(currency=currency, lines=out)
