"""The ERP's products and prices: kept per version, told to every listing channel in its own API shape
exactly once per change, a promotion's start and end scheduled, a refusal kept as an exception (moto
for the state table and Scheduler, the marketplace sandboxes for the channels)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from functions.pricing.adapters.channels import (
    AmazonPrices,
    EbayPrices,
    PriceConnector,
    ShopifyPrices,
    WalmartPrices,
    ZalandoPrices,
)
from functions.pricing.adapters.scheduler import SchedulerBoundaries, schedule_name
from functions.pricing.dal.price_store import DynamoPriceStore
from functions.pricing.handlers import pricing_worker
from functions.pricing.logic.intake import apply
from functions.pricing.logic.publish import PRICE_EXCEPTION_KIND, publish_prices
from local.sandboxes.amazon import AmazonSandbox
from local.sandboxes.ebay import EbaySandbox
from local.sandboxes.marketplace import MarketplaceSandbox
from local.sandboxes.shopify import ShopifySandbox
from local.sandboxes.zalando import ZalandoSandbox
from local.schedules import OneTimeSchedules
from shared.adapters.dead_letters import DeadLetters
from shared.adapters.exception_store import RETRY_OF, MemoryExceptionStore, exception_id
from shared.channels.clients.ebay_api import INVENTORY_SCOPE, EbayApiClient, EbayCredentials
from shared.channels.clients.ebay_credentials import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN
from shared.channels.erp import ErpAdapter, command_from_erp
from shared.errors import ValidationFailed
from shared.models.catalog import PriceMaster, ProductMaster
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import LambdaContext, sqs_record
from tests.support.events import load_event
from tests.support.vendor_tokens import walmart_sandbox_auth

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
SKU = "PRICE-TEST-1"


def product(version: int = 1, **listings: str) -> ProductMaster:
    body = {**load_event("erp/item_updated"), "sku": SKU, "sequence": version}
    if listings:
        body["listings"] = listings
    command = command_from_erp(body)
    assert isinstance(command, ProductMaster)
    return command


def price(version: int, list_price: str, sale: dict[str, Any] | None = None) -> PriceMaster:
    body = {**load_event("erp/price_updated"), "sku": SKU, "sequence": version, "list_price": list_price, "sale": sale}
    command = command_from_erp(body)
    assert isinstance(command, PriceMaster)
    return command


# ----- the model and the webhook edge ---------------------------------------------------------------


def test_the_effective_price_is_the_sale_price_inside_its_window_and_the_list_price_outside() -> None:
    p = command_from_erp(load_event("erp/price_updated"))
    assert isinstance(p, PriceMaster)
    start = datetime(2026, 12, 5, 10, tzinfo=UTC)

    before, during, after = (
        p.effective(start - timedelta(seconds=1)),
        p.effective(start),
        p.effective(start + timedelta(hours=1)),
    )

    assert (before.amount, before.compare_at) == (Decimal("199.00"), None)
    assert (during.amount, during.compare_at, during.on_sale) == (Decimal("179.00"), Decimal("199.00"), True)
    assert (after.amount, after.on_sale) == (Decimal("199.00"), False)
    assert p.boundaries_after(start) == [start + timedelta(hours=1)]


def test_a_json_number_is_read_as_the_decimal_it_writes() -> None:
    command = command_from_erp({**load_event("erp/price_updated"), "list_price": 219.99})

    assert isinstance(command, PriceMaster) and command.list_price == Decimal("219.99")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"list_price": "-1"}, "list_price"),
        ({"sale": {"price": "250.00", "starts_at": "2026-12-05T10:00:00Z", "ends_at": "2026-12-05T11:00:00Z"}}, None),
        ({"currency": "dollars"}, "currency"),
        ({"sequence": None}, "version"),
    ],
)
def test_a_price_the_models_refuse_answers_400_at_the_edge_with_the_field(
    change: dict[str, Any], field: str | None
) -> None:
    body = {**load_event("erp/price_updated"), **change}
    with pytest.raises(ValidationFailed) as refused:
        ErpAdapter().check("price.updated", body)
    if field:
        assert any(field in d["field"] for d in refused.value.details)


# ----- kept per version ------------------------------------------------------------------------------


@pytest.fixture
def store(dynamodb: Any, aws: Any) -> DynamoPriceStore:
    return DynamoPriceStore(STATE_TABLE, client=dynamodb, table=aws.resource("dynamodb").Table(STATE_TABLE))


class Boundaries:
    def __init__(self) -> None:
        self.calls: list[tuple[datetime, str, int]] = []

    def at(self, when: datetime, sku: str, version: int) -> bool:
        self.calls.append((when, sku, version))
        return True


def test_an_older_price_arriving_late_changes_nothing_and_a_newer_one_marks_the_sku(store: DynamoPriceStore) -> None:
    boundaries = Boundaries()

    assert apply(price(12, "199.00"), store, boundaries, lambda: NOW) == "applied"
    assert apply(price(11, "149.00"), store, boundaries, lambda: NOW) == "stale"
    assert apply(price(12, "149.00"), store, boundaries, lambda: NOW) == "stale"  # a redelivery

    kept = store.price(SKU)
    assert kept is not None and (kept.version, kept.list_price) == (12, Decimal("199.00"))
    assert [m.sku for m in store.dirty(10)] == [SKU]


def test_a_sale_schedules_its_start_and_its_end_and_one_already_started_only_its_end(store: DynamoPriceStore) -> None:
    boundaries = Boundaries()
    start, end = NOW + timedelta(hours=1), NOW + timedelta(hours=2)
    sale = {"price": "179.00", "starts_at": start.isoformat(), "ends_at": end.isoformat()}

    apply(price(1, "199.00", sale), store, boundaries, lambda: NOW)
    apply(price(2, "199.00", sale), store, boundaries, lambda: start + timedelta(minutes=5))

    assert boundaries.calls == [(start, SKU, 1), (end, SKU, 1), (end, SKU, 2)]


def test_each_boundary_is_one_scheduler_one_time_schedule_that_deletes_itself(aws: Any) -> None:
    client = aws.client("scheduler")
    boundaries = SchedulerBoundaries(
        "arn:aws:lambda:us-east-1:123456789012:function:publisher", "arn:aws:iam::123456789012:role/s", client=client
    )
    when = datetime(2026, 12, 5, 10, 0, 30, tzinfo=UTC)

    assert boundaries.at(when, SKU, 3) is True
    assert boundaries.at(when, SKU, 3) is False  # the same price seen again creates nothing

    made = client.get_schedule(Name=schedule_name(SKU, 3, when))
    assert made["ScheduleExpression"] == "at(2026-12-05T10:00:30)" and made["ActionAfterCompletion"] == "DELETE"
    assert made["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert json.loads(made["Target"]["Input"]) == {"price_boundary": {"sku": SKU, "version": 3, "at": when.isoformat()}}


class ReadCounting:
    """A Scheduler client that counts its GetSchedule calls."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.gets = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def get_schedule(self, **kwargs: Any) -> Any:
        self.gets += 1
        return self.client.get_schedule(**kwargs)


def test_the_local_stack_fires_a_due_one_time_schedule_once_and_deletes_it(aws: Any) -> None:
    client = aws.client("scheduler")
    target = "arn:aws:lambda:us-east-1:123456789012:function:publisher"
    boundaries = SchedulerBoundaries(target, "arn:aws:iam::123456789012:role/s", client=client)
    boundaries.at(NOW, SKU, 1)
    boundaries.at(NOW + timedelta(hours=1), SKU, 1)
    sent: list[tuple[str, Any]] = []
    reads = ReadCounting(client)
    one_time = OneTimeSchedules(lambda arn, payload: sent.append((arn, payload)), reads)

    fired = one_time.tick(NOW + timedelta(seconds=1))
    again = one_time.tick(NOW + timedelta(seconds=2))

    assert len(fired) == 1 and again == []
    assert reads.gets == 2  # each schedule read once: the waiting one is not read again every tick
    assert sent == [(target, {"price_boundary": {"sku": SKU, "version": 1, "at": NOW.isoformat()}})]
    assert [s["Name"] for s in client.list_schedules()["Schedules"]] == [
        schedule_name(SKU, 1, NOW + timedelta(hours=1))
    ]


# ----- to every channel, once per change ---------------------------------------------------------------


@pytest.fixture
def channels() -> Iterator[dict[str, Any]]:
    sandboxes: dict[str, Any] = {
        "shopify": ShopifySandbox(),
        "amazon": AmazonSandbox(),
        "walmart": MarketplaceSandbox(),
        "ebay": EbaySandbox(),
        "zalando": ZalandoSandbox(),
    }
    for sandbox in sandboxes.values():
        sandbox.start("127.0.0.1", 0)
    yield sandboxes
    for sandbox in sandboxes.values():
        sandbox.stop()


def connectors(sandboxes: dict[str, Any]) -> dict[str, PriceConnector]:
    from shared.adapters.tokens import Grant, TokenAuth, TokenProvider
    from tests.support.vendor_tokens import zalando_sandbox_auth

    amazon = sandboxes["amazon"]
    amazon_auth = TokenAuth(
        TokenProvider("amazon", lambda: Grant(amazon.tokens.issue()[0], 3600)), header="x-amz-access-token", prefix=""
    )
    ebay = EbayApiClient(
        sandboxes["ebay"].url,
        EbayCredentials(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN),
        scope=INVENTORY_SCOPE,
    )
    return {
        "shopify": ShopifyPrices(sandboxes["shopify"].url, access_token="shpat_sandbox"),
        "amazon": AmazonPrices(
            amazon.url, seller_id="A2SANDBOXSELLER", marketplace_id="ATVPDKIKX0DER", token_auth=amazon_auth
        ),
        "walmart": WalmartPrices(sandboxes["walmart"].url, token_auth=walmart_sandbox_auth(sandboxes["walmart"].url)),
        "ebay": EbayPrices(sandboxes["ebay"].url, token_auth=ebay.token_auth),
        "zalando": ZalandoPrices(
            sandboxes["zalando"].url,
            merchant_id="local-merchant",
            sales_channel_id="local-sales-channel",
            token_auth=zalando_sandbox_auth(sandboxes["zalando"].url),
        ),
    }


LISTINGS = {
    "shopify": "808950810",
    "amazon": SKU,
    "walmart": SKU,
    "ebay": "6840005010",
    "zalando": "0885909298594",
}


def run(
    store: DynamoPriceStore, wired: dict[str, PriceConnector], exceptions: MemoryExceptionStore, at: datetime
) -> dict[str, Any]:
    return publish_prices(store, wired, exceptions, at, exception_id=exception_id).as_dict()


def test_a_price_change_reaches_every_channel_once_in_its_own_shape_and_a_second_run_sends_nothing(
    store: DynamoPriceStore, channels: dict[str, Any]
) -> None:
    wired, exceptions = connectors(channels), MemoryExceptionStore()
    apply(product(1, **LISTINGS), store, None, lambda: NOW)
    for version, amount in ((1, "209.00"), (2, "199.00")):  # two changes before the run: one publish
        apply(price(version, amount), store, None, lambda: NOW)

    first = run(store, wired, exceptions, NOW)
    second = run(store, wired, exceptions, NOW + timedelta(minutes=1))

    assert first["sent"] == dict.fromkeys(sorted(LISTINGS), 1) and first["cleared"] == 1
    assert second["dirty"] == 0 and second["sent"] == {}
    for channel, key in LISTINGS.items():
        shown = channels[channel].prices()[key]
        assert (Decimal(shown["amount"]), shown["updates"]) == (Decimal("199.00"), 1), channel
    assert channels["shopify"].journal()[-1]["body"] == {
        "variant": {"id": 808950810, "price": "199.00", "compare_at_price": None}
    }
    walmart_call = [c for c in channels["walmart"].journal() if c["path"] == "/v3/price"][0]
    assert walmart_call["body"]["pricing"][0] == {
        "currentPriceType": "BASE",
        "currentPrice": {"currency": "USD", "amount": 199.0},
    }


def test_during_a_sale_channels_show_the_sale_price_and_the_list_price_to_compare(
    store: DynamoPriceStore, channels: dict[str, Any]
) -> None:
    wired, exceptions = connectors(channels), MemoryExceptionStore()
    start = NOW + timedelta(minutes=30)
    sale = {"price": "179.00", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    apply(product(1, **LISTINGS), store, None, lambda: NOW)
    apply(price(3, "199.00", sale), store, None, lambda: NOW)
    run(store, wired, exceptions, NOW)

    store.mark_dirty([SKU], start)  # what the start's one-time schedule does
    during = run(store, wired, exceptions, start)
    store.mark_dirty([SKU], start + timedelta(hours=1))
    after = run(store, wired, exceptions, start + timedelta(hours=1))

    assert during["sent"] == dict.fromkeys(sorted(LISTINGS), 1) and after["sent"] == dict.fromkeys(sorted(LISTINGS), 1)
    shopify = [c["body"]["variant"] for c in channels["shopify"].journal() if c["path"].endswith("808950810.json")]
    assert [(v["price"], v["compare_at_price"]) for v in shopify] == [
        ("199.00", None),
        ("179.00", "199.00"),
        ("199.00", None),
    ]
    zalando = [c["body"]["product_prices"][0] for c in channels["zalando"].journal() if c["path"].endswith("/prices")]
    assert zalando[1]["promotional_price"] == {"amount": 179.0, "currency": "USD"}


def test_a_price_a_channel_refuses_is_one_exception_not_retried_every_minute_and_a_retry_sends_it_again(
    store: DynamoPriceStore, channels: dict[str, Any]
) -> None:
    wired, exceptions = connectors(channels), MemoryExceptionStore()
    channels["amazon"].set_price_floor(SKU, "150.00")
    apply(product(1, amazon=SKU, walmart=SKU), store, None, lambda: NOW)
    apply(price(1, "99.00"), store, None, lambda: NOW)

    first = run(store, wired, exceptions, NOW)
    second = run(store, wired, exceptions, NOW + timedelta(minutes=1))

    assert first["refused"] == {"amazon": 1} and first["sent"] == {"amazon": 0, "walmart": 1} and first["cleared"] == 1
    assert second["dirty"] == 0
    raised = exceptions.list(PRICE_EXCEPTION_KIND, None, 10)
    assert len(raised) == 1 and raised[0]["channel"] == "amazon" and "below the minimum" in raised[0]["error"]
    assert json.loads(raised[0]["payload"]) == {"reprice": SKU} and raised[0]["queue"] == "catalog"

    # WHEN the floor is lowered and ops retries the exception: the catalog queue gets {"reprice": sku}
    channels["amazon"].set_price_floor(SKU, "50.00")
    record = sqs_record(raised[0]["payload"])
    record["messageAttributes"] = {RETRY_OF: {"stringValue": raised[0]["exception_id"], "dataType": "String"}}
    letters = DeadLetters(exceptions, "catalog", also_resolves=(PRICE_EXCEPTION_KIND,))
    answer = pricing_worker.lambda_handler({"Records": [record]}, LambdaContext(), store=store, letters=letters)
    third = run(store, wired, exceptions, NOW + timedelta(minutes=2))

    assert answer == {"batchItemFailures": []}
    assert exceptions.get(PRICE_EXCEPTION_KIND, raised[0]["exception_id"])["status"] == "RESOLVED"  # type: ignore[index]
    assert third["sent"] == {"amazon": 1}  # Walmart already shows it: not sent again
    assert channels["amazon"].prices()[SKU]["amount"] == "99.00"


def test_a_throttled_channel_keeps_the_sku_marked_for_the_next_run_and_the_others_are_done(
    store: DynamoPriceStore, channels: dict[str, Any]
) -> None:
    wired, exceptions = connectors(channels), MemoryExceptionStore()
    walmart = wired["walmart"]
    assert walmart.token_auth is not None
    walmart._vendor_token(walmart.token_auth)  # its token minted before Walmart starts answering 429
    channels["walmart"].set_faults({"throttle_rate": 1.0})
    apply(product(1, amazon=SKU, walmart=SKU), store, None, lambda: NOW)
    apply(price(1, "99.00"), store, None, lambda: NOW)

    first = run(store, wired, exceptions, NOW)
    channels["walmart"].clear_faults()
    second = run(store, wired, exceptions, NOW + timedelta(minutes=1))

    assert first["later"] == {"walmart": 1} and first["cleared"] == 0
    assert second["sent"] == {"walmart": 1} and second["cleared"] == 1
    assert channels["amazon"].prices()[SKU]["updates"] == 1


# ----- the daily backfill from the ERP's export -------------------------------------------------------


def test_the_backfill_applies_the_erps_export_per_version_and_repairs_only_what_a_webhook_missed(
    store: DynamoPriceStore,
) -> None:
    from functions.pricing.adapters.erp_export import ErpCatalogExport
    from functions.pricing.logic.backfill import backfill
    from local.sandboxes.erp import ErpSandbox
    from tests.support.vendor_tokens import erp_sandbox_auth

    erp = ErpSandbox()
    erp.start("127.0.0.1", 0)
    try:
        item = {k: v for k, v in load_event("erp/item_updated").items() if k not in ("event_id", "event_type")}
        prices = [
            {
                **{k: v for k, v in load_event("erp/price_updated").items() if k not in ("event_id", "event_type")},
                "sku": sku,
            }
            for sku in ("BACKFILL-1", "BACKFILL-2")
        ]
        prices.append(
            {"sku": "BACKFILL-3", "sequence": 1, "currency": "USD", "list_price": "-1", "occurred_at": NOW.isoformat()}
        )
        erp.seed_catalog([{**item, "sku": "BACKFILL-1"}], prices)
        apply(price(12, "199.00"), store, None, lambda: NOW)  # what a webhook already brought (another SKU)
        store.save_price(command_from_erp({**load_event("erp/price_updated"), "sku": "BACKFILL-2"}))  # type: ignore[arg-type]
        export = ErpCatalogExport(erp.url, token_auth=erp_sandbox_auth(erp.url))

        first = backfill(export, store, None, lambda: NOW)
        again = backfill(export, store, None, lambda: NOW)

        assert first == {"applied": 2, "stale": 1, "invalid": 1}  # BACKFILL-2's price was already kept
        assert again == {"applied": 0, "stale": 3, "invalid": 1}
        kept = store.product("BACKFILL-1")
        assert kept is not None and kept.listings["walmart"] == "IPOD2008PINK"
        assert {m.sku for m in store.dirty(10)} >= {"BACKFILL-1"}
    finally:
        erp.stop()


def test_a_run_reads_at_most_its_limit_of_marked_skus_and_leaves_the_rest_marked(store: DynamoPriceStore) -> None:
    store.mark_dirty([f"LIMIT-{n}" for n in range(5)], NOW)

    first = store.dirty(3)

    assert [m.sku for m in first] == ["LIMIT-0", "LIMIT-1", "LIMIT-2"]
    assert len(store.dirty(10)) == 5
