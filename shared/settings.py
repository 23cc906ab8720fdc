"""Settings read from the function's environment once per cold start.

Every environment variable name is unique across the stack and means the same thing in
every function that has it (see infra/constants.py), so the local stack can run all the
handlers in one process.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Annotated, TypeVar

from pydantic import ConfigDict, Field

from shared.models.base import Model

T = TypeVar("T", bound="EnvSettings")


class EnvSettings(Model):
    """Fields are filled from upper-cased environment variables of the same name."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def from_env(cls: type[T]) -> T:
        values = {name: os.environ[name.upper()] for name in cls.model_fields if name.upper() in os.environ}
        return cls.model_validate(values)


class TablesSettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=3)]
    trace_table_name: Annotated[str, Field(min_length=3)]


class IdempotencySettings(EnvSettings):
    idempotency_table_name: Annotated[str, Field(min_length=3)]


class EventBusSettings(EnvSettings):
    event_bus_name: Annotated[str, Field(min_length=1)]


class ErpSettings(EnvSettings):
    erp_base_url: Annotated[str, Field(min_length=8)]
    erp_timeout_seconds: float = 10.0


class PullIntakeSettings(EnvSettings):
    """What queuing a pulled record needs (the same tables and queues as the webhook ingest)."""

    idempotency_table_name: Annotated[str, Field(min_length=3)]
    trace_table_name: Annotated[str, Field(min_length=3)]
    orders_queue_url: Annotated[str, Field(min_length=8)]
    inventory_queue_url: Annotated[str, Field(min_length=8)]
    payload_bucket_name: Annotated[str, Field(min_length=3)]


@lru_cache
def cached(settings_cls: type[T]) -> T:
    """The settings object for a class, read on first use in this process."""
    return settings_cls.from_env()
