"""Channel-safe availability: domain events -> coalescing queue -> dirty markers -> publisher.

- `AvailabilityChangesRule` on the domain bus sends InventoryChanged / Order* events to
  `AvailabilityChangesQueue` (SSE-SQS, DLQ after 5 receives).
- `AvailabilityMarkerFunction` drains it in batches of 100 (1 s window): one UpdateItem per
  distinct SKU per batch, whatever the number of movements.
- `AvailabilityPublisherFunction` runs every minute with reserved concurrency 1 (so its client-side
  rate limits are the account's, and two runs never publish the same SKU at once).
- The ops function may write only the items it manages (rules, listing ids, dirty markers,
  reconciliation runs): a `dynamodb:LeadingKeys` condition on its writes.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_leading_keys, grant_state_partitions

# Partition keys of the state-table items the ops API writes (functions/availability/dal, functions/reconciliation/dal).
OPS_WRITABLE_LEADING_KEYS = ["ALLOCATION_RULES", "AVAILABILITY#DIRTY", "LISTINGS", "RECON#*"]


class AvailabilityConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources, ops: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        state_table = core.state_table
        table_env = core.env(state=True)
        self.marker, (self.queue, self.dlq) = core.consumer(self, specs.AVAILABILITY_MARKER, environment=table_env)
        grant_state_partitions(
            state_table, self.marker, reads=[], writes=["AVAILABILITY#DIRTY"], write_actions=("dynamodb:UpdateItem",)
        )
        consume_queue(
            self.marker,
            self.queue,
            batch_size=c.AVAILABILITY_MARKER_BATCH_SIZE,
            max_batching_window_seconds=c.AVAILABILITY_MARKER_BATCHING_WINDOW_SECONDS,
        )

        self.publisher = core.factory.function(
            self,
            specs.AVAILABILITY_PUBLISHER,
            environment={**table_env, **core.channel_apis.publisher_environment()},
        )
        # Reads the rules, listing ids and positions; writes only its markers, what it published and
        # its feed counts (shared/adapters/availability_store.py).
        grant_state_partitions(
            state_table,
            self.publisher,
            reads=["ALLOCATION_RULES", "LISTINGS", c.PK_POSITIONS, "AVAILABILITY#*"],
            writes=["AVAILABILITY#*"],
            write_actions=("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
            read_actions=("dynamodb:GetItem", "dynamodb:Query"),
        )

        # Ops: rules, listing ids, dirty markers (republish), reconciliation runs; nothing else.
        grant_leading_keys(state_table, ops, ["dynamodb:PutItem", "dynamodb:UpdateItem"], OPS_WRITABLE_LEADING_KEYS)

    @property
    def functions(self) -> dict[str, lambda_.IFunction]:
        return {c.ID_AVAILABILITY_MARKER_FUNCTION: self.marker, c.ID_AVAILABILITY_PUBLISHER_FUNCTION: self.publisher}
