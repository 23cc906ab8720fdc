"""The cost model's arithmetic: DynamoDB item sizes and request units as AWS documents them, and
list prices turned into dollars per 1M orders."""

from __future__ import annotations

from decimal import Decimal

from bench.cost import Usage, _units, accept_floor, item_size


def test_an_item_size_is_attribute_names_plus_values_as_dynamodb_counts_them() -> None:
    # "Item sizes and formats": strings by UTF-8 length, names count too.
    assert item_size({"pk": {"S": "ORDER#1"}}) == 2 + 7
    assert item_size({"name": {"S": "Zoë"}}) == 4 + 4


def test_numbers_cost_one_byte_per_two_significant_digits_plus_one() -> None:
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"n": {"N": "0.0012"}}) == 1 + 2


def test_maps_and_lists_carry_three_bytes_plus_one_per_element() -> None:
    assert item_size({"m": {"M": {"a": {"S": "x"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert item_size({"l": {"L": [{"BOOL": True}, {"NULL": True}]}}) == 1 + 3 + 2 + 2


def test_a_write_is_one_unit_per_started_kilobyte_and_a_read_per_four() -> None:
    assert _units(0, 1024) == 1
    assert _units(1024, 1024) == 1
    assert _units(1380, 1024) == 2
    assert _units(4097, 4096) == 2


def test_dollars_per_million_orders_apply_the_list_price_per_meter() -> None:
    usage = Usage()
    usage.add("accept", "apigateway_rest_request", 1)
    usage.add("accept", "dynamodb_wru", 25)
    usage.add("accept", "lambda_gb_second", Decimal("0.25"))
    dollars = usage.dollars_per_million()
    assert dollars[("accept", "apigateway_rest_request")] == Decimal("3.50")
    assert dollars[("accept", "dynamodb_wru")] == Decimal("15.625")
    assert round(dollars[("accept", "lambda_gb_second")], 2) == Decimal("4.17")


def test_the_accept_floor_keeps_only_what_the_requirements_fix_and_prices_it() -> None:
    usage = Usage()
    usage.add("accept", "apigateway_rest_request", 1)
    usage.add("accept", "waf_request", 1)
    usage.add("accept", "sqs_request", 2)
    usage.add("accept", "sfn_express_request", 1)
    usage.add("accept", "events_event", 1)
    usage.add("accept", "lambda_request", 5)
    usage.add("accept", "lambda_gb_second", Decimal("0.2"))
    for operation, table, units in [
        ("PutItem", "IdempotencyTable", 1),
        ("UpdateItem", "IdempotencyTable", 1),
        ("PutItem", "IdempotencyTable", 1),
        ("UpdateItem", "IdempotencyTable", 1),
        ("TransactWriteItems", "StateTable", 8),
        ("PutItem", "TraceTable", 6),
    ]:
        usage.add_write("accept", operation, table, units)
    usage.add_write("after", "PutItem", "IdempotencyTable", 3)  # not the accept path's

    floor = {part.part: part for part in accept_floor(usage)}

    assert floor["idempotency writes, edge and domain"].amount == 4
    assert floor["reservation transaction"].amount == 8
    assert floor["Lambda requests: ingest, orders worker"].amount == 2  # of the 5 measured
    assert floor["trace items, one per invocation above"].amount == 2  # of the 6 measured
    # REST 3.50 + WAF 0.60 + SQS 0.80 + Lambda 0.40 + Express 1.00 + event 1.00 + 15 WRU 9.375
    assert sum(part.dollars_per_million for part in floor.values()) == Decimal("16.675")
