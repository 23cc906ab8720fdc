"""The reservation-expiry sweeper: an EventBridge schedule (every 5 minutes) -> expire_reservations.

It releases HELD reservations whose `hold_expires_at` has passed, so an abandoned order cannot hold
stock forever, and publishes InventoryChanged for the positions given back.
"""

from __future__ import annotations

from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.storage.tables_construct import grant_state_partitions, grant_trace_append


class ReservationExpiryConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        state_table = core.state_table
        self.function = core.factory.function(
            self,
            specs.RESERVATION_EXPIRY,
            environment={
                **core.env(state=True, trace=True, bus=True),
                c.ENV_RESERVATION_EXPIRY_BATCH_LIMIT: str(c.RESERVATION_EXPIRY_BATCH_LIMIT),
            },
        )
        fn = self.function
        # It finds expired reservations with a Scan (a read of the whole table: IAM cannot hold a
        # Scan to partitions); it writes only reservations and the positions they give back to.
        state_table.grant(fn, "dynamodb:Scan")
        grant_state_partitions(state_table, fn, writes=[c.PK_RESERVATIONS, c.PK_POSITIONS])
        grant_trace_append(core.trace_table, fn)
        core.event_bus.grant_put_events_to(fn)
