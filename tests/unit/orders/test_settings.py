"""Handlers read their settings from the environment once per cold start, by the names in infra.constants."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from functions.orders.handlers import reserve_stock
from functions.orders.settings import CancelOrderSettings, ReserveStockSettings
from infra import constants as c
from shared.adapters.state_store import DynamoStateStore
from shared.settings import cached


@pytest.fixture(autouse=True)
def _fresh_cold_start() -> Iterator[None]:
    cached.cache_clear()
    reserve_stock.default_deps.cache_clear()
    yield
    cached.cache_clear()
    reserve_stock.default_deps.cache_clear()


def test_reserve_stock_is_wired_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(c.ENV_STATE_TABLE, "state-table")
    monkeypatch.setenv(c.ENV_TRACE_TABLE, "trace-table")
    monkeypatch.setenv(c.ENV_DEFAULT_FULFILMENT_LOCATION, "dc-west")

    deps = reserve_stock.default_deps()

    assert isinstance(deps.store, DynamoStateStore) and deps.store.table_name == "state-table"
    assert deps.policy.default_location_id == "dc-west"
    assert reserve_stock.default_deps() is deps  # once per cold start


def test_a_missing_setting_fails_at_cold_start_naming_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(c.ENV_STATE_TABLE, "state-table")
    monkeypatch.setenv(c.ENV_TRACE_TABLE, "trace-table")
    monkeypatch.delenv(c.ENV_DEFAULT_FULFILMENT_LOCATION, raising=False)

    with pytest.raises(ValueError, match="default_fulfilment_location_id"):
        cached(ReserveStockSettings)


def test_cancel_order_settings_combine_tables_erp_and_the_wms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(c.ENV_STATE_TABLE, "state-table")
    monkeypatch.setenv(c.ENV_TRACE_TABLE, "trace-table")
    monkeypatch.setenv(c.ENV_ERP_BASE_URL, "http://127.0.0.1:3101")
    monkeypatch.setenv(c.ENV_WMS_BASE_URL, "http://127.0.0.1:3109")

    settings = cached(CancelOrderSettings)

    assert (settings.state_table_name, settings.erp_base_url, settings.erp_timeout_seconds) == (
        "state-table",
        "http://127.0.0.1:3101",
        10.0,
    )
    assert settings.wms_base_url == "http://127.0.0.1:3109"
