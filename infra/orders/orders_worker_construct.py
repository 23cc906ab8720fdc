"""The orders worker: OrdersQueue -> normalize -> one OrderFlow execution per command."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources, only_set
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
        self, scope: Construct, construct_id: str, *, core: CoreResources, order_flow: sfn.IStateMachine
    ) -> None:
        super().__init__(scope, construct_id)
        queue = core.queues.orders
        self.function: lambda_.Function = core.factory.function(
            self,
            specs.ORDERS_WORKER,
            environment={
                c.ENV_ORDER_FLOW_ARN: order_flow.state_machine_arn,
                # Order changes and returns (functions/orders/logic/order_changes.py): recorded in the
                # state table, published on the bus.
                **core.env(idempotency=True, state=True, trace=True, payloads=True, bus=True),
                # A failed vendor read is delayed on this queue (ChangeMessageVisibility), then kept as an
                # `enrichment` exception in the state table (functions/orders/logic/enrichment.py).
                c.ENV_ORDERS_QUEUE_URL: queue.queue_url,
                ENV_ENRICHMENT_MAX_ATTEMPTS: str(c.MAX_RECEIVE_COUNT - 1),
                ENV_ENRICHMENT_BACKOFF_SECONDS: str(ENRICHMENT_BACKOFF_SECONDS),
                # Channel adapters enrich thin notifications (Square: Orders API) while normalizing,
                # with the Square access token: key `square_access_token` of the vendor credentials.
                c.ENV_SQUARE_API_BASE_URL: core.config.square_api_base_url,
                # Walmart PO_CREATED / eBay ORDER_CONFIRMATION are read from the Walmart Orders API / eBay
                # Fulfillment API (tokens: the vendor credentials).
                **only_set(
                    {
                        c.ENV_WALMART_API_BASE_URL: core.channel_apis.walmart_api_base_url,
                        c.ENV_EBAY_API_BASE_URL: core.channel_apis.ebay_api_base_url,
                    }
                ),
            },
        )
        fn = self.function
        order_flow.grant_start_execution(fn)
        grant_idempotency_keys(core.idempotency_table, fn, c.IDEMPOTENCY_PREFIX_ORDERS_WORKER)
        grant_trace_append(core.trace_table, fn)
        core.payloads.grant_read_payloads(fn)
        core.secrets.grant_vendor_credentials(fn)
        # Least privilege (issue 14.5; local/key_audit.py checks it): the order's changes, seen
        # marker and held changes (ORDER#), a line cancellation's release (reservation, positions),
        # each return record by source, and the enrichment exceptions it raises.
        grant_state_partitions(
            core.state_table,
            fn,
            writes=[c.PK_ORDERS, c.PK_RESERVATIONS, c.PK_POSITIONS, *c.PK_RETURN_RECORDS, "EXCEPTION#ENRICHMENT"],
        )
        core.event_bus.grant_put_events_to(fn)
        consume_queue(fn, queue, batch_size=c.ORDERS_QUEUE_BATCH_SIZE)
