"""Settings of the orders functions, one model per handler (read once per cold start)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import ErpSettings, IdempotencySettings, TablesSettings


class OrdersWorkerSettings(IdempotencySettings):
    trace_table_name: Annotated[str, Field(min_length=3)]
    order_flow_arn: Annotated[str, Field(min_length=20)]


class ReserveStockSettings(TablesSettings):
    default_fulfilment_location_id: Annotated[str, Field(min_length=1)]
    # How long a reservation holds stock before issue 4's sweeper may release it.
    reservation_hold_seconds: Annotated[int, Field(gt=0)] = 7 * 24 * 3600


class CreateErpSalesOrderSettings(TablesSettings, ErpSettings):
    pass


class RecordOrderSettings(TablesSettings):
    pass


class CancelOrderSettings(TablesSettings, ErpSettings):
    pass
