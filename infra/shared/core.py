"""What almost every construct needs, made once by the stack and handed over as one object.

A capability's construct takes `core: CoreResources` and only what is its own beside it (its
queues, its configuration, the ERP gateway), instead of the six to fifteen separate arguments each
took before (issue 8.4). `env(...)` is the environment preset for the shared tables and the bus,
so constructs stop copying `{STATE_TABLE_NAME: ..., TRACE_TABLE_NAME: ...}` dicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events

from infra import constants as c
from infra.messaging.event_bus_construct import EventBusConstruct
from infra.messaging.queues_construct import QueuesConstruct
from infra.secrets.secrets_construct import SecretsConstruct
from infra.shared.function_factory import FunctionFactory
from infra.storage.payload_bucket_construct import PayloadBucketConstruct
from infra.storage.tables_construct import TablesConstruct


@dataclass(frozen=True)
class CoreResources:
    factory: FunctionFactory
    tables: TablesConstruct
    queues: QueuesConstruct
    bus: EventBusConstruct
    payloads: PayloadBucketConstruct
    secrets: SecretsConstruct
    environment: str
    removal_policy: cdk.RemovalPolicy

    @property
    def state_table(self) -> dynamodb.ITable:
        return self.tables.state

    @property
    def trace_table(self) -> dynamodb.ITable:
        return self.tables.trace

    @property
    def idempotency_table(self) -> dynamodb.ITable:
        return self.tables.idempotency

    @property
    def event_bus(self) -> events.IEventBus:
        return self.bus.bus

    def env(self, *, state: bool = False, trace: bool = False, bus: bool = False) -> dict[str, str]:
        """The variables naming the shared resources a function reads (its settings' fields)."""
        return {
            **({c.ENV_STATE_TABLE: self.tables.state.table_name} if state else {}),
            **({c.ENV_TRACE_TABLE: self.tables.trace.table_name} if trace else {}),
            **({c.ENV_EVENT_BUS: self.bus.bus_name} if bus else {}),
        }
