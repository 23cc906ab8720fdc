"""Disposition, inventory movements and refund after the inspection."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from functions.returns.logic.settlement import SettlementPolicy, dispositions, movements, refund
from functions.returns.models.returns import (
    AcceptedLine,
    Condition,
    Disposition,
    InspectedLine,
    Inspection,
    PurchasedLine,
)
from shared.models.inventory import MovementKind
from shared.models.money import Money
from tests.unit.returns.support import shopify_order

AT = datetime(2026, 11, 5, tzinfo=UTC)


def inspection(*lines: tuple[str, int, Condition]) -> Inspection:
    return Inspection(
        event_id="wms-insp-1",
        return_key="loop:R-1",
        location_id="dc-east",
        sequence=10,
        lines=[InspectedLine(sku=sku, quantity=units, condition=condition) for sku, units, condition in lines],
        occurred_at=AT,
    )


ORDER = shopify_order(
    AT,
    PurchasedLine(
        sku="A",
        quantity=3,
        unit_price=Money(amount="19.99", currency="USD"),
        tax=Money(amount="4.80", currency="USD"),
        discount=Money(amount="3.00", currency="USD"),
    ),
    PurchasedLine(sku="B", quantity=1, unit_price=Money(amount="50.00", currency="USD")),
)


def test_inspection_with_fewer_units_than_announced_settles_only_what_arrived() -> None:
    lines, extra = dispositions([AcceptedLine(sku="A", quantity=3)], inspection(("A", 2, Condition.RESELLABLE)))
    assert [(line.sku, line.quantity, line.disposition) for line in lines] == [("A", 2, Disposition.RESTOCK)]
    assert extra == {}
    computed = refund(lines, ORDER)
    # 2 x 19.99 = 39.98, less 2/3 of the 3.00 discount, plus 2/3 of the 4.80 tax
    assert computed.lines[0].merchandise.amount == Decimal("37.98")
    assert computed.tax.amount == Decimal("3.20")
    assert computed.amount == Money(amount="41.18", currency="USD")


def test_units_beyond_what_policy_accepted_are_reported_and_never_refunded() -> None:
    lines, extra = dispositions([AcceptedLine(sku="B", quantity=1)], inspection(("B", 2, Condition.RESELLABLE)))
    assert [line.quantity for line in lines] == [1]
    assert extra == {"B": 1}
    assert refund(lines, ORDER).amount == Money(amount="50.00", currency="USD")


def test_each_condition_gets_its_disposition_and_movements() -> None:
    policy = SettlementPolicy(liquidate_skus=frozenset({"L"}))
    accepted = [AcceptedLine(sku=sku, quantity=1) for sku in ("A", "B", "C", "D", "L")]
    lines, _ = dispositions(
        accepted,
        inspection(
            ("A", 1, Condition.RESELLABLE),
            ("B", 1, Condition.REFURBISH),
            ("C", 1, Condition.DAMAGED),
            ("D", 1, Condition.UNSELLABLE),
            ("L", 1, Condition.DAMAGED),
        ),
        policy,
    )
    assert [line.disposition for line in lines] == [
        Disposition.RESTOCK,
        Disposition.REFURBISH,
        Disposition.QUARANTINE,
        Disposition.SCRAP,
        Disposition.LIQUIDATE,
    ]
    moved = [(m.sku, m.kind) for m in movements(lines)]
    assert moved == [
        ("A", MovementKind.RETURN_TO_STOCK),
        ("B", MovementKind.DAMAGE),
        ("B", MovementKind.RETURN_TO_STOCK),
        ("C", MovementKind.DAMAGE),
        ("C", MovementKind.RETURN_TO_STOCK),
    ]
    # Damaged units never become sellable: each damage movement comes before its return to stock.
    assert [line.refundable for line in lines] == [True, True, True, False, True]


def test_refurbish_pays_the_restocking_fee_and_unsellable_is_not_refunded() -> None:
    lines, _ = dispositions(
        [AcceptedLine(sku="B", quantity=1), AcceptedLine(sku="A", quantity=1)],
        inspection(("B", 1, Condition.REFURBISH), ("A", 1, Condition.UNSELLABLE)),
    )
    computed = refund(lines, ORDER)
    assert [(line.sku, line.fee.amount) for line in computed.lines] == [("B", Decimal("5.00"))]
    assert computed.amount == Money(amount="45.00", currency="USD")
