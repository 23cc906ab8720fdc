"""Payout journals through the real ERP connector into the NetSuite-style sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from functions.finance.adapters.erp_journal import HttpErpJournal
from functions.finance.logic.settle import Settler
from local.sandboxes import ErpSandbox
from shared.adapters.exception_store import MemoryExceptionStore
from shared.errors import ErpRejected
from tests.unit.finance.support import MemoryOrders, MemoryPayoutStore, amazon_payout, our_orders


@pytest.fixture
def erp() -> Iterator[tuple[ErpSandbox, HttpErpJournal]]:
    sandbox = ErpSandbox()
    sandbox.start("127.0.0.1", 0)
    token = sandbox.tokens.issue()[0]
    client = httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    try:
        yield sandbox, HttpErpJournal(sandbox.url, client=client)
    finally:
        client.close()
        sandbox.stop()


def test_a_payout_settled_again_after_losing_its_posting_record_still_leaves_one_journal(
    erp: tuple[ErpSandbox, HttpErpJournal],
) -> None:
    sandbox, journals = erp
    now = lambda: datetime(2026, 12, 5, tzinfo=UTC)  # noqa: E731
    first = Settler(MemoryOrders(our_orders()), MemoryPayoutStore(), MemoryExceptionStore(), journals, now=now)
    # GIVEN a second settler that never saw the first posting (a crash between the ERP write and ours)
    second = Settler(MemoryOrders(our_orders()), MemoryPayoutStore(), MemoryExceptionStore(), journals, now=now)

    a = first.settle(amazon_payout())
    b = second.settle(amazon_payout())

    assert a.erp_journal_id == b.erp_journal_id
    stored = sandbox.journals()
    assert len(stored) == 1
    assert stored[0]["externalId"] == "settlement-amazon-14732846271"
    items = stored[0]["line"]["items"]
    debits = sum(Decimal(i.get("debit", "0")) for i in items)
    assert debits == sum(Decimal(i.get("credit", "0")) for i in items)


def test_the_sandbox_refuses_a_journal_that_does_not_balance(erp: tuple[ErpSandbox, HttpErpJournal]) -> None:
    sandbox, journals = erp
    body = {
        "line": {
            "items": [{"account": {"id": "1000"}, "debit": "10.00"}, {"account": {"id": "1210"}, "credit": "9.99"}]
        }
    }

    with pytest.raises(ErpRejected):
        journals.upsert_journal("settlement-test-1", body)
    assert sandbox.journals() == []
