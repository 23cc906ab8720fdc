"""The ingest function behind `/v1/webhooks/{source}`: verify, dedupe, enqueue, answer 202."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.shared.core import CoreResources
from infra.storage.tables_construct import grant_idempotency_keys, grant_trace_append


class IngestConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreResources,
        orders_queue: sqs.IQueue,
        inventory_queue: sqs.IQueue,
        webhook_base_url: str | None,
        ebay_api_base_url: str | None = None,
        catalog_queue: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        factory = core.factory
        idempotency_table = core.idempotency_table
        trace_table = core.trace_table
        payloads = core.payloads
        secrets = core.secrets
        self.function: lambda_.Function = factory.function(
            self,
            c.ID_INGEST_FUNCTION,
            handler=c.HANDLER_INGEST,
            service="ingest",
            description="Webhook ingest: verify signature, dedupe delivery, enqueue envelope, answer 202",
            timeout_seconds=c.INGEST_TIMEOUT_SECONDS,
            # More memory is more CPU: vendors time out webhooks after a few seconds.
            memory_size=512,
            environment={
                c.ENV_IDEMPOTENCY_TABLE: idempotency_table.table_name,
                **core.env(trace=True),
                c.ENV_ORDERS_QUEUE_URL: orders_queue.queue_url,
                c.ENV_INVENTORY_QUEUE_URL: inventory_queue.queue_url,
                **({c.ENV_CATALOG_QUEUE_URL: catalog_queue.queue_url} if catalog_queue else {}),
                c.ENV_PAYLOAD_BUCKET: payloads.bucket.bucket_name,
                **({c.ENV_WEBHOOK_BASE_URL: webhook_base_url} if webhook_base_url else {}),
                # eBay: getPublicKey (signature check) and the endpoint challenge; the verification
                # token and application keyset are the signing secret's `ebay_*` keys.
                **({c.ENV_EBAY_API_BASE_URL: ebay_api_base_url} if ebay_api_base_url else {}),
            },
        )
        fn = self.function
        grant_idempotency_keys(idempotency_table, fn, c.IDEMPOTENCY_PREFIX_INGEST)
        grant_trace_append(trace_table, fn)
        orders_queue.grant_send_messages(fn)
        inventory_queue.grant_send_messages(fn)
        if catalog_queue is not None:
            catalog_queue.grant_send_messages(fn)
        payloads.grant_put_payloads(fn)
        # The signing secrets only: the public edge never holds a credential that acts on a vendor account.
        secrets.grant_signing_secrets(fn)
