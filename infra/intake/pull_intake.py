"""What every pulled-channel function shares: the intake's environment and permissions (dedupe
records, trace, the domain queues, claim-check payloads), the same as the webhook ingest's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from infra import constants as c
from infra.storage.payload_bucket_construct import PayloadBucketConstruct
from infra.storage.tables_construct import grant_idempotency_keys, grant_trace_append

if TYPE_CHECKING:
    from infra.shared.core import CoreResources


@dataclass(frozen=True)
class PullIntakeResources:
    idempotency_table: dynamodb.ITable
    trace_table: dynamodb.ITable
    orders_queue: sqs.IQueue
    inventory_queue: sqs.IQueue
    payloads: PayloadBucketConstruct

    @classmethod
    def of(cls, core: CoreResources) -> PullIntakeResources:
        return cls(core.idempotency_table, core.trace_table, core.queues.orders, core.queues.inventory, core.payloads)

    @property
    def environment(self) -> dict[str, str]:
        return {
            c.ENV_IDEMPOTENCY_TABLE: self.idempotency_table.table_name,
            c.ENV_TRACE_TABLE: self.trace_table.table_name,
            c.ENV_ORDERS_QUEUE_URL: self.orders_queue.queue_url,
            c.ENV_INVENTORY_QUEUE_URL: self.inventory_queue.queue_url,
            c.ENV_PAYLOAD_BUCKET: self.payloads.bucket.bucket_name,
        }

    def grant(self, fn: lambda_.IFunction) -> None:
        grant_idempotency_keys(self.idempotency_table, fn, c.IDEMPOTENCY_PREFIX_INGEST)
        grant_trace_append(self.trace_table, fn)
        self.orders_queue.grant_send_messages(fn)
        self.inventory_queue.grant_send_messages(fn)
        self.payloads.grant_put_payloads(fn)
