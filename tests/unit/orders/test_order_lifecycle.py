"""Order status transitions: CANCELLED is terminal, accepted is not undone by a late on-hold."""

from __future__ import annotations

import pytest

from functions.orders.logic.order_lifecycle import blocks_reservation, event_type_for, next_status
from shared.models import OrderStatus as S


@pytest.mark.parametrize("requested", [S.ACCEPTED, S.ON_HOLD, S.ERP_FAILED, S.RECEIVED])
def test_nothing_brings_a_cancelled_order_back(requested: S) -> None:
    assert next_status(S.CANCELLED, requested) is S.CANCELLED


@pytest.mark.parametrize("current", [None, S.RECEIVED, S.ON_HOLD, S.ERP_FAILED, S.ACCEPTED])
def test_a_cancellation_always_wins(current: S | None) -> None:
    assert next_status(current, S.CANCELLED) is S.CANCELLED


@pytest.mark.parametrize(
    ("current", "requested", "expected"),
    [
        (None, S.ACCEPTED, S.ACCEPTED),
        (S.ON_HOLD, S.ACCEPTED, S.ACCEPTED),
        (S.ERP_FAILED, S.ACCEPTED, S.ACCEPTED),
        (S.ACCEPTED, S.ON_HOLD, S.ACCEPTED),
        (S.ACCEPTED, S.ERP_FAILED, S.ACCEPTED),
        (S.ERP_FAILED, S.ON_HOLD, S.ERP_FAILED),
    ],
)
def test_transitions(current: S | None, requested: S, expected: S) -> None:
    assert next_status(current, requested) is expected


def test_only_a_cancelled_order_blocks_a_reservation() -> None:
    assert blocks_reservation(S.CANCELLED)
    assert not any(blocks_reservation(s) for s in (None, S.RECEIVED, S.ON_HOLD, S.ERP_FAILED, S.ACCEPTED))


def test_each_recorded_status_names_its_event() -> None:
    assert [event_type_for(s) for s in (S.ACCEPTED, S.ON_HOLD, S.ERP_FAILED, S.CANCELLED)] == [
        "OrderAccepted",
        "OrderOnHold",
        "OrderErpFailed",
        "OrderCancelled",
    ]
    with pytest.raises(ValueError, match="no event"):
        event_type_for(S.RECEIVED)
