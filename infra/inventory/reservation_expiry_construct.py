"""The reservation-expiry sweeper: an EventBridge schedule (every 5 minutes) -> expire_reservations.

It releases HELD reservations whose `hold_expires_at` has passed, so an abandoned order cannot hold
stock forever, and publishes InventoryChanged for the positions given back.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from constructs import Construct

from infra import constants as c
from infra.shared.core import CoreResources
from infra.storage.tables_construct import grant_state_partitions, grant_trace_append


class ReservationExpiryConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreResources,
    ) -> None:
        super().__init__(scope, construct_id)
        factory = core.factory
        state_table = core.state_table
        trace_table = core.trace_table
        event_bus = core.event_bus
        event_bus_name = core.bus.bus_name
        # One sweep at a time (reserved concurrency 1): two would only race each other for the same
        # reservations. The rule keeps the logical id CDK derived from its path (deployed that way).
        self.function, self.rule = factory.scheduled_function(
            self,
            c.ID_RESERVATION_EXPIRY_FUNCTION,
            schedule_id=c.ID_RESERVATION_EXPIRY_SCHEDULE,
            schedule=events.Schedule.rate(cdk.Duration.minutes(c.RESERVATION_EXPIRY_INTERVAL_MINUTES)),
            schedule_description="Every 5 minutes: release expired reservations",
            retry_attempts=2,
            max_event_age=cdk.Duration.minutes(5),
            stable_rule_id=False,
            handler=c.HANDLER_EXPIRE_RESERVATIONS,
            service="reservation-expiry",
            description="Release reservations whose hold has expired (scheduled every 5 minutes)",
            timeout_seconds=c.RESERVATION_EXPIRY_TIMEOUT_SECONDS,
            environment={
                **core.env(state=True, trace=True),
                c.ENV_EVENT_BUS: event_bus_name,
                c.ENV_RESERVATION_EXPIRY_BATCH_LIMIT: str(c.RESERVATION_EXPIRY_BATCH_LIMIT),
            },
        )
        fn = self.function
        # It finds expired reservations with a Scan (a read of the whole table: IAM cannot hold a
        # Scan to partitions); it writes only reservations and the positions they give back to.
        state_table.grant(fn, "dynamodb:Scan")
        grant_state_partitions(state_table, fn, writes=[c.PK_RESERVATIONS, c.PK_POSITIONS])
        grant_trace_append(trace_table, fn)
        event_bus.grant_put_events_to(fn)
