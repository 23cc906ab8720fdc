"""The orders worker: OrdersQueue -> normalize -> one OrderFlow execution per command."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import constants as c
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_idempotency_keys, grant_state_partitions, grant_trace_append

# A failed vendor read while normalizing (functions/orders/logic/enrichment.py): tries before it becomes
# an `enrichment` exception (one fewer than the queue's maxReceiveCount, so SQS never dead-letters it
# first) and the first delay, doubled after each try (30 s, 60 s, 120 s).
ENV_ENRICHMENT_MAX_ATTEMPTS = "ENRICHMENT_MAX_ATTEMPTS"
ENV_ENRICHMENT_BACKOFF_SECONDS = "ENRICHMENT_BACKOFF_SECONDS"
ENRICHMENT_BACKOFF_SECONDS = 30


class OrdersWorkerConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreResources,
        queue: sqs.IQueue,
        order_flow: sfn.IStateMachine,
        square_api_base_url: str,
        walmart_api_base_url: str | None = None,
        ebay_api_base_url: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        factory = core.factory
        idempotency_table = core.idempotency_table
        trace_table = core.trace_table
        payloads = core.payloads
        secrets = core.secrets
        state_table = core.state_table
        event_bus = core.event_bus
        event_bus_name = core.bus.bus_name
        self.function: lambda_.Function = factory.function(
            self,
            c.ID_ORDERS_WORKER_FUNCTION,
            handler=c.HANDLER_ORDERS_WORKER,
            service="orders-worker",
            description="Orders worker: normalize channel orders and start one OrderFlow per command",
            timeout_seconds=c.ORDERS_WORKER_TIMEOUT_SECONDS,
            environment={
                c.ENV_ORDER_FLOW_ARN: order_flow.state_machine_arn,
                c.ENV_IDEMPOTENCY_TABLE: idempotency_table.table_name,
                **core.env(trace=True),
                c.ENV_PAYLOAD_BUCKET: payloads.bucket.bucket_name,
                # A failed vendor read is delayed on this queue (ChangeMessageVisibility), then kept as an
                # `enrichment` exception in the state table (functions/orders/logic/enrichment.py).
                c.ENV_ORDERS_QUEUE_URL: queue.queue_url,
                ENV_ENRICHMENT_MAX_ATTEMPTS: str(c.MAX_RECEIVE_COUNT - 1),
                ENV_ENRICHMENT_BACKOFF_SECONDS: str(ENRICHMENT_BACKOFF_SECONDS),
                # Channel adapters enrich thin notifications (Square: Orders API) while normalizing.
                c.ENV_SQUARE_API_BASE_URL: square_api_base_url,
                # ... with the Square access token: key `square_access_token` of the vendor credentials.
                # Order changes and returns (functions/orders/logic/order_changes.py): recorded in the
                # state table, published on the bus; Walmart PO_CREATED / eBay ORDER_CONFIRMATION are
                # read from the Walmart Orders API / eBay Fulfillment API (tokens: the vendor credentials).
                **core.env(state=True),
                **({c.ENV_EVENT_BUS: event_bus_name} if event_bus_name else {}),
                **({c.ENV_WALMART_API_BASE_URL: walmart_api_base_url} if walmart_api_base_url else {}),
                **({c.ENV_EBAY_API_BASE_URL: ebay_api_base_url} if ebay_api_base_url else {}),
            },
        )
        fn = self.function
        order_flow.grant_start_execution(fn)
        grant_idempotency_keys(idempotency_table, fn, c.IDEMPOTENCY_PREFIX_ORDERS_WORKER)
        grant_trace_append(trace_table, fn)
        payloads.grant_read_payloads(fn)
        secrets.grant_vendor_credentials(fn)
        if state_table is not None:
            # Least privilege (issue 14.5; local/key_audit.py checks it): the order's changes, seen
            # marker and held changes (ORDER#), a line cancellation's release (reservation, positions),
            # each return record by source, and the enrichment exceptions it raises.
            grant_state_partitions(
                state_table,
                fn,
                writes=[
                    c.PK_ORDERS,
                    c.PK_RESERVATIONS,
                    c.PK_POSITIONS,
                    *c.PK_RETURN_RECORDS,
                    "EXCEPTION#ENRICHMENT",
                ],
            )
        if event_bus is not None:
            event_bus.grant_put_events_to(fn)
        consume_queue(fn, queue, batch_size=c.ORDERS_QUEUE_BATCH_SIZE)
