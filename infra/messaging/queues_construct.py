"""Work queues per domain, each with its DLQ, and the parking queue for orders the ERP refused."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.shared.nag import acknowledge_resource
from infra.shared.queues import encrypted_queue, queue_with_dlq


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
        self.orders, self.orders_dlq = queue_with_dlq(
            self, c.ID_ORDERS_QUEUE, c.ID_ORDERS_DLQ, consumer_timeout_seconds=orders_consumer_timeout_seconds
        )
        self.inventory, self.inventory_dlq = queue_with_dlq(
            self, c.ID_INVENTORY_QUEUE, c.ID_INVENTORY_DLQ, consumer_timeout_seconds=inventory_consumer_timeout_seconds
        )
        self.orders_parking = encrypted_queue(
            self, c.ID_ORDERS_PARKING_QUEUE, retention_period=cdk.Duration.days(c.PARKING_QUEUE_RETENTION_DAYS)
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
