"""The ingest function behind `/v1/webhooks/{source}`: verify, dedupe, enqueue, answer 202."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources, only_set
from infra.storage.tables_construct import grant_idempotency_keys, grant_trace_append


class IngestConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources, catalog_queue: sqs.IQueue) -> None:
        super().__init__(scope, construct_id)
        orders_queue = core.queues.orders
        inventory_queue = core.queues.inventory
        self.function: lambda_.Function = core.factory.function(
            self,
            specs.INGEST,
            environment={
                **core.env(idempotency=True, trace=True, payloads=True),
                c.ENV_ORDERS_QUEUE_URL: orders_queue.queue_url,
                c.ENV_INVENTORY_QUEUE_URL: inventory_queue.queue_url,
                c.ENV_CATALOG_QUEUE_URL: catalog_queue.queue_url,
                **only_set(
                    {
                        c.ENV_WEBHOOK_BASE_URL: core.config.webhook_base_url,
                        # eBay: getPublicKey (signature check) and the endpoint challenge; the verification
                        # token and application keyset are the signing secret's `ebay_*` keys.
                        c.ENV_EBAY_API_BASE_URL: core.channel_apis.ebay_api_base_url,
                    }
                ),
            },
        )
        fn = self.function
        grant_idempotency_keys(core.idempotency_table, fn, c.IDEMPOTENCY_PREFIX_INGEST)
        grant_trace_append(core.trace_table, fn)
        orders_queue.grant_send_messages(fn)
        inventory_queue.grant_send_messages(fn)
        catalog_queue.grant_send_messages(fn)
        core.payloads.grant_put_payloads(fn)
        # The signing secrets only: the public edge never holds a credential that acts on a vendor account.
        core.secrets.grant_signing_secrets(fn)
