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

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra.erp.gateway_wiring import ErpGatewayWiring
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.shared.queues import queue_with_dlq
from infra.storage.tables_construct import grant_leading_keys


class FinanceConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreResources,
        erp: ErpGatewayWiring,
        amazon_sp_api_base_url: str,
        shopify_admin_base_url: str,
        walmart_api_base_url: str | None = None,
        ebay_api_base_url: str | None = None,
        square_api_base_url: str | None = None,
        ops_function: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        factory = core.factory
        state_table = core.state_table
        payloads = core.payloads
        self.queue, self.dlq = queue_with_dlq(
            self, c.ID_FINANCE_QUEUE, c.ID_FINANCE_DLQ, consumer_timeout_seconds=c.SETTLEMENT_WORKER_TIMEOUT_SECONDS
        )
        environment = {
            **core.env(state=True),
            c.ENV_ERP_BASE_URL: erp.base_url,
            c.ENV_PAYLOAD_BUCKET: payloads.bucket.bucket_name,
            c.ENV_SETTLEMENT_TOLERANCE: c.SETTLEMENT_TOLERANCE,
            c.ENV_SETTLEMENT_CHANNELS: ",".join(c.SETTLEMENT_CHANNELS),
            c.ENV_SETTLEMENT_RUN_PAYOUTS: str(c.SETTLEMENT_RUN_PAYOUTS),
        }
        self.worker: lambda_.Function = factory.function(
            self,
            c.ID_SETTLEMENT_WORKER_FUNCTION,
            handler=c.HANDLER_SETTLEMENT_WORKER,
            service="finance-settlement",
            description="Settle payouts: match lines to orders, raise settlement exceptions, post the journal once",
            timeout_seconds=c.SETTLEMENT_WORKER_TIMEOUT_SECONDS,
            environment=environment,
            memory_size=512,
        )
        consume_queue(
            self.worker,
            self.queue,
            batch_size=c.SETTLEMENT_WORKER_BATCH_SIZE,
            max_concurrency=c.SETTLEMENT_WORKER_MAX_CONCURRENCY,
        )
        payloads.grant_read_payloads(self.worker)
        self.reconciliation, _ = factory.scheduled_function(
            self,
            c.ID_SETTLEMENT_RECONCILIATION_FUNCTION,
            schedule_id=c.ID_SETTLEMENT_RECONCILIATION_SCHEDULE,
            schedule=events.Schedule.expression(c.SETTLEMENT_SCHEDULE),
            schedule_description="Daily settlement reconciliation: every stored payout against our orders",
            handler=c.HANDLER_SETTLEMENT_RECONCILIATION,
            service="finance-reconciliation",
            description="Reconcile payouts against our orders and refunds; runs listed by the ops API",
            timeout_seconds=c.SETTLEMENT_RECONCILIATION_TIMEOUT_SECONDS,
            environment=environment,
        )
        self.poller, _ = factory.scheduled_function(
            self,
            c.ID_SETTLEMENT_POLLER_FUNCTION,
            schedule_id=c.ID_SETTLEMENT_POLLER_SCHEDULE,
            schedule=events.Schedule.expression(c.SETTLEMENT_POLL_SCHEDULE),
            schedule_description="Payouts since each watermark: Amazon, Shopify, Walmart, eBay, Square",
            handler=c.HANDLER_SETTLEMENT_POLLER,
            service="finance-poller",
            description="Poll the channels' payouts and settlement reports into the payload bucket and finance queue",
            timeout_seconds=c.SETTLEMENT_POLLER_TIMEOUT_SECONDS,
            environment={
                **environment,
                c.ENV_AMAZON_SP_API_BASE_URL: amazon_sp_api_base_url,
                # Shopify Payments is polled when SHOPIFY_ACCESS_TOKEN is set too (an optional knob).
                c.ENV_SHOPIFY_ADMIN_BASE_URL: shopify_admin_base_url,
                c.ENV_SHOPIFY_API_VERSION: c.SHOPIFY_ADMIN_API_VERSION,
                c.ENV_FINANCE_QUEUE_URL: self.queue.queue_url,
                # Walmart's recon reports, eBay's and Square's payouts: polled when their API is set.
                **({c.ENV_WALMART_API_BASE_URL: walmart_api_base_url} if walmart_api_base_url else {}),
                **({c.ENV_EBAY_API_BASE_URL: ebay_api_base_url} if ebay_api_base_url else {}),
                **({c.ENV_SQUARE_API_BASE_URL: square_api_base_url} if square_api_base_url else {}),
            },
        )
        payloads.grant_put_payloads(self.poller)
        self.queue.grant_send_messages(self.poller)
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

        ops_function.add_environment(c.ENV_SETTLEMENT_FUNCTION_NAME, self.reconciliation.function_name)
        ops_function.add_environment(c.ENV_FINANCE_QUEUE_URL, self.queue.queue_url)
        ops_function.add_to_role_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.reconciliation.function_arn])
        )
        self.queue.grant_send_messages(ops_function)

    @property
    def functions(self) -> dict[str, lambda_.Function]:
        return {
            c.ID_SETTLEMENT_WORKER_FUNCTION: self.worker,
            c.ID_SETTLEMENT_RECONCILIATION_FUNCTION: self.reconciliation,
            c.ID_SETTLEMENT_POLLER_FUNCTION: self.poller,
        }
