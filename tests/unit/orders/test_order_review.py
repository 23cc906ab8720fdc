"""Payment and fraud review (issue 10.1): an order whose payment is not money yet, or whose total is
above the review line, is reserved and waits IN_REVIEW (no ERP order, nothing to the warehouse); it
goes on when the channel reports the payment cleared or a person releases it, and a person may
cancel it."""

from __future__ import annotations

from typing import Any

import pytest

from functions.orders.handlers import record_order
from functions.orders.logic.order_lifecycle import next_status
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.held_orders import MemoryHeldOrders
from shared.adapters.trace_store import MemoryTraceStore
from shared.channels.shopify import order_from_shopify
from shared.held_retry import cancel_held_order, release_held_order, retry_held_orders
from shared.models import Order, OrderStatus
from shared.models.order_flow import FlowInput
from shared.models.orders import PaymentStatus
from shared.retry import RetryPolicy
from shared.review import FRAUD_REVIEW, PAYMENT_PENDING, load_review_rules, payment_cleared, review_reason
from tests.fakes.builders import LambdaContext, order
from tests.fakes.state_table import InMemoryStateTable
from tests.support.events import load_event
from tests.unit.orders.test_held_retry import Flow

LOC = "dc-east"
RULES = load_review_rules()
POLICY = ReservePolicy(LOC, retry=RetryPolicy(sleep=lambda _: None), review=RULES)


def _pending(channel_order_id: str = "R-1", units: int = 1) -> Order:
    return order(channel_order_id, {"SKU-1": units}, payment_status="PENDING")


@pytest.mark.parametrize(
    ("financial_status", "expected"),
    [
        ("pending", PaymentStatus.PENDING),
        ("paid", PaymentStatus.PAID),
        ("expired", PaymentStatus.EXPIRED),
        (None, None),
    ],
)
def test_shopify_financial_status_becomes_the_orders_payment_status(
    financial_status: str | None, expected: PaymentStatus | None
) -> None:
    payload = load_event("shopify/orders_create")
    payload["financial_status"] = financial_status

    assert order_from_shopify(payload).payment_status is expected


def test_a_pending_payment_and_a_basket_above_the_line_are_reviewed_a_paid_one_is_not() -> None:
    assert review_reason(_pending(), RULES) == PAYMENT_PENDING
    assert review_reason(order(price="5000.01", payment_status="PAID"), RULES) == FRAUD_REVIEW
    assert review_reason(order(price="19.99", payment_status="PAID"), RULES) is None
    assert review_reason(order(), RULES) is None  # a marketplace order: paid before it is sent
    assert review_reason(_pending(), None) is None
    assert (payment_cleared("paid"), payment_cleared("AUTHORIZED"), payment_cleared("pending")) == (True, True, False)


def test_an_order_in_review_is_reserved_and_a_released_one_goes_on() -> None:
    store, trace = InMemoryStateTable(), MemoryTraceStore()
    store.put_position("SKU-1", LOC, on_hand=3)
    flow = FlowInput(action="accept", correlation_id="c-1", event_id="e-1", order=_pending(units=2))

    first = reserve_stock(flow, store, trace, POLICY)
    released = reserve_stock(flow.model_copy(update={"review_released": True}), store, trace, POLICY)

    assert (first.outcome.value, first.review) == ("RESERVED", PAYMENT_PENDING)
    assert (released.outcome.value, released.review) == ("ALREADY_RESERVED", None)
    assert store.position("SKU-1", LOC).reserved == 2  # reserved once, held while it waits


def test_review_is_a_wait_between_received_and_accepted_never_after() -> None:
    assert next_status(None, OrderStatus.IN_REVIEW) is OrderStatus.IN_REVIEW
    assert next_status(OrderStatus.IN_REVIEW, OrderStatus.ACCEPTED) is OrderStatus.ACCEPTED
    assert next_status(OrderStatus.IN_REVIEW, OrderStatus.CANCELLED) is OrderStatus.CANCELLED
    assert next_status(OrderStatus.ACCEPTED, OrderStatus.IN_REVIEW) is OrderStatus.ACCEPTED  # a late replay


def _in_review(store: InMemoryStateTable, held: MemoryHeldOrders, pending: Order) -> dict[str, Any]:
    event = {
        "status": "IN_REVIEW",
        "action": "accept",
        "correlation_id": f"corr-{pending.channel_order_id}",
        "event_id": f"evt-{pending.channel_order_id}",
        "order": pending.to_item(),
        "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": [], "review": PAYMENT_PENDING},
        "received_at": "2026-12-04T10:00:01Z",
    }
    deps = record_order.Deps(store, MemoryTraceStore())
    answer: dict[str, Any] = record_order.lambda_handler(event, LambdaContext(), deps=deps, held=held)
    return answer


def test_an_order_in_review_goes_on_once_its_payment_clears_and_stock_never_restarts_it() -> None:
    store, held, flow = InMemoryStateTable(), MemoryHeldOrders(), Flow()
    store.put_position("SKU-1", LOC, on_hand=5)
    pending = _pending()
    published = _in_review(store, held, pending)
    assert published["event_type"] == "OrderInReview" and published["detail"]["review"] == PAYMENT_PENDING

    # WHEN the schedule runs while the payment is still pending: nothing starts, whatever the stock
    run = retry_held_orders(held, store, flow, LOC, payment_cleared=lambda _: False)
    assert (run.in_review, flow.started) == (1, [])

    # WHEN the channel reported the payment: the order starts again, its review released
    run = retry_held_orders(held, store, flow, LOC, payment_cleared=lambda o: o.order_id == pending.order_id)
    assert run.restarted == [pending.order_id]
    assert flow.started[0]["review_released"] is True


def test_an_operator_releases_or_cancels_an_order_in_review() -> None:
    store, held, flow = InMemoryStateTable(), MemoryHeldOrders(), Flow()
    released, cancelled = _pending("R-2"), _pending("R-3")
    _in_review(store, held, released)
    _in_review(store, held, cancelled)

    assert release_held_order(held, store, flow, released.order_id) is not None
    assert cancel_held_order(held, store, flow, cancelled.order_id, reason="fraud confirmed") is not None

    assert flow.started[0]["review_released"] is True and flow.started[0]["action"] == "accept"
    assert flow.started[1]["action"] == "cancel"
    assert flow.started[1]["cancellation"]["channel_order_id"] == "R-3"
    # an order that is neither held nor in review is not released
    assert release_held_order(held, store, flow, order("NOPE").order_id) is None


def test_a_line_priced_far_below_the_price_master_is_reviewed_a_sale_price_is_not() -> None:
    from datetime import UTC, datetime

    from shared.models.catalog import PriceMaster
    from shared.review import PRICE_MISMATCH

    placed = datetime(2026, 11, 23, 10, tzinfo=UTC)
    master = PriceMaster.model_validate(
        {
            "sku": "SKU-1",
            "version": 3,
            "currency": "USD",
            "list_price": "199.00",
            "sale": {"price": "149.00", "starts_at": "2026-11-23T00:00:00Z", "ends_at": "2026-11-24T00:00:00Z"},
            "updated_at": placed.isoformat(),
        }
    )
    prices = {"SKU-1": master}

    # the sale price (149.00) is the reference while the sale runs: 30 % below it is 104.30
    assert review_reason(order(price="104.29", payment_status="PAID"), RULES, prices) == PRICE_MISMATCH
    assert review_reason(order(price="149.00", payment_status="PAID"), RULES, prices) is None
    assert review_reason(order(price="104.29", payment_status="PAID"), RULES, {}) is None  # no reference
