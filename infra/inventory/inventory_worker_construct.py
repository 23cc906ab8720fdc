"""The inventory worker: InventoryQueue -> sequence-guarded position updates -> InventoryChanged."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_idempotency_keys, grant_state_partitions, grant_trace_append


class InventoryWorkerConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreResources,
        queue: sqs.IQueue,
        default_location_id: str,
        square_api_base_url: str,
    ) -> None:
        super().__init__(scope, construct_id)
        factory = core.factory
        idempotency_table = core.idempotency_table
        state_table = core.state_table
        trace_table = core.trace_table
        payloads = core.payloads
        event_bus = core.event_bus
        event_bus_name = core.bus.bus_name
        self.function: lambda_.Function = factory.function(
            self,
            c.ID_INVENTORY_WORKER_FUNCTION,
            handler=c.HANDLER_INVENTORY_WORKER,
            service="inventory-worker",
            description="Inventory worker: apply adjustments and shipments per SKU and location",
            timeout_seconds=c.INVENTORY_WORKER_TIMEOUT_SECONDS,
            environment={
                c.ENV_IDEMPOTENCY_TABLE: idempotency_table.table_name,
                **core.env(state=True, trace=True),
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
