"""Amazon settlement reports polled from the SP-API sandbox (getReports, getReportDocument under their
usage plans), kept in the payload bucket, queued, and settled from there (moto)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.finance.adapters.amazon_settlement import REPORT_TYPE
from functions.finance.adapters.aws import S3Reports, SqsQueue
from functions.finance.dal.finance_store import DynamoFinanceStore
from functions.finance.handlers import settlement_worker
from functions.finance.logic.poll import POLLER, poll_amazon_settlements
from functions.finance.logic.settle import Settler
from local.sandboxes.amazon import AmazonSandbox
from shared.adapters.exception_store import MemoryExceptionStore
from shared.adapters.tokens import Grant, TokenAuth, TokenProvider
from shared.channels.clients.sp_api import SpApiClient
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import LambdaContext
from tests.support.sandboxes import sandbox_fixture
from tests.unit.finance.support import MemoryJournals, amazon_report_text

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
BUCKET = "retail-sync-payloads-test"


amazon = sandbox_fixture(AmazonSandbox)


def _client(sandbox: AmazonSandbox) -> SpApiClient:
    provider = TokenProvider("amazon", lambda: Grant(sandbox.tokens.issue()[0], 3600))
    return SpApiClient(sandbox.url, TokenAuth(provider, header="x-amz-access-token", prefix=""), sleep=lambda _: None)


def test_each_new_settlement_report_is_stored_queued_once_and_settled(
    amazon: AmazonSandbox, dynamodb: Any, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", STATE_TABLE)
    monkeypatch.setenv("ERP_BASE_URL", "http://127.0.0.1:9")
    s3, sqs = aws.client("s3"), aws.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue_url = sqs.create_queue(QueueName="finance")["QueueUrl"]
    store = DynamoFinanceStore(STATE_TABLE, dynamodb)
    amazon.seed_report(REPORT_TYPE, amazon_report_text(), "2026-12-04T08:30:00Z")
    amazon.seed_report("GET_FLAT_FILE_OPEN_LISTINGS_DATA", "sku\tprice\n", "2026-12-04T08:31:00Z")
    client = _client(amazon)

    first = poll_amazon_settlements(client, store, S3Reports(BUCKET, s3), SqsQueue(queue_url, sqs), now=lambda: NOW)
    second = poll_amazon_settlements(client, store, S3Reports(BUCKET, s3), SqsQueue(queue_url, sqs), now=lambda: NOW)

    assert len(first.queued) == 1 and second.queued == []
    assert store.load(POLLER) == datetime(2026, 12, 4, 8, 30, 1, tzinfo=UTC)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["channel"] == "amazon" and body["report_ref"].startswith("payloads/settlements/amazon/")
    stored = s3.get_object(Bucket=BUCKET, Key=body["report_ref"])["Body"].read().decode()
    assert stored == amazon_report_text()

    # WHEN the worker takes the message: the report is read back from the bucket and settled
    erp = MemoryJournals()
    settler = Settler(store, store, MemoryExceptionStore(), erp, now=lambda: NOW)
    record = {"messageId": "m-1", "body": messages[0]["Body"], "attributes": {}, "eventSource": "aws:sqs"}
    answer = settlement_worker.lambda_handler(
        {"Records": [record]}, LambdaContext(), settler=settler, read_report=S3Reports(BUCKET, s3).get
    )

    assert answer == {"batchItemFailures": []}
    payout = store.get_payout("amazon", "14732846271")
    assert payout is not None and len(payout.lines) == 19
    assert list(erp.records) == ["settlement-amazon-14732846271"]


def test_get_reports_beyond_its_burst_is_throttled_and_retried_within_the_client(amazon: AmazonSandbox) -> None:
    client = _client(amazon)
    for _ in range(10):  # getReports' burst
        client.get_reports([REPORT_TYPE], NOW)

    with pytest.raises(Exception, match="429"):
        client.get_reports([REPORT_TYPE], NOW)
    assert client.throttled_calls == 3  # the first answer and the client's two retries


def test_each_new_shopify_payout_is_stored_with_its_transactions_queued_and_settled(
    dynamodb: Any, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.finance.adapters.shopify_payments_api import ShopifyPaymentsApi
    from functions.finance.logic.poll import ShopifyPayoutFeed, poll_payouts
    from local.sandboxes.shopify import ShopifySandbox
    from tests.support.events import load_event
    from tests.unit.finance.support import MemoryOrders, our_orders

    shopify = ShopifySandbox()
    shopify.start("127.0.0.1", 0)
    try:
        s3, sqs = aws.client("s3"), aws.client("sqs")
        s3.create_bucket(Bucket=BUCKET)
        queue_url = sqs.create_queue(QueueName="finance")["QueueUrl"]
        store = DynamoFinanceStore(STATE_TABLE, dynamodb)
        payout = load_event("shopify/payouts_response")["payouts"][0]
        shopify.seed_payout(payout, load_event("shopify/balance_transactions_response")["transactions"])
        api = ShopifyPaymentsApi(shopify.url, access_token="shpat_sandbox", api_version="2024-07")
        reports, queue = S3Reports(BUCKET, s3), SqsQueue(queue_url, sqs)

        first = poll_payouts(ShopifyPayoutFeed(api), store, reports, queue, now=lambda: NOW)
        again = poll_payouts(ShopifyPayoutFeed(api), store, reports, queue, now=lambda: NOW)

        assert first.queued == ["623721858"]
        assert store.load("settlement-shopify") == datetime(2026, 11, 27, tzinfo=UTC)
        assert again.queued == ["623721858"]  # date_min is inclusive: the last day is read again, harmlessly
        message = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]
        erp = MemoryJournals()
        settler = Settler(MemoryOrders(our_orders()), store, MemoryExceptionStore(), erp, now=lambda: NOW)
        record = {"messageId": "m-1", "body": message["Body"], "attributes": {}, "eventSource": "aws:sqs"}
        answer = settlement_worker.lambda_handler(
            {"Records": [record, {**record, "messageId": "m-2"}]},
            LambdaContext(),
            settler=settler,
            read_report=reports.get,
        )

        assert answer == {"batchItemFailures": []}
        assert list(erp.records) == ["settlement-shopify-623721858"] and erp.calls == 1
    finally:
        shopify.stop()
