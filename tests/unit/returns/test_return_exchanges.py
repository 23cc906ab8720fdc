"""Exchanges through ReturnFlow's steps (in-memory ports): the exchanged unit is credited, never
refunded, and its replacement order is sent once, only after the inspection found the unit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from functions.returns.logic.flow_steps import ReturnSteps
from functions.returns.models.returns import Condition, RequestedLine, ReturnRequest, ReturnState
from shared.models.money import Money
from shared.models.orders import REPLACEMENT_ORDER_EVENT, Order, order_id_for
from shared.models.returns import ExchangeItem
from tests.unit.returns.support import loop_request
from tests.unit.returns.test_return_steps import PLACED, inspection, steps  # noqa: F401  (fixture)


class Orders:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def place(self, envelope: dict[str, Any]) -> None:
        self.sent.append(envelope)


def _pink(order_id: str | None = None) -> ExchangeItem:
    return ExchangeItem(
        sku="A-PINK",
        unit_price=Money(amount="25.00", currency="USD"),
        tax=Money(amount="2.00", currency="USD"),
        title="A in pink",
        exchange_id="3345",
        order_id=order_id,
    )


def _request(return_id: str, *, refund: int, exchange: int, order_id: str | None = None) -> ReturnRequest:
    lines = []
    if refund:
        lines.append(RequestedLine(sku="A", quantity=refund))
    if exchange:
        lines.append(RequestedLine(sku="A", quantity=exchange, exchange=_pink(order_id)))
    return loop_request(return_id, PLACED + timedelta(days=4), *lines)


def _run(run: ReturnSteps, key: str, found: int, condition: str = "resellable") -> None:
    run.authorize(key)
    run.await_inspection(key, "token-1")
    found_event = inspection(key, found).model_copy(
        update={"lines": [inspection(key, found).lines[0].model_copy(update={"condition": Condition(condition)})]}
    )
    run.inspection_reported(found_event)
    run.settle(key, found_event)
    run.post_refund(key)
    run.report_outcome(key)


@pytest.fixture
def orders(steps: ReturnSteps) -> Orders:  # noqa: F811
    steps.orders = Orders()
    return steps.orders


def test_an_exchanged_unit_is_credited_not_refunded_and_its_replacement_ordered_once(
    steps: ReturnSteps,  # noqa: F811
    orders: Orders,
) -> None:
    # GIVEN a return of both units of a line: one for money, one exchanged for another colour
    assert steps.apply_policy(_request("X1", refund=1, exchange=1))["approved"]
    # WHEN the warehouse finds both, and every step runs again (Step Functions retries)
    _run(steps, "loop:X1", 2)
    _run(steps, "loop:X1", 2)

    # THEN only the refunded unit is paid back; the memo credits both and names the replacement
    case = steps.store.get("loop:X1")
    assert case is not None and case.status is ReturnState.REFUNDED
    assert steps.channel_refunds.refunds == [("refund-loop:X1", "27.00")]  # type: ignore[union-attr]
    assert case.refund.exchange_credit == "27.00"
    memo = steps.erp.records[("creditMemo", "refund-loop:X1")]  # type: ignore[union-attr]
    assert memo["total"] == "54.00"
    assert [line.get("description") for line in memo["item"]["items"]] == [None, "exchanged"]
    replacement_id = order_id_for("loop", "X1-exchange")
    assert memo["memo"] == f"exchange: credit applied to order {replacement_id}"

    # AND one replacement order on the orders queue, to the same customer, placed at the inspection
    [envelope] = orders.sent
    assert envelope["event_type"] == REPLACEMENT_ORDER_EVENT and envelope["event_id"] == "exchange-loop:X1"
    assert envelope["correlation_id"] == "corr-12345678"
    order = Order.model_validate(envelope["payload"])
    assert (order.channel, order.channel_order_id, order.order_id) == ("loop", "X1-exchange", replacement_id)
    assert [(line.sku, line.quantity, str(line.unit_price.amount)) for line in order.lines] == [("A-PINK", 1, "25.00")]
    assert order.placed_at == PLACED + timedelta(days=6)
    # both units restocked: the exchanged one came back too
    assert [e["payload"]["quantity"] for e in steps.inventory.sent] == [2]  # type: ignore[union-attr]


def test_an_exchange_whose_unit_never_arrived_ships_nothing_and_refunds_what_came(
    steps: ReturnSteps,  # noqa: F811
    orders: Orders,
) -> None:
    # GIVEN one unit announced for money and one for exchange; only one unit reaches the warehouse
    assert steps.apply_policy(_request("X2", refund=1, exchange=1))["approved"]
    _run(steps, "loop:X2", 1)
    # THEN the unit found goes to the exchange first (the customer asked for it), nothing is refunded
    case = steps.store.get("loop:X2")
    assert case is not None and case.refund.amount == "0" and steps.channel_refunds.refunds == []  # type: ignore[union-attr]
    assert len(orders.sent) == 1
    assert case.status is ReturnState.CLOSED


def test_an_exchanged_unit_found_unsellable_is_neither_refunded_nor_replaced(
    steps: ReturnSteps,  # noqa: F811
    orders: Orders,
) -> None:
    assert steps.apply_policy(_request("X3", refund=0, exchange=1))["approved"]
    _run(steps, "loop:X3", 1, condition="unsellable")
    case = steps.store.get("loop:X3")
    assert case is not None and case.replacement is None and orders.sent == []
    assert steps.channel_refunds.refunds == [] and ("creditMemo", "refund-loop:X3") not in steps.erp.records  # type: ignore[union-attr]
    assert case.status is ReturnState.CLOSED


def test_an_exchange_the_platform_already_ordered_is_that_channel_order(
    steps: ReturnSteps,  # noqa: F811
    orders: Orders,
) -> None:
    # GIVEN Loop names the Shopify order it made for the exchange
    assert steps.apply_policy(_request("X4", refund=0, exchange=2, order_id="5550001"))["approved"]
    _run(steps, "loop:X4", 2)
    # THEN the replacement is that Shopify order (its own orders/create is the same order id)
    [envelope] = orders.sent
    order = Order.model_validate(envelope["payload"])
    assert (order.channel, order.channel_order_id) == ("shopify", "5550001")
    assert order.order_id == order_id_for("shopify", "5550001")
    assert [(line.sku, line.quantity, str(line.tax.amount if line.tax else None)) for line in order.lines] == [
        ("A-PINK", 2, "4.00")
    ]


def test_a_return_policy_refuses_asks_for_no_replacement(
    steps: ReturnSteps,  # noqa: F811
    orders: Orders,
) -> None:
    # GIVEN a first return took one of the two units; a second asks to exchange two
    assert steps.apply_policy(_request("X5a", refund=1, exchange=0))["approved"]
    assert not steps.apply_policy(_request("X5b", refund=0, exchange=2))["approved"]
    # THEN the refused one keeps no exchange to ship
    case = steps.store.get("loop:X5b")
    assert case is not None and case.status is ReturnState.REJECTED and case.exchanges == []
