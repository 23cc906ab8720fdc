"""The finance functions' collaborators, built once per cold start (tests pass their own)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from functions.finance.dal.finance_store import DynamoFinanceStore
    from functions.finance.logic.settle import Settler


@lru_cache(maxsize=1)
def default_store() -> DynamoFinanceStore:
    from functions.finance.dal.finance_store import DynamoFinanceStore
    from functions.finance.settings import FinanceSettings
    from shared.settings import cached

    return DynamoFinanceStore(cached(FinanceSettings).state_table_name)


@lru_cache(maxsize=1)
def default_settler() -> Settler:
    # Imported here: the ERP client brings httpx, the stores boto3 (with their first call).
    from functions.finance.adapters.erp_journal import HttpErpJournal
    from functions.finance.logic.settle import Settler
    from functions.finance.settings import FinanceSettings
    from shared.adapters.erp_gateway import erp_connector
    from shared.adapters.exception_store import DynamoExceptionStore
    from shared.settings import cached

    settings = cached(FinanceSettings)
    store = default_store()
    erp = erp_connector(HttpErpJournal, settings.erp_base_url, settings.erp_timeout_seconds, lane="bulk")
    return Settler(
        orders=store,
        store=store,
        exceptions=DynamoExceptionStore(settings.state_table_name),
        erp=erp,
        tolerance=settings.settlement_tolerance,
    )
