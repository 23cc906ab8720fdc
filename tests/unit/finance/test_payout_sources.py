"""Walmart's recon reports, eBay's payouts (Finances API) and Square's payouts (Payouts API): parsed
from real-shaped fixtures, polled from the sandboxes with watermarks, kept in the payload bucket,
queued, settled and posted once (moto)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from functions.finance.adapters.aws import S3Reports, SqsQueue
from functions.finance.adapters.ebay_finances import payout_from_ebay
from functions.finance.adapters.payout_apis import EbayFinancesApi, SquarePayoutsApi, WalmartReconApi
from functions.finance.adapters.square_payouts import payout_from_square
from functions.finance.adapters.walmart_recon import payout_from_walmart_recon, walmart_report_date
from functions.finance.dal.finance_store import DynamoFinanceStore
from functions.finance.handlers import settlement_worker
from functions.finance.logic.intake import payout_of
from functions.finance.logic.matching import match_payout
from functions.finance.logic.poll import (
    EbayPayoutFeed,
    PayoutFeed,
    SquarePayoutFeed,
    WalmartReconFeed,
    poll_payouts,
)
from functions.finance.logic.settle import Settler
from functions.finance.models.rules import DEFAULT_FEE_SCHEDULE
from local.sandboxes.ebay import EbaySandbox
from local.sandboxes.marketplace import MarketplaceSandbox
from local.sandboxes.square import SquareSandbox
from shared.adapters.exception_store import MemoryExceptionStore
from shared.channels.clients.ebay_api import FINANCES_SCOPE, EbayCredentials
from shared.channels.clients.ebay_credentials import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN
from shared.errors import ValidationFailed
from shared.models.settlement import FeeType, LineKind, Payout, VarianceKind
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import LambdaContext
from tests.support.events import load_event
from tests.support.sandboxes import sandbox_fixture
from tests.support.vendor_tokens import walmart_sandbox_auth
from tests.unit.finance.support import MemoryJournals, MemoryOrders, order_of

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
BUCKET = "retail-sync-payloads-test"
WALMART_PO = "1796277083968"
EBAY_ORDER = "27-13492-80251"
SQUARE_ORDER = "CAISENgvlJ6jLWAzERDzjyHVybY"
SQUARE_PAYMENT = "bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY"


def walmart_payout() -> Payout:
    return payout_from_walmart_recon(load_event("walmart/recon_report_v1"), "12052026")


def ebay_payout() -> Payout:
    return payout_from_ebay(
        load_event("ebay/payouts_response")["payouts"][0], load_event("ebay/transactions_response")["transactions"]
    )


def square_payout() -> Payout:
    return payout_from_square(
        load_event("square/list_payouts_response")["payouts"][0],
        load_event("square/payout_entries_response")["payout_entries"],
        {SQUARE_PAYMENT: SQUARE_ORDER},
    )


# ----- parsers: the vendors' documents as canonical payouts ----------------------------------------


@pytest.mark.parametrize("payout", [walmart_payout, ebay_payout, square_payout], ids=["walmart", "ebay", "square"])
def test_every_payouts_lines_add_up_to_what_the_channel_pays(payout: Callable[[], Payout]) -> None:
    parsed = payout()

    assert parsed.lines_total == parsed.reported_total.amount
    assert all(isinstance(line.amount.amount, Decimal) and line.amount.currency == "USD" for line in parsed.lines)


def test_a_walmart_recon_report_is_one_cycle_with_sales_tax_commission_and_fees_per_purchase_order() -> None:
    payout = walmart_payout()

    assert (payout.payout_id, payout.reported_total.amount) == ("12052026", Decimal("379.93"))
    assert payout.period_start == datetime(2026, 11, 21, tzinfo=UTC)
    assert payout.deposit_date == datetime(2026, 12, 5, tzinfo=UTC)
    ours = [line for line in payout.lines if line.channel_order_id == WALMART_PO]
    assert {(line.kind, line.order_line_ref) for line in ours if line.kind is LineKind.SALE} == {
        (LineKind.SALE, "1"),
        (LineKind.SALE, "2"),
    }
    assert sum(line.amount.amount for line in ours if line.fee_type is FeeType.COMMISSION) == Decimal("-59.70")
    storage = [line for line in payout.lines if line.channel_order_id is None]
    assert [(line.kind, line.fee_type, line.amount.amount) for line in storage] == [
        (LineKind.FEE, FeeType.FULFILMENT, Decimal("-3.50"))
    ]


def test_walmart_report_dates_are_read_in_both_documented_forms() -> None:
    assert walmart_report_date("12052026") == datetime(2026, 12, 5, tzinfo=UTC)
    assert walmart_report_date("20261205") == datetime(2026, 12, 5, tzinfo=UTC)
    assert walmart_report_date("next tuesday") is None


def test_an_ebay_sale_is_its_gross_and_each_final_value_fee_and_a_non_sale_charge_is_a_fee() -> None:
    payout = ebay_payout()

    sale = [line for line in payout.lines if line.kind is LineKind.SALE]
    assert [(line.channel_order_id, line.amount.amount) for line in sale] == [(EBAY_ORDER, Decimal("587.00"))]
    fees = {(line.fee_type, line.amount.amount) for line in payout.lines if line.kind is LineKind.FEE}
    assert fees == {
        (FeeType.COMMISSION, Decimal("-26.37")),
        (FeeType.COMMISSION, Decimal("-51.41")),
        (FeeType.COMMISSION, Decimal("-0.40")),
        (FeeType.ADVERTISING, Decimal("-3.20")),  # the Promoted Listings fee names its order by reference
    }


def test_an_ebay_refund_is_a_debit_and_the_fee_ebay_gives_back_a_positive_fee() -> None:
    refund = {
        "transactionId": "R-1",
        "orderId": EBAY_ORDER,
        "payoutId": "6000123458",
        "transactionType": "REFUND",
        "bookingEntry": "DEBIT",
        "amount": {"value": "172.63", "currency": "USD"},
        "totalFeeAmount": {"value": "26.37", "currency": "USD"},
    }
    payout = payout_from_ebay({**load_event("ebay/payouts_response")["payouts"][0]}, [refund])

    assert [(line.kind, line.amount.amount) for line in payout.lines] == [
        (LineKind.REFUND, Decimal("-199.00")),
        (LineKind.FEE, Decimal("26.37")),
    ]


def test_a_square_charge_is_its_gross_and_its_processing_fee_and_names_the_order_of_its_payment() -> None:
    payout = square_payout()

    assert payout.reported_total.amount == Decimal("241.82")  # 24182 cents
    assert [(line.kind, line.amount.amount, line.channel_order_id) for line in payout.lines] == [
        (LineKind.SALE, Decimal("258.64"), SQUARE_ORDER),
        (LineKind.FEE, Decimal("-6.82"), SQUARE_ORDER),
        (LineKind.REFUND, Decimal("-10.00"), SQUARE_ORDER),
    ]
    assert payout.deposit_date == datetime(2026, 12, 5, tzinfo=UTC)  # arrival_date


def test_a_square_entry_whose_payment_is_unknown_names_no_order_and_stays_unmatched() -> None:
    payout = payout_from_square(
        load_event("square/list_payouts_response")["payouts"][0],
        load_event("square/payout_entries_response")["payout_entries"],
    )

    assert {line.channel_order_id for line in payout.lines} == {None}


@pytest.mark.parametrize(
    ("parse", "why"),
    [
        (lambda: payout_from_walmart_recon({"reportData": "x"}, "12052026"), "not a list"),
        (lambda: payout_from_walmart_recon({"reportData": []}, "12052026"), "0 PaymentSummary rows"),
        (lambda: payout_from_ebay({"payoutId": "1"}, []), "eBay payout is missing or has invalid fields"),
        (lambda: payout_from_square({"id": "po_1"}, []), "Square payout is missing or has invalid fields"),
    ],
    ids=["walmart-shape", "walmart-summary", "ebay", "square"],
)
def test_a_document_that_is_not_the_vendors_shape_is_refused_with_a_reason(
    parse: Callable[[], Payout], why: str
) -> None:
    with pytest.raises(ValidationFailed, match=why):
        parse()


def test_a_line_in_another_currency_than_the_payout_is_refused_not_summed() -> None:
    report = load_event("walmart/recon_report_v1")
    report["reportData"][1]["Currency"] = "CAD"

    with pytest.raises(ValidationFailed, match="CAD"):
        payout_from_walmart_recon(report, "12052026")


@pytest.mark.parametrize(
    ("message", "payout_id"),
    [
        ({"channel": "walmart", "report_date": "12052026", "recon": "walmart/recon_report_v1"}, "12052026"),
        ({"channel": "ebay", "payout": "ebay/payouts_response", "transactions": None}, "6000123458"),
        (
            {"channel": "square", "payout": "square/list_payouts_response", "entries": None},
            "po_f3c0fb38-a5ce-427d-b858-52b925b72e45",
        ),
    ],
    ids=["walmart", "ebay", "square"],
)
def test_a_document_may_come_inline_on_the_finance_queue(message: dict[str, Any], payout_id: str) -> None:
    body = dict(message)
    if body["channel"] == "walmart":
        body["recon"] = load_event(str(message["recon"]))
    elif body["channel"] == "ebay":
        body["payout"] = load_event(str(message["payout"]))["payouts"][0]
        body["transactions"] = load_event("ebay/transactions_response")["transactions"]
    else:
        body["payout"] = load_event(str(message["payout"]))["payouts"][0]
        body["entries"] = load_event("square/payout_entries_response")["payout_entries"]

    payout = payout_of(json.dumps(body), store=None, read_report=lambda key: "")  # type: ignore[arg-type]

    assert payout.payout_id == payout_id and payout.channel == body["channel"]


def test_against_our_orders_each_channels_fees_follow_its_schedule_and_an_unknown_order_is_unmatched() -> None:
    walmart, ebay = walmart_payout(), ebay_payout()
    orders = {
        ("walmart", WALMART_PO): order_of("walmart/po_created"),
        ("ebay", EBAY_ORDER): order_of("ebay/order_confirmation"),
    }

    def match(payout: Payout) -> set[tuple[VarianceKind, str | None]]:
        ids = sorted({line.channel_order_id for line in payout.lines if line.channel_order_id})
        found = {coid: orders.get((payout.channel, coid)) for coid in ids}
        matched = match_payout(payout, found, {}, DEFAULT_FEE_SCHEDULE[payout.channel], Decimal("0.05"))
        return {(v.kind, v.channel_order_id) for v in matched.reconciliation.variances}

    assert (VarianceKind.FEE, WALMART_PO) not in match(walmart)  # 15 % of the product price
    assert (VarianceKind.UNMATCHED, "1799999999999") in match(walmart)
    assert (VarianceKind.FEE, EBAY_ORDER) not in match(ebay)  # 13.25 % + 0.40 per order


# ----- polled from the sandboxes, stored, queued, settled once ------------------------------------


walmart = sandbox_fixture(MarketplaceSandbox)
ebay = sandbox_fixture(EbaySandbox)
square = sandbox_fixture(SquareSandbox)


def _walmart_feed(sandbox: MarketplaceSandbox) -> PayoutFeed:
    sandbox.seed_recon("12052026", load_event("walmart/recon_report_v1"))
    return WalmartReconFeed(WalmartReconApi(sandbox.url, walmart_sandbox_auth(sandbox.url)))


def _ebay_feed(sandbox: EbaySandbox) -> PayoutFeed:
    sandbox.seed_payout(
        load_event("ebay/payouts_response")["payouts"][0], load_event("ebay/transactions_response")["transactions"]
    )
    credentials = EbayCredentials(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN)
    return EbayPayoutFeed(EbayFinancesApi(sandbox.url, credentials, scope=FINANCES_SCOPE))


def _square_feed(sandbox: SquareSandbox) -> PayoutFeed:
    sandbox.seed_payout(
        load_event("square/list_payouts_response")["payouts"][0],
        load_event("square/payout_entries_response")["payout_entries"],
        [load_event("square/get_payment_response")["payment"]],
    )
    return SquarePayoutFeed(SquarePayoutsApi(sandbox.url, "sandbox-square-token"))


@pytest.mark.parametrize(
    ("channel", "build", "payout_id", "watermark", "orders"),
    [
        ("walmart", _walmart_feed, "12052026", datetime(2026, 12, 5, tzinfo=UTC), ("walmart/po_created",)),
        ("ebay", _ebay_feed, "6000123458", datetime(2026, 12, 4, 4, 5, 11, tzinfo=UTC), ("ebay/order_confirmation",)),
        (
            "square",
            _square_feed,
            "po_f3c0fb38-a5ce-427d-b858-52b925b72e45",
            datetime(2026, 12, 4, 1, 0, 8, tzinfo=UTC),
            ("square/order_updated_completed",),
        ),
    ],
    ids=["walmart", "ebay", "square"],
)
def test_each_channels_new_payout_is_stored_queued_and_its_journal_posted_once_however_often_it_is_polled(
    request: pytest.FixtureRequest,
    channel: str,
    build: Callable[[Any], PayoutFeed],
    payout_id: str,
    watermark: datetime,
    orders: tuple[str, ...],
    dynamodb: Any,
    aws: Any,
) -> None:
    feed = build(request.getfixturevalue(channel))
    s3, sqs = aws.client("s3"), aws.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue_url = sqs.create_queue(QueueName=f"finance-{channel}")["QueueUrl"]
    store = DynamoFinanceStore(STATE_TABLE, dynamodb)
    reports, queue = S3Reports(BUCKET, s3), SqsQueue(queue_url, sqs)

    first = poll_payouts(feed, store, reports, queue, now=lambda: NOW)
    again = poll_payouts(feed, store, reports, queue, now=lambda: NOW)

    assert first.queued == [payout_id] and store.load(f"settlement-{channel}") == watermark
    assert again.queued == [payout_id]  # the newest date is listed again (inclusive): harmless, never skipped
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(m["Body"]) for m in messages]
    assert {(b["channel"], b["payout_id"]) for b in bodies} == {(channel, payout_id)}
    assert bodies[0]["payout_ref"] == f"payloads/settlements/{channel}/{payout_id}.json"

    # WHEN the worker takes both messages: one payout, one journal
    erp = MemoryJournals()
    ours = {(o.channel, o.channel_order_id): o for o in (order_of(f) for f in orders)}
    settler = Settler(MemoryOrders(ours), store, MemoryExceptionStore(), erp, now=lambda: NOW)
    records = [
        {"messageId": m["MessageId"], "body": m["Body"], "attributes": {}, "eventSource": "aws:sqs"} for m in messages
    ]
    answer = settlement_worker.lambda_handler(
        {"Records": records}, LambdaContext(), settler=settler, read_report=reports.get
    )

    assert answer == {"batchItemFailures": []}
    stored = store.get_payout(channel, payout_id)
    assert stored is not None and stored.lines_total == stored.reported_total.amount
    assert list(erp.records) == [f"settlement-{channel}-{payout_id}"] and erp.calls == 1


def test_a_walmart_report_date_before_the_watermark_is_not_polled_again(
    walmart: MarketplaceSandbox, dynamodb: Any, aws: Any
) -> None:
    feed = _walmart_feed(walmart)
    walmart.seed_recon("11212026", {"reportData": load_event("walmart/recon_report_v1")["reportData"][:1]})
    s3, sqs = aws.client("s3"), aws.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue = SqsQueue(sqs.create_queue(QueueName="finance-old")["QueueUrl"], sqs)
    store = DynamoFinanceStore(STATE_TABLE, dynamodb)
    store.advance("settlement-walmart", datetime(2026, 12, 1, tzinfo=UTC))

    polled = poll_payouts(feed, store, S3Reports(BUCKET, s3), queue, now=lambda: NOW)

    assert polled.queued == ["12052026"]


def test_ebay_finances_calls_need_a_user_token_and_the_client_mints_one_from_the_refresh_token(
    ebay: EbaySandbox,
) -> None:
    ebay.seed_payout(load_event("ebay/payouts_response")["payouts"][0], [])
    credentials = EbayCredentials(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN)
    api = EbayFinancesApi(ebay.url, credentials, scope=FINANCES_SCOPE)

    found = api.payouts(datetime(2026, 12, 1, tzinfo=UTC))
    later = api.payouts(datetime(2026, 12, 5, tzinfo=UTC))

    assert [p["payoutId"] for p in found] == ["6000123458"] and later == []
    assert api.tokens_minted == 1
    calls = [c for c in ebay.journal() if c["path"] == "/sell/finances/v1/payout"]
    assert all(c["headers"].get("Authorization", "").startswith("Bearer ") for c in calls)
