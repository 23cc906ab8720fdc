"""Match a payout's lines to our orders and refunds: pure, no I/O.

Per order the payout names:
- unknown to us: its lines are unmatched (one `unmatched` variance for the order; the journal
  posts them to suspense, never to revenue);
- sales: what the buyer paid (the sale lines: goods, tax, shipping, promotions) against our order
  (`Order.total` + `Order.shipping`), an `amount` variance beyond the tolerance;
- refunds: against the refunds we recorded for the order when we have them, else netted against
  the order (a `refund` variance only when more is refunded than was sold);
- fees: each fee type with a rule in the channel's schedule against that rule on the order's
  sales (refund-related fees, which carry the refund's reference, are not checked), a `fee`
  variance beyond the tolerance; every fee is kept per order and type (margin per order).
Per payout: the lines against the channel's declared payout amount (`payout_total`), and that
against the bank's deposit when a bank feed gives one (`deposit`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from functions.finance.models.rules import FeeRule
from shared.models.money import Money
from shared.models.orders import Order
from shared.models.settlement import (
    FeeType,
    LineKind,
    OrderSettlement,
    Payout,
    PayoutReconciliation,
    SaleComponent,
    SettlementLine,
    SettlementVariance,
    VarianceKind,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class Matched:
    reconciliation: PayoutReconciliation
    orders: list[OrderSettlement]


def expected_sale(order: Order) -> Decimal:
    """What the buyer paid for the order: goods net of discounts, tax, shipping."""
    return order.total.amount + (order.shipping.amount if order.shipping else ZERO)


def _sum(lines: Sequence[SettlementLine]) -> Decimal:
    return sum((line.amount.amount for line in lines), ZERO)


def match_payout(
    payout: Payout,
    orders: Mapping[str, Order | None],
    refunds: Mapping[str, Sequence[Money]],
    schedule: Sequence[FeeRule],
    tolerance: Decimal,
    deposit_amount: Decimal | None = None,
) -> Matched:
    """The payout's reconciliation and what it says per order (see the module docstring)."""
    currency = payout.currency
    by_order: dict[str, list[SettlementLine]] = defaultdict(list)
    loose: list[SettlementLine] = []
    for line in payout.lines:
        (by_order[line.channel_order_id] if line.channel_order_id else loose).append(line)

    variances: list[SettlementVariance] = []
    fees: dict[FeeType, Decimal] = defaultdict(lambda: ZERO)
    per_order: list[OrderSettlement] = []
    expected = reported = unmatched = reserve = adjustments = ZERO
    matched_lines = 0

    def variance(kind: VarianceKind, got: Decimal, want: Decimal | None, detail: str, **extra: object) -> None:
        variances.append(
            SettlementVariance(
                kind=kind,
                currency=currency,
                reported=got,
                expected=want,
                difference=None if want is None else got - want,
                detail=detail,
                **extra,  # type: ignore[arg-type]
            )
        )

    for line in loose:
        if line.kind is LineKind.FEE:
            fees[line.fee_type or FeeType.OTHER] += line.amount.amount
        elif line.kind is LineKind.RESERVE:
            reserve += line.amount.amount
        else:
            adjustments += line.amount.amount
        matched_lines += 1  # a line of the account, not of an order: nothing to match it to

    for channel_order_id, lines in sorted(by_order.items()):
        order = orders.get(channel_order_id)
        sales = [line for line in lines if line.kind is LineKind.SALE]
        refund_lines = [line for line in lines if line.kind is LineKind.REFUND]
        order_fees: dict[FeeType, Decimal] = defaultdict(lambda: ZERO)
        for line in lines:
            if line.kind in (LineKind.FEE, LineKind.RESERVE):
                order_fees[line.fee_type or FeeType.OTHER] += line.amount.amount
        sold, refunded = _sum(sales), _sum(refund_lines)
        settlement = OrderSettlement(
            channel=payout.channel,
            channel_order_id=channel_order_id,
            payout_id=payout.payout_id,
            currency=currency,
            matched=order is not None,
            sales=sold,
            refunds=refunded,
            fees=dict(order_fees),
            net=_sum(lines),
        )
        if order is None:
            unmatched += _sum(lines)
            variance(
                VarianceKind.UNMATCHED,
                _sum(lines),
                None,
                f"{payout.channel} order {channel_order_id} is not one of ours ({len(lines)} lines)",
                channel_order_id=channel_order_id,
            )
            per_order.append(settlement)
            continue
        matched_lines += len(lines)
        for fee_type, amount in order_fees.items():
            if fee_type is FeeType.RESERVE:
                reserve += amount
            else:
                fees[fee_type] += amount
        reported += sold + refunded
        if order.currency != currency:
            variance(
                VarianceKind.AMOUNT,
                sold,
                None,
                f"order {channel_order_id} is in {order.currency}, the payout in {currency}",
                channel_order_id=channel_order_id,
            )
            continue
        if sales:
            want = expected_sale(order)
            expected += want
            if abs(sold - want) > tolerance:
                variance(
                    VarianceKind.AMOUNT,
                    sold,
                    want,
                    f"the buyer paid {sold} {currency} for order {channel_order_id}, our order says {want}",
                    channel_order_id=channel_order_id,
                )
            base = sum((line.amount.amount for line in sales if line.component in _FEE_BASE), ZERO)
            for rule in schedule:
                got = sum(
                    (
                        line.amount.amount
                        for line in lines
                        if line.kind is LineKind.FEE and line.fee_type is rule.fee_type and line.refund_ref is None
                    ),
                    ZERO,
                )
                want_fee = -rule.expected(base, len(sales) if rule.fixed else 0)
                if abs(got - want_fee) > tolerance:
                    variance(
                        VarianceKind.FEE,
                        got,
                        want_fee,
                        f"{rule.fee_type.value} on order {channel_order_id} is {got}, the schedule says {want_fee}",
                        channel_order_id=channel_order_id,
                        fee_type=rule.fee_type,
                    )
        if refund_lines:
            recorded = [money.amount for money in refunds.get(channel_order_id, ()) if money.currency == currency]
            if recorded:
                want_refund = -sum(recorded, ZERO)
                expected += want_refund
                if abs(refunded - want_refund) > tolerance:
                    variance(
                        VarianceKind.REFUND,
                        refunded,
                        want_refund,
                        f"{-refunded} {currency} refunded on order {channel_order_id}, we recorded {-want_refund}",
                        channel_order_id=channel_order_id,
                    )
            else:
                # Netted against the order: fine while no more is refunded than the buyer paid.
                expected += refunded
                if -refunded > expected_sale(order) + tolerance:
                    variance(
                        VarianceKind.REFUND,
                        refunded,
                        -expected_sale(order),
                        f"{-refunded} {currency} refunded on order {channel_order_id}, more than it sold for",
                        channel_order_id=channel_order_id,
                    )
        per_order.append(settlement)

    lines_total = payout.lines_total
    if abs(lines_total - payout.reported_total.amount) > tolerance:
        variance(
            VarianceKind.PAYOUT_TOTAL,
            lines_total,
            payout.reported_total.amount,
            f"the lines add up to {lines_total} {currency}, the channel pays {payout.reported_total.amount}",
        )
    if deposit_amount is not None and abs(deposit_amount - payout.reported_total.amount) > tolerance:
        variance(
            VarianceKind.DEPOSIT,
            deposit_amount,
            payout.reported_total.amount,
            f"the bank received {deposit_amount} {currency}, the payout is {payout.reported_total.amount}",
        )
    reconciliation = PayoutReconciliation(
        channel=payout.channel,
        payout_id=payout.payout_id,
        currency=currency,
        expected=expected,
        reported=reported,
        fees={k: v for k, v in sorted(fees.items()) if v},
        reserve=reserve,
        unmatched=unmatched,
        adjustments=adjustments,
        lines_total=lines_total,
        payout_amount=payout.reported_total.amount,
        deposit_amount=deposit_amount,
        lines=len(payout.lines),
        matched_lines=matched_lines,
        variances=variances,
    )
    return Matched(reconciliation, per_order)


# The sale components a percentage fee is charged on (tax and shipping are not, for the referral fee;
# a Shopify charge is one gross amount).
_FEE_BASE = {SaleComponent.PRINCIPAL, SaleComponent.PROMOTION, SaleComponent.GROSS}
