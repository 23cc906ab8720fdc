"""The inventory worker: InventoryQueue -> sequence-guarded position updates -> InventoryChanged."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.shared.function_factory import FunctionFactory, consume_queue
from infra.storage.payload_bucket_construct import PayloadBucketConstruct
from infra.storage.tables_construct import grant_idempotency_keys, grant_state_partitions, grant_trace_append


class InventoryWorkerConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        queue: sqs.IQueue,
        idempotency_table: dynamodb.ITable,
        state_table: dynamodb.ITable,
        trace_table: dynamodb.ITable,
        payloads: PayloadBucketConstruct,
        event_bus: events.IEventBus,
        event_bus_name: str,
        default_location_id: str,
        square_api_base_url: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function: lambda_.Function = factory.function(
            self,
            c.ID_INVENTORY_WORKER_FUNCTION,
            handler=c.HANDLER_INVENTORY_WORKER,
            service="inventory-worker",
            description="Inventory worker: apply adjustments and shipments per SKU and location",
            timeout_seconds=c.INVENTORY_WORKER_TIMEOUT_SECONDS,
            environment={
                c.ENV_IDEMPOTENCY_TABLE: idempotency_table.table_name,
                c.ENV_STATE_TABLE: state_table.table_name,
                c.ENV_TRACE_TABLE: trace_table.table_name,
                c.ENV_PAYLOAD_BUCKET: payloads.bucket.bucket_name,
                c.ENV_EVENT_BUS: event_bus_name,
                c.ENV_DEFAULT_FULFILMENT_LOCATION: default_location_id,
                # Channel adapters enrich thin notifications (Square: Inventory API) while normalizing.
                c.ENV_SQUARE_API_BASE_URL: square_api_base_url,
            },
        )
        fn = self.function
        grant_idempotency_keys(idempotency_table, fn, c.IDEMPOTENCY_PREFIX_INVENTORY_WORKER)
        # Least privilege (issue 14.5; local/key_audit.py checks it): positions, the movement markers
        # (exactly once per event), and the reservation a shipment consumes.
        grant_state_partitions(state_table, fn, writes=[c.PK_POSITIONS, c.PK_MOVEMENTS, c.PK_RESERVATIONS])
        grant_trace_append(trace_table, fn)
        payloads.grant_read_payloads(fn)
        event_bus.grant_put_events_to(fn)
        consume_queue(fn, queue, batch_size=c.INVENTORY_QUEUE_BATCH_SIZE)
