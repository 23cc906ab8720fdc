"""Finance: payouts settled from the finance queue, settlement runs daily and on demand.

- `FinanceQueue` (SSE-SQS, DLQ `FinanceDlq` after 5 receives) carries what pollers and ops retries
  send (functions/finance/logic/intake.py): a report by S3 reference (the payload bucket, the
  ingest's claim check), a Shopify payout, or a stored payout to settle again.
- `SettlementWorkerFunction` drains it one payout at a time, at most 2 at once (bulk ERP work stays
  behind orders and refunds), and posts each payout's journal to the ERP.
- `SettlementPollerFunction` polls every few hours: Amazon's settlement reports (getReports since its
  watermark, getReportDocument), Shopify Payments' paid payouts with their balance transactions,
  Walmart's recon reports (availableReconFiles, reconFileJson), eBay's payouts with their transactions
  (Finances API) and Square's paid payouts with their entries (Payouts API), each document into the
  payload bucket and a message on the queue.
- `SettlementReconciliationFunction` runs daily (`SETTLEMENT_SCHEDULE`) and on demand: the ops API
  invokes it asynchronously for `POST /v1/ops/reconciliations/settlement` and sends exception retries
  to the finance queue.
- Least privilege: both read order items (`ORDER#*`) and read / write only finance's partitions
  (`dynamodb:LeadingKeys`); the worker reads payloads; both mint ERP tokens from the vendor secret
  (the stack grants it with the other token-minting functions).
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources, only_set
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_leading_keys


class FinanceConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources, ops: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        erp = core.erp
        payloads = core.payloads
        apis = core.channel_apis
        environment = {
            **core.env(state=True, payloads=True),
            c.ENV_ERP_BASE_URL: erp.base_url,
            c.ENV_SETTLEMENT_TOLERANCE: c.SETTLEMENT_TOLERANCE,
            c.ENV_SETTLEMENT_CHANNELS: ",".join(c.SETTLEMENT_CHANNELS),
            c.ENV_SETTLEMENT_RUN_PAYOUTS: str(c.SETTLEMENT_RUN_PAYOUTS),
        }
        self.worker, (self.queue, self.dlq) = core.consumer(self, specs.SETTLEMENT_WORKER, environment=environment)
        consume_queue(
            self.worker,
            self.queue,
            batch_size=c.SETTLEMENT_WORKER_BATCH_SIZE,
            max_concurrency=c.SETTLEMENT_WORKER_MAX_CONCURRENCY,
        )
        payloads.grant_read_payloads(self.worker)
        self.reconciliation = core.factory.function(self, specs.SETTLEMENT_RECONCILIATION, environment=environment)
        self.poller = core.factory.function(
            self,
            specs.SETTLEMENT_POLLER,
            environment={
                **environment,
                c.ENV_AMAZON_SP_API_BASE_URL: apis.amazon_sp_api_base_url,
                # Shopify Payments is polled when SHOPIFY_ACCESS_TOKEN is set too (an optional knob).
                c.ENV_SHOPIFY_ADMIN_BASE_URL: apis.shopify_admin_base_url,
                c.ENV_SHOPIFY_API_VERSION: c.SHOPIFY_ADMIN_API_VERSION,
                c.ENV_FINANCE_QUEUE_URL: self.queue.queue_url,
                # Walmart's recon reports, eBay's and Square's payouts: polled when their API is set.
                **only_set(
                    {
                        c.ENV_WALMART_API_BASE_URL: apis.walmart_api_base_url,
                        c.ENV_EBAY_API_BASE_URL: apis.ebay_api_base_url,
                        c.ENV_SQUARE_API_BASE_URL: core.config.square_api_base_url,
                    }
                ),
            },
        )
        payloads.grant_put_payloads(self.poller)
        self.queue.grant_send_messages(self.poller)
        state_table = core.state_table
        for fn in (self.worker, self.reconciliation, self.poller):
            grant_leading_keys(
                state_table,
                fn,
                ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
                ["ORDER#*", *c.FINANCE_PARTITIONS],
            )
            grant_leading_keys(
                state_table,
                fn,
                ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
                list(c.FINANCE_PARTITIONS),
            )

        # Journals are bulk work for the ERP gateway: they never take acceptance's or refunds' slots.
        for fn in (self.worker, self.reconciliation):
            erp.connect(fn)

        ops.add_environment(c.ENV_SETTLEMENT_FUNCTION_NAME, self.reconciliation.function_name)
        ops.add_environment(c.ENV_FINANCE_QUEUE_URL, self.queue.queue_url)
        ops.add_to_role_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.reconciliation.function_arn])
        )
        self.queue.grant_send_messages(ops)

    @property
    def functions(self) -> dict[str, lambda_.Function]:
        return {
            c.ID_SETTLEMENT_WORKER_FUNCTION: self.worker,
            c.ID_SETTLEMENT_RECONCILIATION_FUNCTION: self.reconciliation,
            c.ID_SETTLEMENT_POLLER_FUNCTION: self.poller,
        }
