"""Return policy: window per channel, eligible items, quantities against bought minus returned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.returns.logic.policy import ReturnPolicy, decide
from functions.returns.models.returns import PurchasedLine, PurchasedOrder, RequestedLine, ReturnRequest
from shared.models.money import Money
from tests.unit.returns.support import loop_request, shopify_order

PLACED = datetime(2026, 11, 1, 12, tzinfo=UTC)


def order(**quantities: int) -> PurchasedOrder:
    return shopify_order(
        PLACED,
        *(
            PurchasedLine(sku=sku, quantity=units, unit_price=Money(amount="10.00", currency="USD"))
            for sku, units in quantities.items()
        ),
    )


def request(days_after: int = 3, **quantities: int) -> ReturnRequest:
    lines = (RequestedLine(sku=sku, quantity=units) for sku, units in quantities.items())
    return loop_request("R-1", PLACED + timedelta(days=days_after), *lines)


def test_partial_return_within_the_window_is_accepted_for_the_units_asked() -> None:
    decision = decide(request(A=1), order(A=3, B=1), [], now=PLACED)
    assert decision.approved
    assert [(line.sku, line.quantity) for line in decision.accepted] == [("A", 1)]


def test_second_return_may_not_exceed_what_is_left_after_the_first() -> None:
    # GIVEN 3 bought, 2 already returned by an earlier return of the same order
    decision = decide(request(A=2), order(A=3), [{"A": 2}], now=PLACED)
    assert not decision.approved
    assert decision.rejected_reasons == ["A: 2 requested but only 1 of 3 bought can still be returned"]
    assert decide(request(A=1), order(A=3), [{"A": 2}], now=PLACED).approved


def test_return_after_the_channel_window_is_rejected_with_the_window_named() -> None:
    decision = decide(request(days_after=31, A=1), order(A=1), [], now=PLACED)
    assert not decision.approved
    assert "30-day return window for shopify" in decision.rejected_reasons[0]


def test_walmart_window_is_longer_than_shopify() -> None:
    policy = ReturnPolicy()
    assert policy.window("walmart") > policy.window("shopify")


def test_item_not_on_the_order_and_final_sale_items_are_rejected_with_each_reason() -> None:
    policy = ReturnPolicy(final_sale_skus=frozenset({"B"}))
    decision = decide(request(B=1, C=1), order(A=1, B=1), [], now=PLACED, policy=policy)
    assert decision.rejected_reasons == ["B is final sale", "C was not bought on this order"]


def test_unknown_order_is_rejected() -> None:
    decision = decide(request(A=1), None, [], now=PLACED)
    assert decision.rejected_reasons == ["order shopify:1001 is unknown"]


def test_a_return_against_a_cancelled_order_is_rejected_because_nothing_was_delivered() -> None:
    cancelled = order(A=2).model_copy(update={"status": "CANCELLED"})

    decision = decide(request(A=1), cancelled, [], now=PLACED)

    assert not decision.approved
    assert decision.rejected_reasons == ["order shopify:1001 was cancelled: nothing was delivered to return"]
    assert decide(request(A=1), order(A=2).model_copy(update={"status": "ACCEPTED"}), [], now=PLACED).approved
