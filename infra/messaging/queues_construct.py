"""Work queues per domain, each with its DLQ, and the parking queue for orders the ERP refused."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.shared.nag import acknowledge_resource


class QueuesConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        orders_consumer_timeout_seconds: int,
        inventory_consumer_timeout_seconds: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.orders_dlq = self._queue(c.ID_ORDERS_DLQ, retention_days=c.DLQ_RETENTION_DAYS)
        self.orders = self._queue(
            c.ID_ORDERS_QUEUE,
            # Lambda's guidance: at least 6 x the consumer timeout, so retries never overlap.
            visibility_timeout=cdk.Duration.seconds(
                c.VISIBILITY_TIMEOUT_FACTOR * orders_consumer_timeout_seconds
            ),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.orders_dlq, max_receive_count=c.MAX_RECEIVE_COUNT
            ),
        )
        self.inventory_dlq = self._queue(c.ID_INVENTORY_DLQ, retention_days=c.DLQ_RETENTION_DAYS)
        self.inventory = self._queue(
            c.ID_INVENTORY_QUEUE,
            visibility_timeout=cdk.Duration.seconds(
                c.VISIBILITY_TIMEOUT_FACTOR * inventory_consumer_timeout_seconds
            ),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.inventory_dlq, max_receive_count=c.MAX_RECEIVE_COUNT
            ),
        )
        self.orders_parking = self._queue(
            c.ID_ORDERS_PARKING_QUEUE, retention_days=c.PARKING_QUEUE_RETENTION_DAYS
        )
        acknowledge_resource(
            self.orders_parking,
            "AwsSolutions-SQS3",
            "The parking queue is itself the terminal holding area for orders the ERP could not take; "
            "it has no consumer to fail, operators replay it through the ops API",
        )

    @property
    def dead_letter_queues(self) -> dict[str, sqs.Queue]:
        return {c.ID_ORDERS_DLQ: self.orders_dlq, c.ID_INVENTORY_DLQ: self.inventory_dlq}

    @property
    def work_queues(self) -> dict[str, sqs.Queue]:
        return {
            c.ID_ORDERS_QUEUE: self.orders,
            c.ID_INVENTORY_QUEUE: self.inventory,
            c.ID_ORDERS_PARKING_QUEUE: self.orders_parking,
        }

    def _queue(
        self,
        construct_id: str,
        *,
        retention_days: int | None = None,
        visibility_timeout: cdk.Duration | None = None,
        dead_letter_queue: sqs.DeadLetterQueue | None = None,
    ) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(retention_days) if retention_days else None,
            visibility_timeout=visibility_timeout,
            dead_letter_queue=dead_letter_queue,
        )
        resource = queue.node.default_child
        assert isinstance(resource, sqs.CfnQueue)
        resource.override_logical_id(construct_id)
        return queue
