"""Status events -> the helpdesk: once per visible change, whatever is delivered twice, late or out of
order; a failed push is retried; an event that cannot be read is kept as an exception at once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from functions.customer_status.dal.status_store import DynamoStatusStore
from functions.customer_status.handlers.status_events import MARKER_PREFIX, StatusRecordHandler
from functions.customer_status.logic.publish import PushInProgress, StatusPublisher, UnreadableStatusEvent
from functions.customer_status.models.status import OrderStatusView
from functions.returns.models.returns import RefundStatus, ReturnState
from shared.adapters.call_markers import DynamoMarkerStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.errors import ErpRejected, ErpUnavailable
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import sqs_record
from tests.unit.customer_status.conftest import PII, record_order, record_return

ORDER = {"channel": "shopify", "channel_order_id": "1001", "correlation_id": "c-1"}
SHIPPED = {
    **ORDER,
    "shipment_id": "shp-1",
    "carrier": "UPS",
    "tracking_number": "1Z999AA10123456784",
    "shipped_at": "2026-11-24T08:00:00Z",
    "lines": [{"sku": "SKU-1", "quantity": 2}],
}


class Helpdesk:
    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.told: list[tuple[OrderStatusView, str | None]] = []
        self.failures = failures or []

    def track(self, view: OrderStatusView, customer_email: str | None) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.told.append((view, customer_email))


def _publisher(dynamodb: Any, helpdesk: Helpdesk | None) -> StatusPublisher:
    return StatusPublisher(
        DynamoStatusStore(STATE_TABLE, client=dynamodb),
        DynamoMarkerStore(STATE_TABLE, client=dynamodb, prefix=MARKER_PREFIX),
        MemoryTraceStore(),
        helpdesk,
    )


def test_an_event_delivered_twice_tells_the_helpdesk_once_by_the_buyers_email(dynamodb: Any) -> None:
    record_order(dynamodb)
    helpdesk = Helpdesk()
    publisher = _publisher(dynamodb, helpdesk)

    first = publisher.handle("OrderAccepted", ORDER)
    again = publisher.handle("OrderAccepted", ORDER)

    assert (first["status"], again["status"]) == ("told", "already_told")
    assert [(view.status.value, email) for view, email in helpdesk.told] == [("CONFIRMED", PII[1])]


def test_a_shipment_heard_before_its_order_is_kept_and_shown_once_the_order_is_recorded(dynamodb: Any) -> None:
    helpdesk = Helpdesk()
    publisher = _publisher(dynamodb, helpdesk)

    early = publisher.handle("OrderShipped", SHIPPED)  # the WMS was faster than the OrderFlow
    record_order(dynamodb)
    accepted = publisher.handle("OrderAccepted", ORDER)

    assert early["status"] == "order_not_recorded" and accepted["status"] == "told"
    ((view, _),) = helpdesk.told
    assert view.status.value == "PARTIALLY_SHIPPED"
    assert view.shipments[0].tracking_number == "1Z999AA10123456784"


def test_events_out_of_order_push_what_the_state_says_not_what_the_event_says(dynamodb: Any) -> None:
    record_order(dynamodb)
    helpdesk = Helpdesk()
    publisher = _publisher(dynamodb, helpdesk)
    publisher.handle("OrderShipped", SHIPPED)
    late = publisher.handle("OrderAccepted", ORDER)  # an older event arriving after the shipment

    assert late["status"] == "already_told"
    assert [view.status.value for view, _ in helpdesk.told] == ["PARTIALLY_SHIPPED"]


def test_a_return_is_followed_through_inspection_to_its_refund(dynamodb: Any) -> None:
    record_order(dynamodb)
    helpdesk = Helpdesk()
    publisher = _publisher(dynamodb, helpdesk)
    key = record_return(dynamodb, ReturnState.AWAITING_INSPECTION)
    publisher.handle("ReturnAuthorized", {**ORDER, "return_id": "1673", "source": "loop"})
    record_return(dynamodb, ReturnState.INSPECTED, amount="19.99")
    publisher.handle("ReturnInspected", {"return_key": key, "correlation_id": "c-2"})
    record_return(dynamodb, ReturnState.REFUNDED, RefundStatus.POSTED, amount="19.99")
    publisher.handle("ReturnStatusChanged", {**ORDER, "return_key": key, "status": "REFUNDED"})

    assert [view.returns[0].status.value for view, _ in helpdesk.told] == ["REQUESTED", "RECEIVED", "REFUNDED"]
    assert helpdesk.told[-1][0].returns[0].refund.amount == "19.99"


def test_a_return_not_recorded_yet_pushes_nothing(dynamodb: Any) -> None:
    helpdesk = Helpdesk()
    answer = _publisher(dynamodb, helpdesk).handle("ReturnInspected", {"return_key": "loop:404"})
    assert answer["status"] == "return_not_recorded" and helpdesk.told == []


def test_a_failed_push_releases_its_claim_so_the_retry_tells_the_helpdesk_once(dynamodb: Any) -> None:
    record_order(dynamodb)
    helpdesk = Helpdesk(failures=[ErpUnavailable("POST /api/v2/user_profiles/events: 503")])
    publisher = _publisher(dynamodb, helpdesk)

    with pytest.raises(ErpUnavailable):
        publisher.handle("OrderAccepted", ORDER)
    assert publisher.handle("OrderAccepted", ORDER)["status"] == "told"
    assert len(helpdesk.told) == 1


def test_a_push_in_flight_elsewhere_is_retried_later_not_doubled(dynamodb: Any) -> None:
    record_order(dynamodb)

    class Racing(Helpdesk):
        def track(self, view: OrderStatusView, customer_email: str | None) -> None:
            with pytest.raises(PushInProgress):  # a second delivery of the same view meanwhile
                publisher.handle("OrderAccepted", ORDER)
            super().track(view, customer_email)

    helpdesk = Racing()
    publisher = _publisher(dynamodb, helpdesk)
    publisher.handle("OrderAccepted", ORDER)
    assert len(helpdesk.told) == 1


def test_without_a_helpdesk_nothing_is_called_and_nothing_is_marked(dynamodb: Any) -> None:
    record_order(dynamodb)
    assert _publisher(dynamodb, None).handle("OrderAccepted", ORDER)["status"] == "no_helpdesk"
    helpdesk = Helpdesk()
    assert _publisher(dynamodb, helpdesk).handle("OrderAccepted", ORDER)["status"] == "told"


@pytest.mark.parametrize(
    ("detail_type", "detail"),
    [
        ("OrderAccepted", {"channel_order_id": "1001"}),
        ("OrderShipped", {**ORDER, "lines": []}),
        ("ReturnInspected", {"return_key": "no-source"}),
        ("InventoryChanged", ORDER),
    ],
)
def test_an_event_that_cannot_name_its_order_is_unreadable(dynamodb: Any, detail_type: str, detail: Any) -> None:
    with pytest.raises(UnreadableStatusEvent):
        _publisher(dynamodb, Helpdesk()).handle(detail_type, detail)


class Letters:
    queue = "customer-status"

    def __init__(self) -> None:
        self.kept: list[str] = []

    def failed(self, record: dict[str, Any], error: BaseException | None, **kwargs: Any) -> str:
        self.kept.append(str(kwargs.get("reason")))
        return "dead_letter-1"

    def succeeded(self, record: dict[str, Any]) -> None:
        pass


def test_a_poison_event_or_a_refused_push_is_kept_as_an_exception_at_once_and_a_transient_one_retried(
    dynamodb: Any,
) -> None:
    record_order(dynamodb)
    letters = Letters()
    helpdesk = Helpdesk(
        failures=[ErpRejected("POST /api/v2/user_profiles/events: 400 RecordInvalid"), ErpUnavailable("503")]
    )
    handler = StatusRecordHandler(_publisher(dynamodb, helpdesk), letters)  # type: ignore[arg-type]

    def deliver(body: str) -> Any:
        return handler(SQSRecord(sqs_record(body)))

    assert deliver("not json")["status"] == "dead_lettered"
    event = json.dumps({"detail-type": "OrderAccepted", "detail": ORDER})
    assert deliver(event)["status"] == "dead_lettered"  # the helpdesk refused it: a retry would too
    with pytest.raises(ErpUnavailable):  # transient: the queue retries it
        deliver(event)
    assert deliver(event)["status"] == "told"
    assert [reason.split(":")[0] for reason in letters.kept] == ["JSONDecodeError", "ErpRejected"]
