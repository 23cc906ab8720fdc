"""`GET /v1/ops/returns/{source}/{source_return_id}` answers the contract's view of a stored return
(CONTRACT.md, "Returns (ReturnFlow)"): the lines with their disposition (null until inspected) and
the refund with its ERP credit memo and channel refund; 404 for a return nobody recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from functions.ops.adapters.returns import DynamoReturnReader
from functions.ops.deps import Deps
from functions.returns.dal.return_store import DynamoReturnStore
from functions.returns.models.returns import ReturnCase
from shared.adapters.state_store import DynamoStateStore
from tests.fakes.aws import STATE_TABLE
from tests.fakes.ports import FakeTraceReader
from tests.support.ops_transport import OpsLambdaTransport

AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _case(**changes: Any) -> ReturnCase:
    return ReturnCase.model_validate(
        {
            "return_key": "loop:RET-1001",
            "source": "loop",
            "source_return_id": "RET-1001",
            "channel": "shopify",
            "channel_order_id": "820982911946154508",
            "order_id": "ord_1",
            "correlation_id": "corr-return-1",
            "status": "AWAITING_INSPECTION",
            "lines": [{"sku": "IPOD2008PINK", "quantity": 1}],
            "created_at": AT,
            "updated_at": AT,
            **changes,
        }
    )


def _get(path: str) -> httpx.Response:
    deps = Deps(store=DynamoStateStore(STATE_TABLE), trace=FakeTraceReader(), returns=DynamoReturnReader(STATE_TABLE))
    with httpx.Client(transport=OpsLambdaTransport(deps), base_url="https://ops.example.com") as client:
        return client.get(path)


def test_a_return_awaiting_inspection_shows_no_disposition_and_nothing_refunded(dynamodb: Any) -> None:
    DynamoReturnStore(STATE_TABLE).create(_case())
    answer = _get("/v1/ops/returns/loop/RET-1001")
    assert answer.status_code == 200
    body = answer.json()
    assert {k: body[k] for k in ("return_id", "source", "source_return_id", "channel", "channel_order_id")} == {
        "return_id": "loop:RET-1001",
        "source": "loop",
        "source_return_id": "RET-1001",
        "channel": "shopify",
        "channel_order_id": "820982911946154508",
    }
    assert body["status"] == "AWAITING_INSPECTION"
    assert body["correlation_id"] == "corr-return-1"
    assert body["lines"] == [{"sku": "IPOD2008PINK", "quantity": 1, "disposition": None}]
    assert body["refund"]["status"] == "PENDING"
    assert body["refund"]["erp_credit_memo_id"] is None and body["refund"]["channel_refund_id"] is None


def test_a_refunded_return_shows_each_lines_disposition_and_the_refund_written_once(dynamodb: Any) -> None:
    refunded = _case(
        status="REFUNDED",
        lines=[{"sku": "IPOD2008PINK", "quantity": 1, "disposition": "RESTOCK", "condition": "resellable"}],
        refund={
            "status": "POSTED",
            "amount": "234.82",
            "currency": "USD",
            "erp_credit_memo_id": "CM-77",
            "channel_refund_id": "929361464",
        },
    )
    DynamoReturnStore(STATE_TABLE).create(refunded)
    body = _get("/v1/ops/returns/loop/RET-1001").json()
    assert body["lines"] == [{"sku": "IPOD2008PINK", "quantity": 1, "disposition": "RESTOCK"}]
    assert body["refund"] == {
        "status": "POSTED",
        "amount": "234.82",
        "currency": "USD",
        "erp_credit_memo_id": "CM-77",
        "channel_refund_id": "929361464",
    }


def test_a_return_nobody_recorded_is_a_404_in_the_contracts_error_shape(dynamodb: Any) -> None:
    answer = _get("/v1/ops/returns/loop/NOPE")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "NOT_FOUND"
