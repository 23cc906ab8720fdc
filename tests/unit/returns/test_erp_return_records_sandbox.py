"""Return authorizations and credit memos through the real returns ERP connector into the
NetSuite-style sandbox: upsert by external id (a retry writes the same record), `createdFrom`
must name an existing record, a new record needs lines."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from functions.returns.adapters.erp import CREDIT_MEMO, RETURN_AUTHORIZATION, HttpReturnsErp
from local.sandboxes import ErpSandbox
from shared.errors import ErpRejected

ORDER_ID = "ord-shopify-450789469"
RETURN_KEY = "loop:RET-1001"


@pytest.fixture
def erp() -> Iterator[tuple[ErpSandbox, HttpReturnsErp, httpx.Client]]:
    sandbox = ErpSandbox()
    sandbox.start("127.0.0.1", 0)
    token = sandbox.tokens.issue()[0]
    client = httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    try:
        yield sandbox, HttpReturnsErp(sandbox.url, client=client), client
    finally:
        client.close()
        sandbox.stop()


def _sales_order(client: httpx.Client) -> None:
    body = {"item": {"items": [{"item": {"externalId": "IPOD2008GREEN"}, "quantity": 2}]}}
    assert client.put(f"/services/rest/record/v1/salesOrder/eid:{ORDER_ID}", json=body).status_code == 204


def _authorization() -> dict[str, object]:
    return {
        "tranId": RETURN_KEY,
        "createdFrom": {"externalId": ORDER_ID},
        "item": {"items": [{"item": {"externalId": "IPOD2008GREEN"}, "quantity": 1}]},
    }


def _memo() -> dict[str, object]:
    return {
        "createdFrom": {"externalId": RETURN_KEY},
        "currency": {"refName": "USD"},
        "total": "209.00",
        "item": {"items": [{"item": {"externalId": "IPOD2008GREEN"}, "quantity": 1, "amount": "199.00"}]},
    }


def test_a_return_authorization_and_its_credit_memo_are_written_once_however_often_they_are_sent(
    erp: tuple[ErpSandbox, HttpReturnsErp, httpx.Client],
) -> None:
    sandbox, returns_erp, client = erp
    _sales_order(client)

    first = returns_erp.upsert(RETURN_AUTHORIZATION, RETURN_KEY, _authorization())
    again = returns_erp.upsert(RETURN_AUTHORIZATION, RETURN_KEY, _authorization())
    memo = returns_erp.upsert(CREDIT_MEMO, f"refund-{RETURN_KEY}", _memo())
    memo_again = returns_erp.upsert(CREDIT_MEMO, f"refund-{RETURN_KEY}", _memo())

    assert first == again and memo == memo_again
    authorizations = sandbox.records(RETURN_AUTHORIZATION)
    memos = sandbox.records(CREDIT_MEMO)
    assert [a["externalId"] for a in authorizations] == [RETURN_KEY]
    assert [(m["externalId"], m["total"]) for m in memos] == [(f"refund-{RETURN_KEY}", "209.00")]
    read = client.get(f"/services/rest/record/v1/creditMemo/{memo}").json()
    assert read["createdFrom"] == {"externalId": RETURN_KEY}


def test_a_return_authorization_for_an_order_the_erp_does_not_know_is_refused(
    erp: tuple[ErpSandbox, HttpReturnsErp, httpx.Client],
) -> None:
    sandbox, returns_erp, _ = erp

    with pytest.raises(ErpRejected):
        returns_erp.upsert(RETURN_AUTHORIZATION, RETURN_KEY, _authorization())

    assert sandbox.records(RETURN_AUTHORIZATION) == []


def test_a_credit_memo_needs_its_return_authorization_and_lines(
    erp: tuple[ErpSandbox, HttpReturnsErp, httpx.Client],
) -> None:
    sandbox, returns_erp, client = erp
    _sales_order(client)

    with pytest.raises(ErpRejected):
        returns_erp.upsert(CREDIT_MEMO, f"refund-{RETURN_KEY}", _memo())  # no return authorization yet
    returns_erp.upsert(RETURN_AUTHORIZATION, RETURN_KEY, _authorization())
    with pytest.raises(ErpRejected):
        returns_erp.upsert(CREDIT_MEMO, f"refund-{RETURN_KEY}", {**_memo(), "item": {"items": []}})

    assert sandbox.records(CREDIT_MEMO) == []


def test_return_records_are_not_sales_orders_and_are_forgotten_on_reset(
    erp: tuple[ErpSandbox, HttpReturnsErp, httpx.Client],
) -> None:
    sandbox, returns_erp, client = erp
    _sales_order(client)
    returns_erp.upsert(RETURN_AUTHORIZATION, RETURN_KEY, _authorization())

    assert len(sandbox.sales_orders()) == 1
    listed = client.get("/__admin/returns").json()
    assert [r["externalId"] for r in listed["returnAuthorization"]] == [RETURN_KEY] and listed["creditMemo"] == []
    sandbox.reset_state()
    assert sandbox.records(RETURN_AUTHORIZATION) == []
