"""The customer-safe status: composed from the state table's items, never showing what is internal."""

from __future__ import annotations

import json
from typing import Any

from functions.customer_status.dal.status_store import DynamoStatusStore
from functions.customer_status.logic.view import compose, digest
from functions.customer_status.models.status import CustomerOrderStatus, CustomerReturnStatus
from functions.returns.models.returns import RefundStatus, ReturnState
from shared.models import OrderStatus
from tests.fakes.aws import STATE_TABLE
from tests.unit.customer_status.conftest import PII, record_order, record_return

SHIPMENT = {
    "shipment_id": "shp-1",
    "channel": "shopify",
    "channel_order_id": "1001",
    "carrier": "UPS",
    "tracking_number": "1Z999AA10123456784",
    "shipped_at": "2026-11-24T08:00:00Z",
    "lines": [{"sku": "SKU-1", "quantity": 2}],
    "location_id": "dc-east",
    "correlation_id": "corr-internal-2",
}


def _view(dynamodb: Any) -> Any:
    items = DynamoStatusStore(STATE_TABLE, client=dynamodb).read("shopify", "1001")
    assert items.order is not None
    return compose(items.order, items.shipments, items.returns)


def test_an_accepted_order_is_confirmed_and_its_view_holds_no_internal_id_nor_personal_data(dynamodb: Any) -> None:
    record_order(dynamodb)

    view = _view(dynamodb)

    assert view.status is CustomerOrderStatus.CONFIRMED
    assert [(line.sku, line.quantity, line.shipped) for line in view.lines] == [("SKU-1", 2, 0), ("SKU-2", 1, 0)]
    text = view.model_dump_json()
    for secret in (*PII, "SO-INTERNAL-9", "corr-internal-1", "shopify:1001", "cust-7"):
        assert secret not in text


def test_a_partial_shipment_shows_its_tracking_and_the_rest_still_to_ship(dynamodb: Any) -> None:
    record_order(dynamodb)
    store = DynamoStatusStore(STATE_TABLE, client=dynamodb)
    assert store.record_shipment(SHIPMENT) is True
    assert store.record_shipment(SHIPMENT) is False  # the same shipment heard twice: kept once

    view = _view(dynamodb)

    assert view.status is CustomerOrderStatus.PARTIALLY_SHIPPED
    assert [(s.carrier, s.tracking_number) for s in view.shipments] == [("UPS", "1Z999AA10123456784")]
    assert {line.sku: line.shipped for line in view.lines} == {"SKU-1": 2, "SKU-2": 0}
    assert "corr-internal-2" not in view.model_dump_json() and "dc-east" not in view.model_dump_json()


def test_every_unit_shipped_is_shipped_and_a_cancelled_order_counts_its_units_cancelled(dynamodb: Any) -> None:
    record_order(dynamodb)
    store = DynamoStatusStore(STATE_TABLE, client=dynamodb)
    store.record_shipment(SHIPMENT)
    store.record_shipment({**SHIPMENT, "shipment_id": "shp-2", "lines": [{"sku": "SKU-2", "quantity": 1}]})
    assert _view(dynamodb).status is CustomerOrderStatus.SHIPPED

    record_order(dynamodb, "1002", status=OrderStatus.CANCELLED)
    items = store.read("shopify", "1002")
    assert items.order is not None
    cancelled = compose(items.order, items.shipments, items.returns)
    assert cancelled.status is CustomerOrderStatus.CANCELLED
    assert [line.cancelled for line in cancelled.lines] == [2, 1]


def test_a_parked_or_unaccepted_order_is_processing_and_one_on_hold_says_so(dynamodb: Any) -> None:
    for status, shown in (
        (OrderStatus.ERP_FAILED, CustomerOrderStatus.PROCESSING),  # an ERP outage is not the customer's news
        (OrderStatus.RECEIVED, CustomerOrderStatus.PROCESSING),
        (OrderStatus.ON_HOLD, CustomerOrderStatus.ON_HOLD),
    ):
        record_order(dynamodb, f"h-{status.value}", status=status)
        items = DynamoStatusStore(STATE_TABLE, client=dynamodb).read("shopify", f"h-{status.value}")
        assert items.order is not None
        assert compose(items.order, items.shipments, items.returns).status is shown


def test_a_return_goes_from_requested_to_refunded_with_its_amount_once_known(dynamodb: Any) -> None:
    record_order(dynamodb)
    record_return(dynamodb, ReturnState.AWAITING_INSPECTION)
    requested = _view(dynamodb).returns[0]
    assert (requested.reference, requested.status) == ("1673", CustomerReturnStatus.REQUESTED)
    assert (requested.refund.status, requested.refund.amount) == ("PENDING", None)

    record_return(dynamodb, ReturnState.INSPECTED, amount="19.99")
    assert _view(dynamodb).returns[0].status is CustomerReturnStatus.RECEIVED

    record_return(dynamodb, ReturnState.REFUNDED, RefundStatus.POSTED, amount="19.99")
    refunded = _view(dynamodb).returns[0]
    assert refunded.status is CustomerReturnStatus.REFUNDED
    assert (refunded.refund.status, refunded.refund.amount, refunded.refund.currency) == ("REFUNDED", "19.99", "USD")
    text = json.dumps(refunded.model_dump(mode="json"))
    assert "CM-INTERNAL" not in text and "corr-return-internal" not in text and "loop:1673" not in text


def test_a_rejected_return_refunds_nothing_and_an_exception_is_under_review(dynamodb: Any) -> None:
    record_order(dynamodb)
    record_return(dynamodb, ReturnState.REJECTED, RefundStatus.NONE, amount="19.99")
    rejected = _view(dynamodb).returns[0]
    assert (rejected.status, rejected.refund.status, rejected.refund.amount) == (
        CustomerReturnStatus.REJECTED,
        "NONE",
        None,
    )
    record_return(dynamodb, ReturnState.EXCEPTION)
    assert _view(dynamodb).returns[0].status is CustomerReturnStatus.UNDER_REVIEW


def test_an_unknown_order_reads_as_none_and_the_fingerprint_ignores_only_the_time(dynamodb: Any) -> None:
    assert DynamoStatusStore(STATE_TABLE, client=dynamodb).read("shopify", "nope").order is None
    record_order(dynamodb)
    view = _view(dynamodb)
    assert digest(view) == digest(view.model_copy(update={"updated_at": "2030-01-01T00:00:00Z"}))
    assert digest(view) != digest(view.model_copy(update={"status": CustomerOrderStatus.SHIPPED}))
