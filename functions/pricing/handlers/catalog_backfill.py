"""Catalog backfill (EventBridge schedule, daily): the ERP's full item and price export, read through
the ERP gateway's bulk lane (it never takes acceptance's or refunds' slots), applied per version
(functions/pricing/logic/backfill.py); the SKUs it changed are published by the next price run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.models import utc_now
from shared.observability import entry_point, logger
from shared.settings import cached

if TYPE_CHECKING:
    from functions.pricing.logic.backfill import CatalogExport


@entry_point
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, export: CatalogExport | None = None
) -> dict[str, int]:
    from functions.pricing.adapters.erp_export import ErpCatalogExport
    from functions.pricing.handlers.pricing_worker import default_ports
    from functions.pricing.logic.backfill import backfill
    from functions.pricing.settings import CatalogBackfillSettings
    from shared.adapters.erp_gateway import erp_connector

    settings = cached(CatalogBackfillSettings)
    source = export or erp_connector(ErpCatalogExport, settings.erp_base_url, settings.erp_timeout_seconds, lane="bulk")
    store, boundaries = default_ports()
    counts = backfill(source, store, boundaries, utc_now)
    logger.info("catalog backfilled", counts=counts)
    return counts
