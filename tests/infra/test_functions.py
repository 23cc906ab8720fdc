"""The function factory: runtime, tracing, Powertools settings, environment, shared code asset."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from infra import constants as c
from tests.infra.conftest import functions_by_id

HANDLERS = {
    c.ID_INGEST_FUNCTION: c.HANDLER_INGEST,
    c.ID_ORDERS_WORKER_FUNCTION: c.HANDLER_ORDERS_WORKER,
    c.ID_RESERVE_STOCK_FUNCTION: c.HANDLER_RESERVE_STOCK,
    c.ID_CREATE_ERP_SALES_ORDER_FUNCTION: c.HANDLER_CREATE_ERP_SALES_ORDER,
    c.ID_RECORD_ORDER_FUNCTION: c.HANDLER_RECORD_ORDER,
    c.ID_RECORD_FLOW_FAILURE_FUNCTION: c.HANDLER_RECORD_FLOW_FAILURE,
    c.ID_PARKED_REPLAY_FUNCTION: c.HANDLER_REPLAY_PARKED,
    c.ID_HELD_RETRY_FUNCTION: c.HANDLER_RETRY_HELD,
    c.ID_CANCEL_ORDER_FUNCTION: c.HANDLER_CANCEL_ORDER,
    c.ID_INVENTORY_WORKER_FUNCTION: c.HANDLER_INVENTORY_WORKER,
    c.ID_RESERVATION_EXPIRY_FUNCTION: c.HANDLER_EXPIRE_RESERVATIONS,
    c.ID_OPS_API_FUNCTION: c.HANDLER_OPS_API,
    c.ID_AMAZON_ORDER_CHANGE_FUNCTION: c.HANDLER_AMAZON_ORDER_CHANGE,
    c.ID_AMAZON_ORDERS_POLLER_FUNCTION: c.HANDLER_AMAZON_ORDERS_POLLER,
    c.ID_ZALANDO_ORDERS_POLLER_FUNCTION: c.HANDLER_ZALANDO_ORDERS_POLLER,
    c.ID_POS_FILES_FUNCTION: c.HANDLER_POS_FILES,
    c.ID_AVAILABILITY_MARKER_FUNCTION: c.HANDLER_AVAILABILITY_MARKER,
    c.ID_AVAILABILITY_PUBLISHER_FUNCTION: c.HANDLER_AVAILABILITY_PUBLISHER,
    c.ID_RECONCILIATION_FUNCTION: c.HANDLER_RECONCILIATION,
    c.ID_CHANNEL_OUTBOUND_FUNCTION: c.HANDLER_CHANNEL_OUTBOUND,
    c.ID_CUSTOMER_STATUS_FUNCTION: c.HANDLER_CUSTOMER_STATUS_EVENTS,
    c.ID_STATUS_API_FUNCTION: c.HANDLER_CUSTOMER_STATUS_API,
    c.ID_STUCK_RETURNS_FUNCTION: c.HANDLER_SWEEP_STUCK_RETURNS,
    c.ID_SETTLEMENT_WORKER_FUNCTION: c.HANDLER_SETTLEMENT_WORKER,
    c.ID_SETTLEMENT_RECONCILIATION_FUNCTION: c.HANDLER_SETTLEMENT_RECONCILIATION,
    c.ID_SETTLEMENT_POLLER_FUNCTION: c.HANDLER_SETTLEMENT_POLLER,
    c.ID_PRICING_WORKER_FUNCTION: c.HANDLER_PRICING_WORKER,
    c.ID_PRICE_PUBLISHER_FUNCTION: c.HANDLER_PRICE_PUBLISHER,
    c.ID_CATALOG_BACKFILL_FUNCTION: c.HANDLER_CATALOG_BACKFILL,
    c.ID_ERP_FULFILMENT_FUNCTION: c.HANDLER_ERP_FULFILMENT,
    c.ID_RETURN_EVENTS_FUNCTION: c.HANDLER_RETURN_EVENTS,
    **{
        logical_id: f"functions.returns.handlers.{module}.lambda_handler"
        for logical_id, (module, _, _) in c.RETURN_STEP_FUNCTIONS.items()
    },
}


def test_each_function_runs_its_handler_from_constants(resources: dict[str, dict[str, Any]]) -> None:
    functions = functions_by_id(resources)
    assert {fid: fn["Properties"]["Handler"] for fid, fn in functions.items()} == HANDLERS


def test_functions_run_python312_x86_with_active_tracing_and_powertools_settings(
    resources: dict[str, dict[str, Any]],
) -> None:
    for fid, fn in functions_by_id(resources).items():
        props = fn["Properties"]
        assert props["Runtime"] == c.LAMBDA_RUNTIME_PYTHON, fid
        assert props["Architectures"] == ["x86_64"], fid
        assert props["TracingConfig"] == {"Mode": "Active"}, fid
        env = props["Environment"]["Variables"]
        assert env[c.ENV_POWERTOOLS_METRICS_NAMESPACE] == c.METRICS_NAMESPACE
        assert env[c.ENV_POWERTOOLS_SERVICE_NAME]
        assert env[c.ENV_LOG_LEVEL]
        assert env[c.ENV_ENVIRONMENT_NAME] == "test"


def test_every_function_logs_to_its_own_retained_log_group(resources: dict[str, dict[str, Any]]) -> None:
    groups = set()
    for fn in functions_by_id(resources).values():
        group_id = fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert resources[group_id]["Properties"]["RetentionInDays"] > 0
        groups.add(group_id)
    assert len(groups) == len(HANDLERS)


def test_an_env_var_name_has_one_value_across_all_functions(resources: dict[str, dict[str, Any]]) -> None:
    # The local stack runs every handler in one process with the union of their environments.
    values: dict[str, set[str]] = defaultdict(set)
    for fn in functions_by_id(resources).values():
        for name, value in fn["Properties"]["Environment"]["Variables"].items():
            values[name].add(repr(value))
    conflicting = {n: v for n, v in values.items() if len(v) > 1 and n != c.ENV_POWERTOOLS_SERVICE_NAME}
    assert conflicting == {}


def test_all_functions_share_one_code_asset(resources: dict[str, dict[str, Any]]) -> None:
    keys = {repr(fn["Properties"]["Code"]) for fn in functions_by_id(resources).values()}
    assert len(keys) == 1


def test_erp_writer_has_bounded_concurrency(resources: dict[str, dict[str, Any]]) -> None:
    props = resources[c.ID_CREATE_ERP_SALES_ORDER_FUNCTION]["Properties"]
    assert props["ReservedConcurrentExecutions"] == c.DEFAULT_ERP_CONCURRENCY


def test_outside_urls_and_location_come_from_context_defaults(resources: dict[str, dict[str, Any]]) -> None:
    erp_env = resources[c.ID_CREATE_ERP_SALES_ORDER_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert erp_env[c.ENV_ERP_BASE_URL] == "https://erp.example.invalid"
    reserve_env = resources[c.ID_RESERVE_STOCK_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert reserve_env[c.ENV_DEFAULT_FULFILMENT_LOCATION] == "dc-east"
    worker_env = resources[c.ID_ORDERS_WORKER_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert worker_env[c.ENV_ORDER_FLOW_ARN] == {"Ref": c.ID_ORDER_FLOW}
    ingest_env = resources[c.ID_INGEST_FUNCTION]["Properties"]["Environment"]["Variables"]
    # No public URL is configured by default: the ingest function takes each request's own URL.
    assert c.ENV_WEBHOOK_BASE_URL not in ingest_env
