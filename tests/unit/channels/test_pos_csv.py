"""POS nightly files: whole-file checks, one receipt per transaction, store wall clock -> UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shared.channels.pos_csv import PosFileRejected, parse_pos_file, to_utc
from shared.channels.registry import adapter_for
from shared.models import Order
from shared.models.returns import StoreReturn
from tests.unit.channels.conftest import envelope
from tests.unit.channels.pull_fakes import POS_FILE, POS_TIME_ZONES, pos_text

HEADER = (
    "store_id,business_date,transaction_id,line_number,sold_at,sku,description,"
    "quantity,unit_price,discount,tax,currency,transaction_type\n"
)
pos = adapter_for("pos_csv")


def _row(
    transaction: str = "T1",
    line: str = "1",
    sold_at: str = "2026-11-22 10:00:00",
    sku: str = "SKU-1",
    quantity: str = "1",
    **more: str,
) -> str:
    values = {
        "unit_price": "10.00",
        "discount": "",
        "tax": "0.83",
        "currency": "USD",
        "transaction_type": "SALE",
        "store": "franchise-0042",
    }
    values.update(more)
    return (
        f"{values['store']},2026-11-22,{transaction},{line},{sold_at},{sku},Thing,{quantity},{values['unit_price']},"
        f"{values['discount']},{values['tax']},{values['currency']},{values['transaction_type']}\n"
    )


def test_rows_group_into_one_receipt_per_transaction_returns_included() -> None:
    parsed = parse_pos_file(pos_text("pos/franchise-0042_2026-11-22"), POS_TIME_ZONES, POS_FILE)

    assert [r["transaction_id"] for r in parsed.receipts] == ["T000981", "T000982", "T000983", "T000984"]
    assert [r["transaction_type"] for r in parsed.receipts] == ["SALE", "SALE", "RETURN", "SALE"]
    assert [len(r["rows"]) for r in parsed.receipts] == [2, 1, 1, 1]
    assert (parsed.sale_rows, parsed.return_rows, parsed.skipped_rows) == (4, 1, 0)
    assert parsed.receipts[0]["file"] == {"bucket": POS_FILE.bucket, "key": POS_FILE.key, "etag": POS_FILE.etag}


def test_the_delivery_is_the_sale_not_the_file() -> None:
    receipt = parse_pos_file(pos_text("pos/franchise-0042_2026-11-22"), POS_TIME_ZONES, POS_FILE).receipts[0]

    info = pos.describe_pulled(receipt)  # type: ignore[attr-defined]

    assert (info.delivery_id, info.event_type, info.domain) == ("franchise-0042/T000981", "StoreSale", "orders")


def test_store_wall_clock_becomes_utc_across_midnight() -> None:
    receipt = parse_pos_file(pos_text("pos/franchise-0042_2026-11-22"), POS_TIME_ZONES, POS_FILE).receipts[3]

    (order,) = pos.normalize(envelope("pos_csv", "StoreSale", receipt))

    assert isinstance(order, Order)
    assert order.placed_at == datetime(2026, 11, 23, 5, 41, 55, tzinfo=UTC)  # 23:41:55 CST on the 22nd
    assert order.fulfilment_location_id == "franchise-0042"
    assert (order.channel, order.channel_order_id) == ("pos", "franchise-0042-T000984")


def test_the_hour_that_happens_twice_is_read_as_its_first_occurrence() -> None:
    assert to_utc("2026-11-01 01:30:00", "America/Chicago") == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert to_utc("2026-10-25 02:30:00", "Europe/Berlin") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_time_the_clocks_skipped_is_refused() -> None:
    with pytest.raises(ValueError, match="skipped"):
        to_utc("2026-03-08 02:30:00", "America/Chicago")

    with pytest.raises(PosFileRejected) as rejected:
        parse_pos_file(HEADER + _row(sold_at="2026-03-08 02:30:00"), POS_TIME_ZONES, POS_FILE)
    assert rejected.value.details[0]["field"] == "sold_at"


def test_a_time_written_with_an_offset_is_taken_as_written() -> None:
    assert to_utc("2026-11-22T10:00:00+01:00", "America/Chicago") == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_every_bad_row_is_listed_and_nothing_is_returned() -> None:
    text = (
        HEADER
        + _row()
        + _row(transaction="T2", quantity="1.5")
        + _row(transaction="T3", unit_price="ten")
        + _row(transaction="T4", store="unknown-store")
    )

    with pytest.raises(PosFileRejected) as rejected:
        parse_pos_file(text, POS_TIME_ZONES, POS_FILE)

    assert [(d["row"], d["field"]) for d in rejected.value.details] == [
        (3, "quantity"),
        (4, "unit_price"),
        (5, "store_id"),
    ]


def test_a_file_without_the_header_is_rejected_naming_the_missing_columns() -> None:
    with pytest.raises(PosFileRejected) as rejected:
        parse_pos_file("store,sku\nx,y\n", POS_TIME_ZONES, POS_FILE)

    assert {d["field"] for d in rejected.value.details} >= {"store_id", "transaction_id", "sold_at", "quantity"}


def test_a_line_number_repeated_in_a_transaction_is_refused() -> None:
    with pytest.raises(PosFileRejected) as rejected:
        parse_pos_file(HEADER + _row() + _row(sku="SKU-2"), POS_TIME_ZONES, POS_FILE)

    assert rejected.value.details == [
        {"row": 3, "field": "line_number", "message": "line number repeated in the transaction"}
    ]


def test_a_default_time_zone_covers_stores_without_one() -> None:
    parsed = parse_pos_file(HEADER + _row(store="franchise-9999"), POS_TIME_ZONES, POS_FILE, default_time_zone="UTC")

    assert parsed.receipts[0]["time_zone"] == "UTC"


def test_a_byte_order_mark_and_blank_lines_are_tolerated() -> None:
    parsed = parse_pos_file("\ufeff" + HEADER + _row() + ",,,,,,,,,,,,\n", POS_TIME_ZONES, POS_FILE)

    assert len(parsed.receipts) == 1


def test_a_return_transaction_becomes_a_store_return_at_the_store_in_utc() -> None:
    receipt = parse_pos_file(pos_text("pos/franchise-0042_2026-11-22"), POS_TIME_ZONES, POS_FILE).receipts[2]

    info = pos.describe_pulled(receipt)  # type: ignore[attr-defined]
    (store_return,) = pos.normalize(envelope("pos_csv", info.event_type, receipt))

    assert (info.delivery_id, info.event_type, info.domain) == (
        "franchise-0042/T000983/return",
        "StoreReturn",
        "orders",
    )
    assert isinstance(store_return, StoreReturn)
    assert (store_return.channel, store_return.return_id) == ("pos", "franchise-0042-T000983")
    assert store_return.location_id == "franchise-0042"
    assert store_return.returned_at == datetime(2026, 11, 23, 0, 3, 27, tzinfo=UTC)  # 18:03:27 CST on the 22nd
    assert store_return.amount.amount == Decimal("219.40")  # 199.00 + 20.40 tax
    assert [(line.sku, line.quantity) for line in store_return.lines] == [("IPOD2008PINK", 1)]


def test_an_exchange_receipt_gives_a_sale_and_a_return_with_distinct_deliveries() -> None:
    text = HEADER + _row("T9", "1", sku="SKU-NEW") + _row("T9", "2", sku="SKU-OLD", transaction_type="RETURN")

    parsed = parse_pos_file(text, POS_TIME_ZONES, POS_FILE)

    sale, refund = (pos.describe_pulled(r) for r in parsed.receipts)  # type: ignore[attr-defined]
    assert (sale.delivery_id, refund.delivery_id) == ("franchise-0042/T9", "franchise-0042/T9/return")
    assert (parsed.sale_rows, parsed.return_rows) == (1, 1)


def test_a_return_total_is_units_times_price_less_discount_plus_tax() -> None:
    text = (
        HEADER
        + _row("R1", "1", quantity="2", discount="1.00", transaction_type="RETURN")
        + _row("R1", "2", sku="SKU-2", transaction_type="RETURN")
    )
    receipt = parse_pos_file(text, POS_TIME_ZONES, POS_FILE).receipts[0]

    (store_return,) = pos.normalize(envelope("pos_csv", "StoreReturn", receipt))

    assert isinstance(store_return, StoreReturn)
    refunds = [line.refund_amount.amount for line in store_return.lines if line.refund_amount is not None]
    assert refunds == [Decimal("19.83"), Decimal("10.83")]  # 2 x 10.00 - 1.00 + 0.83; 10.00 + 0.83
    assert store_return.amount.amount == Decimal("30.66")


def test_void_rows_are_skipped_and_counted() -> None:
    text = HEADER + _row("T1") + _row("T2", transaction_type="VOID")

    parsed = parse_pos_file(text, POS_TIME_ZONES, POS_FILE)

    assert [r["transaction_id"] for r in parsed.receipts] == ["T1"]
    assert parsed.skipped_rows == 1


BORIS_HEADER = HEADER.rstrip("\n") + ",original_order\n"


def test_a_store_return_of_an_online_order_names_that_order_for_returnflow() -> None:
    # Buy online, return in store: the till refunds, the RETURN rows name the Shopify order.
    row = _row("R7", "1", sku="IPOD2008BLACK", unit_price="199.00", tax="11.94", transaction_type="RETURN")
    text = BORIS_HEADER + row.rstrip("\n") + ",shopify:450789469\n"
    receipt = parse_pos_file(text, POS_TIME_ZONES, POS_FILE).receipts[0]

    (store_return,) = pos.normalize(envelope("pos_csv", "StoreReturn", receipt))

    assert isinstance(store_return, StoreReturn)
    assert (store_return.order_channel, store_return.channel_order_id) == ("shopify", "450789469")
    assert (store_return.channel, store_return.location_id) == ("pos", "franchise-0042")


def test_an_original_order_on_a_sale_or_in_another_shape_is_refused_with_the_row() -> None:
    sale = _row("S1", "1").rstrip("\n") + ",shopify:450789469\n"
    odd = _row("R8", "1", transaction_type="RETURN").rstrip("\n") + ",myshop/450789469\n"

    with pytest.raises(PosFileRejected) as refused:
        parse_pos_file(BORIS_HEADER + sale + odd, POS_TIME_ZONES, POS_FILE)

    assert [(d["row"], d["field"]) for d in refused.value.details] == [(2, "original_order"), (3, "original_order")]
