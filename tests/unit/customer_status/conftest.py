"""The state a customer status is composed of, written by the writers themselves (the order task's
item codec, ReturnFlow's store), so the status reads what production writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.returns.dal.return_store import DynamoReturnStore
from functions.returns.models.returns import CaseLine, RefundRecord, RefundStatus, ReturnCase, ReturnState
from shared.adapters.state_store import DynamoStateStore
from shared.models import OrderStatus
from shared.models.state import OrderRecord
from tests.fakes import builders
from tests.fakes.aws import STATE_TABLE
from tests.fakes.fixtures import _offline_aws_env, aws, dynamodb  # noqa: F401  (pytest fixtures)

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PII = ("Ada Lovelace", "ada@example.com", "12 Analytical Row")


def record_order(client: Any, channel_order_id: str = "1001", status: OrderStatus = OrderStatus.ACCEPTED) -> None:
    """An ACCEPTED order with personal data and internal ids, as the RecordOrder task stores it."""
    order = builders.order(
        channel_order_id,
        {"SKU-1": 2, "SKU-2": 1},
        customer={"channel_customer_id": "cust-7", "email": PII[1], "name": PII[0]},
        shipping_address={
            "name": PII[0],
            "line1": PII[2],
            "city": "London",
            "postal_code": "N1 1AA",
            "country_code": "GB",
        },
    )
    DynamoStateStore(STATE_TABLE, client=client).save_order(
        OrderRecord(
            order_id=order.order_id,
            channel=order.channel,
            channel_order_id=order.channel_order_id,
            status=status,
            correlation_id="corr-internal-1",
            updated_at=AT,
            erp_sales_order_id="SO-INTERNAL-9",
            lines=order.lines,
            order=order,
        ),
        expected_status=None,
    )


def record_return(
    client: Any,
    state: ReturnState,
    refund: RefundStatus = RefundStatus.PENDING,
    amount: str | None = None,
    channel_order_id: str = "1001",
) -> str:
    case = ReturnCase(
        return_key="loop:1673",
        source="loop",
        source_return_id="1673",
        channel="shopify",
        channel_order_id=channel_order_id,
        order_id=f"shopify:{channel_order_id}",
        correlation_id="corr-return-internal",
        status=state,
        lines=[CaseLine(sku="SKU-1", quantity=1)],
        refund=RefundRecord(
            status=refund, amount=amount, currency="USD", erp_credit_memo_id="CM-INTERNAL", channel_refund_id="r-9"
        ),
        created_at=AT,
        updated_at=AT,
        authorized_at=AT,
        refunded_at=AT if refund is RefundStatus.POSTED else None,
    )
    store = DynamoReturnStore(STATE_TABLE, client=client)
    if not store.create(case):
        current = store.get(case.return_key)
        assert current is not None
        store.save(case.model_copy(update={"version": current.version}))
    return case.return_key
