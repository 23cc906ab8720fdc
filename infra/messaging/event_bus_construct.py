"""The domain event bus (`retail-sync-<env>`) and an archive of everything retail-sync publishes."""

from __future__ import annotations

from aws_cdk import aws_events as events
from constructs import Construct

from infra import constants as c
from infra.shared.logical_ids import pin_logical_id


class EventBusConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: str) -> None:
        super().__init__(scope, construct_id)
        # The literal name (not a Ref) is what functions get: moto's CloudFormation resolves a Ref to
        # an EventBus into an object instead of its name.
        self.bus_name = f"{c.SERVICE}-{environment}"
        self.bus = events.EventBus(self, c.ID_EVENT_BUS, event_bus_name=self.bus_name)
        pin_logical_id(self.bus, c.ID_EVENT_BUS)

        # Replayable history of domain events (for a new consumer or after a consumer bug). The bus
        # carries only retail-sync's own events, so the archive takes everything on it (no pattern:
        # moto's CloudFormation also cannot parse an archive pattern given as an object).
        self.archive = events.CfnArchive(
            self,
            c.ID_EVENT_ARCHIVE,
            source_arn=self.bus.event_bus_arn,
            archive_name=f"{c.SERVICE}-{environment}-events"[:48],
            description=f"{c.SERVICE} {environment} domain events",
            retention_days=c.EVENT_ARCHIVE_RETENTION_DAYS,
        )
        self.archive.override_logical_id(c.ID_EVENT_ARCHIVE)
