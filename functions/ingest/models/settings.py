"""The ingest function's environment, read once per cold start."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings


class IngestSettings(EnvSettings):
    idempotency_table_name: Annotated[str, Field(min_length=3)]
    trace_table_name: Annotated[str, Field(min_length=3)]
    orders_queue_url: Annotated[str, Field(min_length=8)]
    inventory_queue_url: Annotated[str, Field(min_length=8)]
    catalog_queue_url: str | None = None  # the ERP's products and prices (the pricing worker's queue)
    payload_bucket_name: Annotated[str, Field(min_length=3)]
    # JSON secret {"<source>": "<secret>", ...}; per-source env overrides win (see adapters/secrets.py).
    webhook_secrets_arn: str | None = None
    # Optional override of the public base URL vendors call (Square signs `<base>/v1/webhooks/square`);
    # unset, the URL is the one each request was sent to (domain and path, stage prefix included).
    webhook_base_url: str | None = None
    environment_name: str = "local"
