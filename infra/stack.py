"""RetailSync-<env>: composes the capability constructs; no resources are defined here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from infra import constants as c
from infra.availability.availability_construct import AvailabilityConstruct
from infra.channel_outbound.channel_outbound_construct import ChannelOutboundConstruct
from infra.config import StackConfig
from infra.customer_status.customer_status_construct import CustomerStatusConstruct
from infra.finance.finance_construct import FinanceConstruct
from infra.ingest.ingest_construct import IngestConstruct
from infra.ingest.webhook_api_construct import WebhookApiConstruct
from infra.intake.pull_channels_construct import PullChannelsConstruct
from infra.inventory.inventory_worker_construct import InventoryWorkerConstruct
from infra.inventory.reservation_expiry_construct import ReservationExpiryConstruct
from infra.observability.dashboard_construct import DashboardConstruct
from infra.ops.ops_access_construct import OpsAccessConstruct
from infra.ops.ops_api_construct import OpsApiConstruct
from infra.orders.erp_fulfilment_construct import ErpFulfilmentConstruct
from infra.orders.order_flow_construct import OrderFlowConstruct
from infra.orders.orders_worker_construct import OrdersWorkerConstruct
from infra.pricing.pricing_construct import PricingConstruct
from infra.reconciliation.reconciliation_construct import ReconciliationConstruct
from infra.returns.return_flow_construct import ReturnFlowConstruct
from infra.shared.bundling import lambda_code
from infra.shared.core import CoreResources
from infra.shared.dead_letters import keep_dead_letters, serve_dead_letters
from infra.shared.function_factory import FunctionFactory
from infra.shared.nag import LAMBDA_RUNTIME_REASON, acknowledge
from infra.shared.queues import QueueWithDlq

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def stack_name(environment: str) -> str:
    return f"{c.STACK_PREFIX}-{environment}"


class RetailSyncStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        factory = FunctionFactory(config, lambda_code(PROJECT_ROOT, bundle=config.bundle))
        # Every function runs one runtime, on purpose (FunctionFactory; tests/infra/test_functions.py
        # fails on any other): one acknowledgement for the stack instead of one per function.
        acknowledge(self, "AwsSolutions-L1", LAMBDA_RUNTIME_REASON)
        core = CoreResources.build(self, config, factory)
        tables, queues, secrets, erp = core.tables, core.queues, core.secrets, core.erp

        # The ERP's products and prices to every channel, promotions on time (issue 12).
        pricing = PricingConstruct(self, "Pricing", core=core)
        ingest = IngestConstruct(self, "Ingest", core=core, catalog_queue=pricing.queue)
        erp.connect(pricing.backfill)  # the ERP's item and price export, on the gateway's bulk lane
        order_flow = OrderFlowConstruct(self, "OrderFlow", core=core)
        orders_worker = OrdersWorkerConstruct(self, "OrdersWorker", core=core, order_flow=order_flow.state_machine)
        inventory_worker = InventoryWorkerConstruct(self, "InventoryWorker", core=core)
        reservation_expiry = ReservationExpiryConstruct(self, "ReservationExpiry", core=core)
        pull_channels = PullChannelsConstruct(self, "Channels", core=core, orders_worker=orders_worker.function)
        ops = OpsApiConstruct(self, "Ops", core=core, order_flow=order_flow.state_machine)
        availability = AvailabilityConstruct(self, "Availability", core=core, ops=ops.function)
        reconciliation = ReconciliationConstruct(self, "Reconciliation", core=core, ops=ops.function)
        # Finance: payouts settled and journals posted once, settlement runs (issue 11).
        finance = FinanceConstruct(self, "Finance", core=core, ops=ops.function)
        for minting in finance.functions.values():
            secrets.grant_vendor_credentials(minting)
        # Outbound commands to the channels (Walmart acknowledgement, shipment confirmations).
        channel_outbound = ChannelOutboundConstruct(self, "ChannelOutbound", core=core)
        # Returns: ReturnFlow from the returns the orders worker records to refund (issue 9).
        return_flow = ReturnFlowConstruct(self, "Returns", core=core)
        # Customer status: the helpdesk told of each visible change; the status route's function (issue 12.3).
        customer_status = CustomerStatusConstruct(self, "CustomerStatus", core=core)
        erp_fulfilment = ErpFulfilmentConstruct(self, "ErpFulfilment", core=core)
        # Every other function that calls a vendor mints its tokens from the credentials in the secret
        # (the ERP tasks, reconciliation's ERP snapshot, the stock publisher, the order pollers).
        for token_minting in (
            order_flow.create_erp_sales_order,
            order_flow.cancel_order,
            order_flow.parked_replay,
            reconciliation.function,
            availability.publisher,
            pricing.publisher,
            pricing.worker,
            pricing.backfill,
            erp_fulfilment.function,
            pull_channels.amazon.poller,
            pull_channels.zalando.poller,
        ):
            secrets.grant_vendor_credentials(token_minting)
        # A message failing on its last receive is kept as an exception; ops retries it, redrives DLQs.
        for consumer, kind in (
            (orders_worker.function, "dead_letter"),
            (inventory_worker.function, "dead_letter"),
            (pull_channels.pos_files.function, "dead_letter"),
            (availability.marker, "dead_letter"),
            (channel_outbound.function, "channel_command"),
            (customer_status.function, "dead_letter"),
            (pricing.worker, "dead_letter"),
            (erp_fulfilment.function, "dead_letter"),
        ):
            keep_dead_letters(consumer, tables.state, kind=kind)
        serve_dead_letters(
            ops.function,
            {
                "orders": QueueWithDlq(queues.orders, queues.orders_dlq),
                "inventory": QueueWithDlq(queues.inventory, queues.inventory_dlq),
                "pos-files": QueueWithDlq(pull_channels.pos_files.queue, pull_channels.pos_files.dlq),
                "availability": QueueWithDlq(availability.queue, availability.dlq),
                "channel-outbound": QueueWithDlq(channel_outbound.queue, channel_outbound.dlq),
                "customer-status": QueueWithDlq(customer_status.queue, customer_status.dlq),
                "catalog": QueueWithDlq(pricing.queue, pricing.dlq),
                "erp-fulfilment": QueueWithDlq(erp_fulfilment.queue, erp_fulfilment.dlq),
            },
        )
        api = WebhookApiConstruct(
            self,
            "Api",
            environment=config.environment,
            ingest_function=ingest.function,
            ops_function=ops.function,
            status_function=customer_status.api_function,
            removal_policy=core.removal_policy,
        )
        OpsAccessConstruct(self, "OpsAccess", api=api.api, environment=config.environment)
        DashboardConstruct(
            self,
            "Observability",
            environment=config.environment,
            api=api.api,
            work_queues={
                **queues.work_queues,
                c.ID_POS_FILES_QUEUE: pull_channels.pos_files.queue,
                c.ID_AVAILABILITY_CHANGES_QUEUE: availability.queue,
                c.ID_CHANNEL_OUTBOUND_QUEUE: channel_outbound.queue,
                c.ID_FINANCE_QUEUE: finance.queue,
                c.ID_CUSTOMER_STATUS_QUEUE: customer_status.queue,
                c.ID_CATALOG_QUEUE: pricing.queue,
                c.ID_ERP_FULFILMENT_QUEUE: erp_fulfilment.queue,
            },
            dead_letter_queues={
                **queues.dead_letter_queues,
                c.ID_POS_FILES_DLQ: pull_channels.pos_files.dlq,
                c.ID_AVAILABILITY_CHANGES_DLQ: availability.dlq,
                c.ID_CHANNEL_OUTBOUND_DLQ: channel_outbound.dlq,
                c.ID_FINANCE_DLQ: finance.dlq,
                c.ID_CUSTOMER_STATUS_DLQ: customer_status.dlq,
                c.ID_CATALOG_DLQ: pricing.dlq,
                c.ID_ERP_FULFILMENT_DLQ: erp_fulfilment.dlq,
            },
            order_flow=order_flow.state_machine,
            return_flow=return_flow.state_machine,
            # the ops function too: the ExceptionsAutoRetry schedule runs it (its API errors alarm with it)
            scheduled_functions={**factory.scheduled, c.ID_OPS_API_FUNCTION: ops.function},
            alarm_emails=config.alarm_emails,
            alarm_webhook_url=config.alarm_webhook_url,
            functions={
                c.ID_INGEST_FUNCTION: ingest.function,
                c.ID_ORDERS_WORKER_FUNCTION: orders_worker.function,
                c.ID_RESERVE_STOCK_FUNCTION: order_flow.reserve_stock,
                c.ID_CREATE_ERP_SALES_ORDER_FUNCTION: order_flow.create_erp_sales_order,
                c.ID_RECORD_ORDER_FUNCTION: order_flow.record_order,
                c.ID_CANCEL_ORDER_FUNCTION: order_flow.cancel_order,
                c.ID_RECORD_FLOW_FAILURE_FUNCTION: order_flow.record_flow_failure,
                c.ID_PARKED_REPLAY_FUNCTION: order_flow.parked_replay,
                c.ID_HELD_RETRY_FUNCTION: order_flow.held_retry,
                c.ID_INVENTORY_WORKER_FUNCTION: inventory_worker.function,
                c.ID_RESERVATION_EXPIRY_FUNCTION: reservation_expiry.function,
                c.ID_OPS_API_FUNCTION: ops.function,
                **pull_channels.functions,
                **availability.functions,
                c.ID_RECONCILIATION_FUNCTION: reconciliation.function,
                c.ID_CHANNEL_OUTBOUND_FUNCTION: channel_outbound.function,
                **finance.functions,
                **return_flow.functions,
                **pricing.functions,
                c.ID_ERP_FULFILMENT_FUNCTION: erp_fulfilment.function,
            },
        )
        cdk.Tags.of(self).add("service", c.SERVICE)
        cdk.Tags.of(self).add("environment", config.environment)
