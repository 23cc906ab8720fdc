"""The inventory worker: InventoryQueue -> sequence-guarded position updates -> InventoryChanged."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_idempotency_keys, grant_state_partitions, grant_trace_append


class InventoryWorkerConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        self.function: lambda_.Function = core.factory.function(
            self,
            specs.INVENTORY_WORKER,
            environment={
                **core.env(idempotency=True, state=True, trace=True, payloads=True, bus=True),
                c.ENV_DEFAULT_FULFILMENT_LOCATION: core.config.default_location_id,
                # Channel adapters enrich thin notifications (Square: Inventory API) while normalizing.
                c.ENV_SQUARE_API_BASE_URL: core.config.square_api_base_url,
            },
        )
        fn = self.function
        grant_idempotency_keys(core.idempotency_table, fn, c.IDEMPOTENCY_PREFIX_INVENTORY_WORKER)
        # Least privilege (issue 14.5; local/key_audit.py checks it): positions, the movement markers
        # (exactly once per event), and the reservation a shipment consumes.
        grant_state_partitions(core.state_table, fn, writes=[c.PK_POSITIONS, c.PK_MOVEMENTS, c.PK_RESERVATIONS])
        grant_trace_append(core.trace_table, fn)
        core.payloads.grant_read_payloads(fn)
        core.event_bus.grant_put_events_to(fn)
        consume_queue(fn, core.queues.inventory, batch_size=c.INVENTORY_QUEUE_BATCH_SIZE)
