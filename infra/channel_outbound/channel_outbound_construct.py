"""Channel outbound: OrderAccepted / OrderShipped on the domain bus -> the channels' API calls.

- `ChannelOutboundRule` sends the two detail-types to `ChannelOutboundQueue` (SSE-SQS, DLQ
  `ChannelOutboundDlq` after 5 receives).
- `ChannelOutboundFunction` drains it (batch 10, partial batch responses, at most 2 concurrent
  invocations so the per-process token buckets stay close to each vendor's limit): acknowledges
  Walmart POs, confirms shipments on Shopify, Amazon, Walmart and eBay.
- Least privilege: reads order items (`ORDER#*`) and reads / writes only its markers (`OUTBOUND#*`)
  in the state table (`dynamodb:LeadingKeys`), writes the trace, sends to its own DLQ (a rejected
  command goes there at once), changes its queue's visibility (429: retry after `Retry-After`),
  reads the vendor credentials (Walmart token, eBay refresh token), never the signing secrets.
"""

from __future__ import annotations

from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_leading_keys, grant_trace_append


class ChannelOutboundConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        apis = core.channel_apis
        self.function, (self.queue, self.dlq) = core.consumer(
            self,
            specs.CHANNEL_OUTBOUND,
            environment={
                **core.env(state=True, trace=True),
                c.ENV_CHANNEL_TIMEOUT_SECONDS: str(c.CHANNEL_TIMEOUT_SECONDS),
                c.ENV_AMAZON_SP_API_BASE_URL: apis.amazon_sp_api_base_url,
                c.ENV_AMAZON_MARKETPLACE_IDS: apis.amazon_marketplace_ids,
                c.ENV_AMAZON_SELLER_ID: apis.amazon_seller_id,
                c.ENV_WALMART_API_BASE_URL: apis.walmart_api_base_url,
                c.ENV_EBAY_API_BASE_URL: apis.ebay_api_base_url,
                c.ENV_ZALANDO_API_BASE_URL: apis.zalando_api_base_url,
                c.ENV_ZALANDO_MERCHANT_ID: apis.zalando_merchant_id,
                c.ENV_ZALANDO_SALES_CHANNEL_ID: apis.zalando_sales_channel_id,
                c.ENV_SHOPIFY_ADMIN_BASE_URL: apis.shopify_admin_base_url,
                c.ENV_SHOPIFY_API_VERSION: c.SHOPIFY_ADMIN_API_VERSION,
            },
        )
        fn = self.function
        fn.add_environment(c.ENV_CHANNEL_OUTBOUND_QUEUE_URL, self.queue.queue_url)
        fn.add_environment(c.ENV_CHANNEL_OUTBOUND_DLQ_URL, self.dlq.queue_url)
        grant_leading_keys(core.state_table, fn, ["dynamodb:GetItem"], ["ORDER#*", "OUTBOUND#*"])
        grant_leading_keys(
            core.state_table, fn, ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], ["OUTBOUND#*"]
        )
        grant_trace_append(core.trace_table, fn)
        self.dlq.grant_send_messages(fn)
        core.secrets.grant_vendor_credentials(fn)
        consume_queue(
            fn, self.queue, batch_size=c.CHANNEL_OUTBOUND_BATCH_SIZE, max_concurrency=c.CHANNEL_OUTBOUND_MAX_CONCURRENCY
        )
