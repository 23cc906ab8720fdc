"""Settings of the orders functions, one model per handler (read once per cold start)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings, ErpSettings, IdempotencySettings, TablesSettings


class OrdersWorkerSettings(IdempotencySettings):
    trace_table_name: Annotated[str, Field(min_length=3)]
    order_flow_arn: Annotated[str, Field(min_length=20)]
    # A failed vendor read is retried with backoff, then kept as an `enrichment` exception in the
    # state table (functions/orders/logic/enrichment.py); without both, it is retried until the DLQ.
    state_table_name: Annotated[str, Field(min_length=3)] | None = None
    orders_queue_url: Annotated[str, Field(min_length=1)] | None = None
    # Below the queue's maxReceiveCount (infra/constants.py), so SQS never dead-letters it first.
    enrichment_max_attempts: Annotated[int, Field(ge=1)] = 4
    enrichment_backoff_seconds: Annotated[int, Field(ge=1)] = 30


class ReserveStockSettings(TablesSettings):
    default_fulfilment_location_id: Annotated[str, Field(min_length=1)]
    # How long a reservation holds stock before issue 4's sweeper may release it.
    reservation_hold_seconds: Annotated[int, Field(gt=0)] = 7 * 24 * 3600


class CreateErpSalesOrderSettings(TablesSettings, ErpSettings):
    pass


class RecordOrderSettings(TablesSettings):
    pass


class WmsSettings(EnvSettings):
    """The WMS that takes fulfilment instructions and their cancels (functions/orders/adapters/wms.py)."""

    wms_base_url: Annotated[str, Field(min_length=8)]


class CancelOrderSettings(TablesSettings, ErpSettings, WmsSettings):
    pass


class ParkedReplaySettings(ErpSettings):
    state_table_name: Annotated[str, Field(min_length=3)]  # the order items and the ERP backlog
    orders_parking_queue_url: Annotated[str, Field(min_length=1)]
    order_flow_arn: Annotated[str, Field(min_length=20)]


class HeldRetrySettings(TablesSettings):
    order_flow_arn: Annotated[str, Field(min_length=20)]
    default_fulfilment_location_id: Annotated[str, Field(min_length=1)]


class ErpFulfilmentSettings(TablesSettings, ErpSettings, WmsSettings):
    pass
