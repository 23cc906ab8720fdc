"""Canonical models v1: strict validation, money without floats, UTC times, stable ids."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.models import Envelope, InventoryPosition, Money, Order, OrderStatus, order_id_for


def _order(**overrides: object) -> Order:
    data: dict[str, object] = {
        "channel": "shopify",
        "channel_order_id": "820982911946154508",
        "placed_at": "2008-01-10T11:00:00-05:00",
        "currency": "USD",
        "lines": [
            {"line_id": "1", "sku": "IPOD2008BLACK", "quantity": 2,
             "unit_price": {"amount": "199.00", "currency": "USD"},
             "tax": {"amount": "23.88", "currency": "USD"}, "discount": {"amount": "10.00", "currency": "USD"}},
        ],
    }
    data.update(overrides)
    return Order.model_validate(data)


def test_money_refuses_floats_so_cents_are_never_lost() -> None:
    with pytest.raises(ValidationError, match="not floats"):
        Money(amount=19.99, currency="USD")  # type: ignore[arg-type]


def test_money_from_minor_units_keeps_exact_cents() -> None:
    assert Money.from_minor(1999, "EUR") == Money(amount=Decimal("19.99"), currency="EUR")


def test_money_refuses_adding_different_currencies() -> None:
    with pytest.raises(ValueError, match="cannot add"):
        Money(amount=Decimal(1), currency="USD") + Money(amount=Decimal(1), currency="EUR")


def test_order_normalizes_placed_at_to_utc() -> None:
    assert _order().placed_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)


def test_order_refuses_naive_timestamps() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        _order(placed_at="2008-01-10T11:00:00")


def test_order_refuses_a_line_priced_in_another_currency() -> None:
    with pytest.raises(ValidationError, match="priced in EUR"):
        _order(lines=[{"line_id": "1", "sku": "A", "quantity": 1, "unit_price": {"amount": "1", "currency": "EUR"}}])


def test_order_refuses_unknown_fields_and_non_positive_quantities() -> None:
    with pytest.raises(ValidationError) as excinfo:
        _order(colour="red", lines=[{"line_id": "1", "sku": "A", "quantity": 0,
                                      "unit_price": {"amount": "1", "currency": "USD"}}])
    fields = {tuple(e["loc"]) for e in excinfo.value.errors()}
    assert ("colour",) in fields
    assert ("lines", 0, "quantity") in fields


def test_order_total_applies_discount_then_tax() -> None:
    assert _order().total == Money(amount=Decimal("411.88"), currency="USD")


def test_order_id_is_stable_per_channel_order_so_replays_map_to_one_order() -> None:
    assert _order().order_id == order_id_for("shopify", "820982911946154508")
    assert order_id_for("shopify", "1") != order_id_for("square", "1")


def test_order_round_trips_through_its_stored_item() -> None:
    order = _order(status=OrderStatus.ACCEPTED)
    item = order.to_item()
    assert item["lines"][0]["unit_price"] == {"amount": "199.00", "currency": "USD"}
    assert Order.from_item(item) == order


def test_envelope_requires_a_correlation_id_and_known_domain() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Envelope.model_validate({"event_id": "e", "source": "shopify", "event_type": "orders/create",
                                 "domain": "payments", "delivery_id": "d", "correlation_id": "short"})
    fields = {e["loc"][0] for e in excinfo.value.errors()}
    assert fields == {"domain", "correlation_id"}


@given(on_hand=st.integers(min_value=0, max_value=10**6), reserved=st.integers(min_value=0, max_value=10**6))
def test_available_is_derived_and_never_negative_nor_above_on_hand(on_hand: int, reserved: int) -> None:
    position = InventoryPosition(sku="A", location_id="dc", on_hand=on_hand, reserved=reserved)
    assert 0 <= position.available <= on_hand
    assert "available" not in position.to_item()
    assert InventoryPosition.from_item(position.to_item()) == position
