"""What almost every construct needs, made once by the stack and handed over as one object.

A capability's construct takes `core: CoreResources` and only what is its own beside it (its
queues, the ERP gateway, the functions it wires to), instead of the six to fifteen separate
arguments each took before (issue 8.4). `env(...)` is the environment preset for the shared
tables, the payload bucket and the bus, so constructs stop copying `{STATE_TABLE_NAME: ...,
TRACE_TABLE_NAME: ...}` dicts; `consumer(...)` makes a function with its own queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from constructs import Construct

from infra import constants as c
from infra.availability.config import AvailabilityConfig
from infra.config import StackConfig
from infra.erp.gateway_wiring import ErpGatewayWiring
from infra.intake.config import PullChannelsConfig
from infra.messaging.event_bus_construct import EventBusConstruct
from infra.messaging.queues_construct import QueuesConstruct
from infra.secrets.secrets_construct import SecretsConstruct
from infra.shared.function_factory import FunctionFactory, FunctionSpec, QueueConsumer
from infra.shared.queues import domain_events_queue, queue_with_dlq
from infra.storage.payload_bucket_construct import PayloadBucketConstruct
from infra.storage.tables_construct import TablesConstruct


def only_set(environment: Mapping[str, str | None]) -> dict[str, str]:
    """The variables whose value is set: an unset (or empty) URL leaves its variable out."""
    return {name: value for name, value in environment.items() if value}


def _removal_policy(config: StackConfig) -> cdk.RemovalPolicy:
    """Production keeps its tables, buckets, secrets and logs when the stack goes; the others do not."""
    return cdk.RemovalPolicy.RETAIN if config.is_production else cdk.RemovalPolicy.DESTROY


@dataclass(frozen=True)
class CoreResources:
    factory: FunctionFactory
    tables: TablesConstruct
    queues: QueuesConstruct
    bus: EventBusConstruct
    payloads: PayloadBucketConstruct
    secrets: SecretsConstruct
    config: StackConfig
    # The channels' APIs (Walmart, eBay, Shopify, Amazon, Zalando) and the WMS, from CDK context.
    channel_apis: AvailabilityConfig
    pull_channels: PullChannelsConfig
    # One ERP gateway for every function that calls the ERP (issue 10.3).
    erp: ErpGatewayWiring

    @classmethod
    def build(cls, scope: Construct, config: StackConfig, factory: FunctionFactory) -> CoreResources:
        """The shared tables, payload bucket, domain queues, bus and secrets, made under `scope`, with
        the configuration read from its context."""
        removal = _removal_policy(config)
        tables = TablesConstruct(scope, "Tables", removal_policy=removal)
        payloads = PayloadBucketConstruct(scope, "Payloads", removal_policy=removal)
        queues = QueuesConstruct(
            scope,
            "Queues",
            orders_consumer_timeout_seconds=c.ORDERS_WORKER_TIMEOUT_SECONDS,
            inventory_consumer_timeout_seconds=c.INVENTORY_WORKER_TIMEOUT_SECONDS,
        )
        bus = EventBusConstruct(scope, "Events", environment=config.environment)
        secrets = SecretsConstruct(scope, "Secrets", environment=config.environment, removal_policy=removal)
        erp = ErpGatewayWiring(
            base_url=config.erp_base_url,
            concurrency_limit=config.erp_concurrency or c.DEFAULT_ERP_CONCURRENCY,
            bulk_share=config.erp_bulk_share,
            state_table=tables.state,
        )
        channel_apis = AvailabilityConfig.from_context(scope.node, config.environment)
        pull_channels = PullChannelsConfig.from_context(scope.node, config.environment)
        return cls(factory, tables, queues, bus, payloads, secrets, config, channel_apis, pull_channels, erp)

    @property
    def environment(self) -> str:
        return self.config.environment

    @property
    def removal_policy(self) -> cdk.RemovalPolicy:
        return _removal_policy(self.config)

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

    def env(
        self,
        *,
        state: bool = False,
        trace: bool = False,
        bus: bool = False,
        idempotency: bool = False,
        payloads: bool = False,
    ) -> dict[str, str]:
        """The variables naming the shared resources a function reads (its settings' fields)."""
        return {
            **({c.ENV_IDEMPOTENCY_TABLE: self.tables.idempotency.table_name} if idempotency else {}),
            **({c.ENV_STATE_TABLE: self.tables.state.table_name} if state else {}),
            **({c.ENV_TRACE_TABLE: self.tables.trace.table_name} if trace else {}),
            **({c.ENV_PAYLOAD_BUCKET: self.payloads.bucket.bucket_name} if payloads else {}),
            **({c.ENV_EVENT_BUS: self.bus.bus_name} if bus else {}),
        }

    def consumer(
        self, scope: Construct, spec: FunctionSpec, *, environment: Mapping[str, str] | None = None
    ) -> QueueConsumer:
        """The function `spec` describes and its own queue (`spec.queue`, with a bus rule feeding it
        when it names one), the queue's visibility timeout following the function's timeout. The
        construct calls `consume_queue` once it granted the function the rest of what it uses."""
        own = spec.queue
        assert own is not None, f"{spec.construct_id} has no queue of its own"
        if own.rule_id is None:
            queues = queue_with_dlq(scope, own.queue_id, own.dlq_id, consumer_timeout_seconds=spec.timeout_seconds)
        else:
            queues = domain_events_queue(
                scope,
                queue_id=own.queue_id,
                dlq_id=own.dlq_id,
                rule_id=own.rule_id,
                event_bus=self.event_bus,
                detail_types=own.detail_types,
                consumer_timeout_seconds=spec.timeout_seconds,
                description=own.rule_description,
            )
        return QueueConsumer(self.factory.function(scope, spec, environment=environment), queues)
