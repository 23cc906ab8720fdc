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

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.availability.config import AvailabilityConfig
from infra.shared.function_factory import FunctionFactory

# Partition keys of the state-table items the ops API writes (functions/availability/dal, functions/reconciliation/dal).
OPS_WRITABLE_LEADING_KEYS = ["ALLOCATION_RULES", "AVAILABILITY#DIRTY", "LISTINGS", "RECON#*"]


class AvailabilityConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        config: AvailabilityConfig,
        state_table: dynamodb.ITable,
        event_bus: events.IEventBus,
        ops_function: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = self._queue(c.ID_AVAILABILITY_CHANGES_DLQ, retention=cdk.Duration.days(c.DLQ_RETENTION_DAYS))
        self.queue = self._queue(
            c.ID_AVAILABILITY_CHANGES_QUEUE,
            visibility_timeout=cdk.Duration.seconds(
                c.VISIBILITY_TIMEOUT_FACTOR * c.AVAILABILITY_MARKER_TIMEOUT_SECONDS
            ),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlq, max_receive_count=c.MAX_RECEIVE_COUNT),
        )
        rule = events.Rule(
            self,
            c.ID_AVAILABILITY_CHANGES_RULE,
            event_bus=event_bus,
            description="Domain events that change what a channel may sell -> coalescing queue",
            event_pattern=events.EventPattern(source=[c.EVENT_SOURCE], detail_type=list(c.AVAILABILITY_EVENT_TYPES)),
            targets=[targets.SqsQueue(self.queue)],
        )
        rule_resource = rule.node.default_child
        assert isinstance(rule_resource, events.CfnRule)
        rule_resource.override_logical_id(c.ID_AVAILABILITY_CHANGES_RULE)

        table_env = {c.ENV_STATE_TABLE: state_table.table_name}
        self.marker: lambda_.Function = factory.function(
            self,
            c.ID_AVAILABILITY_MARKER_FUNCTION,
            handler=c.HANDLER_AVAILABILITY_MARKER,
            service="availability-marker",
            description="Coalesce domain events into one dirty marker per SKU",
            timeout_seconds=c.AVAILABILITY_MARKER_TIMEOUT_SECONDS,
            environment=table_env,
        )
        state_table.grant(self.marker, "dynamodb:UpdateItem")
        self.marker.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=c.AVAILABILITY_MARKER_BATCH_SIZE,
                max_batching_window=cdk.Duration.seconds(c.AVAILABILITY_MARKER_BATCHING_WINDOW_SECONDS),
                report_batch_item_failures=True,
            )
        )

        self.publisher: lambda_.Function = factory.function(
            self,
            c.ID_AVAILABILITY_PUBLISHER_FUNCTION,
            handler=c.HANDLER_AVAILABILITY_PUBLISHER,
            service="availability-publisher",
            description="Publish channel-safe availability to each marketplace within its rate limits",
            timeout_seconds=c.AVAILABILITY_PUBLISHER_TIMEOUT_SECONDS,
            reserved_concurrency=1,
            environment={**table_env, **config.publisher_environment()},
        )
        state_table.grant(
            self.publisher,
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        )
        schedule = events.Rule(
            self,
            c.ID_AVAILABILITY_PUBLISH_SCHEDULE,
            description="Publish availability of the SKUs that changed (coalesced per SKU and channel)",
            schedule=events.Schedule.expression(c.AVAILABILITY_PUBLISH_SCHEDULE),
            targets=[targets.LambdaFunction(self.publisher, retry_attempts=0)],
        )
        schedule_resource = schedule.node.default_child
        assert isinstance(schedule_resource, events.CfnRule)
        schedule_resource.override_logical_id(c.ID_AVAILABILITY_PUBLISH_SCHEDULE)

        # Ops: rules, listing ids, dirty markers (republish), reconciliation runs; nothing else.
        ops_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem", "dynamodb:UpdateItem"],
                resources=[state_table.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": OPS_WRITABLE_LEADING_KEYS}},
            )
        )

    @property
    def functions(self) -> dict[str, lambda_.IFunction]:
        return {c.ID_AVAILABILITY_MARKER_FUNCTION: self.marker, c.ID_AVAILABILITY_PUBLISHER_FUNCTION: self.publisher}

    def _queue(
        self,
        construct_id: str,
        *,
        retention: cdk.Duration | None = None,
        visibility_timeout: cdk.Duration | None = None,
        dead_letter_queue: sqs.DeadLetterQueue | None = None,
    ) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=retention,
            visibility_timeout=visibility_timeout,
            dead_letter_queue=dead_letter_queue,
        )
        resource = queue.node.default_child
        assert isinstance(resource, sqs.CfnQueue)
        resource.override_logical_id(construct_id)
        return queue
