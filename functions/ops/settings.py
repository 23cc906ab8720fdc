"""Settings of the ops API (read once per cold start)."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator

from shared.settings import TablesSettings


class OpsSettings(TablesSettings):
    # What each channel may sell comes from the allocation rules in the state table
    # (PUT /v1/ops/allocation-rules), which also say which locations feed which channel.
    # Replay of parked orders needs both; without them the route answers 503.
    orders_parking_queue_url: Annotated[str, Field(min_length=1)] | None = None
    order_flow_arn: Annotated[str, Field(min_length=1)] | None = None
    # Retrying an enrichment exception puts its envelope back on the orders queue; without it, 503.
    orders_queue_url: Annotated[str, Field(min_length=1)] | None = None
    # On-demand reconciliation runs invoke it; without it POST /v1/ops/reconciliations/... answers 503.
    reconciliation_function_name: Annotated[str, Field(min_length=1)] | None = None
    # Settlement runs invoke finance's function; without it POST /v1/ops/reconciliations/settlement answers 503.
    settlement_function_name: Annotated[str, Field(min_length=1)] | None = None
    # Retrying a settlement exception puts its payout reference back on the finance queue; without it, 400.
    finance_queue_url: Annotated[str, Field(min_length=1)] | None = None
    # Every work queue with a DLQ, by short name: JSON `{"orders": {"queue": url, "dlq": url}, ...}`
    # (infra/ops/ops_api_construct.py). Redrive (POST /v1/ops/dlq/{queue}/redrive) and retrying a
    # dead_letter or channel_command exception use it; without it, 503.
    dead_letter_queues: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("dead_letter_queues", mode="before")
    @classmethod
    def _from_json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value
