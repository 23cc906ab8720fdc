"""The dependencies the OrderFlow task handlers share, built once per cold start from settings.

Every task reads and writes the order state and appends to the trace; CreateErpSalesOrder and
CancelOrder also call the ERP. Tests pass their own ``Deps`` (in-memory stores, a fake ERP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from shared.adapters.state_store import DynamoStateStore, StateStore
from shared.adapters.trace_store import DynamoTraceStore, TraceSink
from shared.settings import TablesSettings

if TYPE_CHECKING:
    from functions.orders.adapters.erp import ErpPort
    from functions.orders.logic.create_erp_sales_order import BacklogPort


@dataclass(frozen=True)
class StoreDeps:
    store: StateStore
    trace: TraceSink


@dataclass(frozen=True)
class ErpDeps:
    store: StateStore
    erp: ErpPort
    trace: TraceSink
    backlog: BacklogPort | None = None  # the ERP backlog a new order joins (CreateErpSalesOrder)


def store_deps(settings: TablesSettings) -> StoreDeps:
    """The state store and trace of the tables named in ``settings``."""
    return StoreDeps(DynamoStateStore(settings.state_table_name), DynamoTraceStore(settings.trace_table_name))


class TablesAndErpSettings(Protocol):
    """``TablesSettings`` and ``ErpSettings`` together (the settings of the tasks that call the ERP)."""

    @property
    def state_table_name(self) -> str: ...
    @property
    def trace_table_name(self) -> str: ...
    @property
    def erp_base_url(self) -> str: ...
    @property
    def erp_timeout_seconds(self) -> float: ...


def erp_deps(settings: TablesAndErpSettings) -> ErpDeps:
    """The state store, ERP client and trace named in ``settings``."""
    # Here, not at import: the ERP client brings httpx (about 30 ms) that ReserveStock and
    # RecordOrder, which share this module, never use.
    from functions.orders.adapters.erp import HttpErp
    from shared.adapters.erp_gateway import ErpBacklog, erp_connector

    return ErpDeps(
        store=DynamoStateStore(settings.state_table_name),
        erp=erp_connector(HttpErp, settings.erp_base_url, settings.erp_timeout_seconds, lane="priority"),
        trace=DynamoTraceStore(settings.trace_table_name),
        backlog=ErpBacklog(settings.state_table_name),
    )
