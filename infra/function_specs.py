"""Every Lambda function of the stack, described once: its logical id, handler, Powertools service,
description, timeout (and memory), and the schedule that runs it, if one does.

The constructs add what is each function's own: its environment, its grants and what feeds it
(`FunctionFactory.function(scope, spec, environment=...)`). ReturnFlow's steps are one table of
their own (`constants.RETURN_STEP_FUNCTIONS`).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events

from infra import constants as c
from infra.shared.function_factory import ConsumerQueue, FunctionSpec, ScheduleSpec


def _every(minutes: int) -> events.Schedule:
    return events.Schedule.rate(cdk.Duration.minutes(minutes))


# -- the webhook edge and the workers behind it --------------------------------------------------
INGEST = FunctionSpec(
    c.ID_INGEST_FUNCTION,
    c.HANDLER_INGEST,
    "ingest",
    "Webhook ingest: verify signature, dedupe delivery, enqueue envelope, answer 202",
    c.INGEST_TIMEOUT_SECONDS,
    # More memory is more CPU: vendors time out webhooks after a few seconds.
    memory_size=512,
)
ORDERS_WORKER = FunctionSpec(
    c.ID_ORDERS_WORKER_FUNCTION,
    c.HANDLER_ORDERS_WORKER,
    "orders-worker",
    "Orders worker: normalize channel orders and start one OrderFlow per command",
    c.ORDERS_WORKER_TIMEOUT_SECONDS,
)
INVENTORY_WORKER = FunctionSpec(
    c.ID_INVENTORY_WORKER_FUNCTION,
    c.HANDLER_INVENTORY_WORKER,
    "inventory-worker",
    "Inventory worker: apply adjustments and shipments per SKU and location",
    c.INVENTORY_WORKER_TIMEOUT_SECONDS,
)
# One sweep at a time: two would only race each other for the same reservations. The rule keeps
# the logical id CDK derived from its path (deployed that way).
RESERVATION_EXPIRY = FunctionSpec(
    c.ID_RESERVATION_EXPIRY_FUNCTION,
    c.HANDLER_EXPIRE_RESERVATIONS,
    "reservation-expiry",
    "Release reservations whose hold has expired (scheduled every 5 minutes)",
    c.RESERVATION_EXPIRY_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_RESERVATION_EXPIRY_SCHEDULE,
        _every(c.RESERVATION_EXPIRY_INTERVAL_MINUTES),
        "Every 5 minutes: release expired reservations",
        retry_attempts=2,
        max_event_age=cdk.Duration.minutes(5),
        stable_rule_id=False,
    ),
)
OPS_API = FunctionSpec(
    c.ID_OPS_API_FUNCTION,
    c.HANDLER_OPS_API,
    "ops",
    "Ops API: transaction timelines, orders, inventory positions, parked-order replay",
    c.OPS_API_TIMEOUT_SECONDS,
)
# Transient exceptions retried by themselves (functions/ops/logic/auto_retry.py): the ops function.
EXCEPTIONS_AUTO_RETRY = ScheduleSpec(
    c.ID_EXCEPTIONS_AUTO_RETRY_SCHEDULE,
    _every(c.EXCEPTIONS_AUTO_RETRY_MINUTES),
    "Retry transient exceptions (vendor down, conflict) with back-off and a cap",
)

# -- OrderFlow's steps and the schedules around it -----------------------------------------------
RESERVE_STOCK = FunctionSpec(
    c.ID_RESERVE_STOCK_FUNCTION,
    c.HANDLER_RESERVE_STOCK,
    "reserve-stock",
    "OrderFlow: reserve stock for every line of an order, all or nothing",
    c.FLOW_STEP_TIMEOUT_SECONDS,
)
CREATE_ERP_SALES_ORDER = FunctionSpec(
    c.ID_CREATE_ERP_SALES_ORDER_FUNCTION,
    c.HANDLER_CREATE_ERP_SALES_ORDER,
    "create-erp-sales-order",
    "OrderFlow: upsert the sales order in the ERP (external id = our order id)",
    c.ERP_STEP_TIMEOUT_SECONDS,
)
RECORD_ORDER = FunctionSpec(
    c.ID_RECORD_ORDER_FUNCTION,
    c.HANDLER_RECORD_ORDER,
    "record-order",
    "OrderFlow: record the order's outcome and describe the event to publish",
    c.FLOW_STEP_TIMEOUT_SECONDS,
)
CANCEL_ORDER = FunctionSpec(
    c.ID_CANCEL_ORDER_FUNCTION,
    c.HANDLER_CANCEL_ORDER,
    "cancel-order",
    "OrderFlow: stop released instructions at the WMS, cancel in the ERP, release stock",
    c.ERP_STEP_TIMEOUT_SECONDS,
)
RECORD_FLOW_FAILURE = FunctionSpec(
    c.ID_RECORD_FLOW_FAILURE_FUNCTION,
    c.HANDLER_RECORD_FLOW_FAILURE,
    "record-flow-failure",
    "OrderFlow: a step that failed for good becomes an order exception with the flow input",
    c.FLOW_STEP_TIMEOUT_SECONDS,
)
PARKED_REPLAY = FunctionSpec(
    c.ID_PARKED_REPLAY_FUNCTION,
    c.HANDLER_REPLAY_PARKED,
    "replay-parked",
    "Post parked orders to the ERP one at a time, in the order accepted, once it answers again",
    # One run posts parked orders one at a time (about a second each) until 70 s before this.
    c.PARKED_REPLAY_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_PARKED_REPLAY_SCHEDULE,
        _every(c.PARKED_REPLAY_MINUTES),
        "Replay the orders parked during an ERP outage once the ERP answers again",
    ),
)
HELD_RETRY = FunctionSpec(
    c.ID_HELD_RETRY_FUNCTION,
    c.HANDLER_RETRY_HELD,
    "retry-held",
    "Look at orders ON_HOLD again, oldest first, once every line is available",
    60,
    schedule=ScheduleSpec(
        c.ID_HELD_RETRY_SCHEDULE,
        _every(c.HELD_RETRY_MINUTES),
        "Start again the orders ON_HOLD for stock whose lines are now available",
    ),
)
ERP_FULFILMENT = FunctionSpec(
    c.ID_ERP_FULFILMENT_FUNCTION,
    c.HANDLER_ERP_FULFILMENT,
    "erp-fulfilment",
    "Each WMS shipment to the ERP as an item fulfilment, once; the newest address to the order",
    c.ERP_FULFILMENT_TIMEOUT_SECONDS,
    queue=ConsumerQueue(
        c.ID_ERP_FULFILMENT_QUEUE,
        c.ID_ERP_FULFILMENT_DLQ,
        c.ID_ERP_FULFILMENT_RULE,
        ("OrderAccepted", "OrderShipped", "OrderUpdated"),
        "OrderAccepted -> instructions to the WMS/stores; OrderShipped -> the ERP's item fulfilment; "
        "OrderUpdated -> its address",
    ),
)

# -- ReturnFlow (its steps: constants.RETURN_STEP_FUNCTIONS) -------------------------------------
RETURN_EVENTS = FunctionSpec(
    c.ID_RETURN_EVENTS_FUNCTION,
    c.HANDLER_RETURN_EVENTS,
    "return-events",
    "Start a ReturnFlow per recorded return; hand the WMS inspection to the waiting flow",
    c.RETURN_STEP_TIMEOUT_SECONDS,
)
STUCK_RETURNS = FunctionSpec(
    c.ID_STUCK_RETURNS_FUNCTION,
    c.HANDLER_SWEEP_STUCK_RETURNS,
    "stuck-returns",
    "Raise an exception for each return stuck past its state's allowance",
    120,
    schedule=ScheduleSpec(
        c.ID_STUCK_RETURNS_SCHEDULE,
        _every(c.STUCK_RETURNS_MINUTES),
        "Returns stuck in a state longer than policy allows -> exceptions",
    ),
)

# -- the pulled channels -------------------------------------------------------------------------
AMAZON_ORDER_CHANGE = FunctionSpec(
    c.ID_AMAZON_ORDER_CHANGE_FUNCTION,
    c.HANDLER_AMAZON_ORDER_CHANGE,
    "amazon-notifications",
    "SP-API ORDER_CHANGE from the partner event bus: dedupe by order, enqueue",
    c.AMAZON_ORDER_CHANGE_TIMEOUT_SECONDS,
)
# The pollers run one at a time: two would read the same window and race for the watermark.
AMAZON_ORDERS_POLLER = FunctionSpec(
    c.ID_AMAZON_ORDERS_POLLER_FUNCTION,
    c.HANDLER_AMAZON_ORDERS_POLLER,
    "amazon-orders-poller",
    "Backup poll of SP-API getOrders over an overlapping window (watermark)",
    c.POLLER_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_AMAZON_ORDERS_POLL_SCHEDULE,
        _every(c.AMAZON_ORDERS_POLL_MINUTES),
        "Every 15 minutes: Amazon orders backup poll",
    ),
)
ZALANDO_ORDERS_POLLER = FunctionSpec(
    c.ID_ZALANDO_ORDERS_POLLER_FUNCTION,
    c.HANDLER_ZALANDO_ORDERS_POLLER,
    "zalando-orders-poller",
    "Poll zDirect orders updated in an overlapping window (watermark); enqueue each once",
    c.POLLER_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_ZALANDO_ORDERS_POLL_SCHEDULE,
        _every(c.ZALANDO_ORDERS_POLL_MINUTES),
        "Every 10 minutes: Zalando orders poll",
    ),
)
POS_FILES = FunctionSpec(
    c.ID_POS_FILES_FUNCTION,
    c.HANDLER_POS_FILES,
    "pos-files",
    "Import a franchise store's nightly POS CSV: one store sale per transaction, once",
    c.POS_FILES_TIMEOUT_SECONDS,
    memory_size=512,
)

# -- availability, reconciliation, pricing -------------------------------------------------------
AVAILABILITY_MARKER = FunctionSpec(
    c.ID_AVAILABILITY_MARKER_FUNCTION,
    c.HANDLER_AVAILABILITY_MARKER,
    "availability-marker",
    "Coalesce domain events into one dirty marker per SKU",
    c.AVAILABILITY_MARKER_TIMEOUT_SECONDS,
    queue=ConsumerQueue(
        c.ID_AVAILABILITY_CHANGES_QUEUE,
        c.ID_AVAILABILITY_CHANGES_DLQ,
        c.ID_AVAILABILITY_CHANGES_RULE,
        c.AVAILABILITY_EVENT_TYPES,
        "Domain events that change what a channel may sell -> coalescing queue",
    ),
)
AVAILABILITY_PUBLISHER = FunctionSpec(
    c.ID_AVAILABILITY_PUBLISHER_FUNCTION,
    c.HANDLER_AVAILABILITY_PUBLISHER,
    "availability-publisher",
    "Publish channel-safe availability to each marketplace within its rate limits",
    c.AVAILABILITY_PUBLISHER_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_AVAILABILITY_PUBLISH_SCHEDULE,
        events.Schedule.expression(c.AVAILABILITY_PUBLISH_SCHEDULE),
        "Publish availability of the SKUs that changed (coalesced per SKU and channel)",
    ),
)
# Its schedule is configurable (`reconciliationSchedule`): the construct passes the configured one.
RECONCILIATION = FunctionSpec(
    c.ID_RECONCILIATION_FUNCTION,
    c.HANDLER_RECONCILIATION,
    "reconciliation",
    "Reconcile positions with the ERP's and the WMS's snapshots; correct within tolerance",
    c.RECONCILIATION_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_RECONCILIATION_SCHEDULE,
        events.Schedule.expression(c.RECONCILIATION_SCHEDULE),
        "Hourly inventory reconciliation against the ERP and the WMS",
    ),
)
PRICING_WORKER = FunctionSpec(
    c.ID_PRICING_WORKER_FUNCTION,
    c.HANDLER_PRICING_WORKER,
    "pricing-worker",
    "Keep the ERP's newest product and price per SKU, mark it, schedule its promotion",
    c.PRICING_WORKER_TIMEOUT_SECONDS,
    queue=ConsumerQueue(c.ID_CATALOG_QUEUE, c.ID_CATALOG_DLQ),
)
PRICE_PUBLISHER = FunctionSpec(
    c.ID_PRICE_PUBLISHER_FUNCTION,
    c.HANDLER_PRICE_PUBLISHER,
    "price-publisher",
    "Publish each SKU's effective price to every channel that lists it, within its limits",
    c.PRICE_PUBLISHER_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_PRICE_PUBLISH_SCHEDULE,
        events.Schedule.expression(c.PRICE_PUBLISH_SCHEDULE),
        "Publish the prices that changed (coalesced per SKU and channel)",
    ),
)
CATALOG_BACKFILL = FunctionSpec(
    c.ID_CATALOG_BACKFILL_FUNCTION,
    c.HANDLER_CATALOG_BACKFILL,
    "catalog-backfill",
    "Backfill products and prices from the ERP's export (the ERP gateway's bulk lane)",
    c.CATALOG_BACKFILL_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_CATALOG_BACKFILL_SCHEDULE,
        events.Schedule.expression(c.CATALOG_BACKFILL_SCHEDULE),
        "Daily: the ERP's full item and price export, applied per version",
    ),
)

# -- finance ----------------------------------------------------------------------------------------
SETTLEMENT_WORKER = FunctionSpec(
    c.ID_SETTLEMENT_WORKER_FUNCTION,
    c.HANDLER_SETTLEMENT_WORKER,
    "finance-settlement",
    "Settle payouts: match lines to orders, raise settlement exceptions, post the journal once",
    c.SETTLEMENT_WORKER_TIMEOUT_SECONDS,
    memory_size=512,
    queue=ConsumerQueue(c.ID_FINANCE_QUEUE, c.ID_FINANCE_DLQ),
)
SETTLEMENT_RECONCILIATION = FunctionSpec(
    c.ID_SETTLEMENT_RECONCILIATION_FUNCTION,
    c.HANDLER_SETTLEMENT_RECONCILIATION,
    "finance-reconciliation",
    "Reconcile payouts against our orders and refunds; runs listed by the ops API",
    c.SETTLEMENT_RECONCILIATION_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_SETTLEMENT_RECONCILIATION_SCHEDULE,
        events.Schedule.expression(c.SETTLEMENT_SCHEDULE),
        "Daily settlement reconciliation: every stored payout against our orders",
    ),
)
SETTLEMENT_POLLER = FunctionSpec(
    c.ID_SETTLEMENT_POLLER_FUNCTION,
    c.HANDLER_SETTLEMENT_POLLER,
    "finance-poller",
    "Poll the channels' payouts and settlement reports into the payload bucket and finance queue",
    c.SETTLEMENT_POLLER_TIMEOUT_SECONDS,
    schedule=ScheduleSpec(
        c.ID_SETTLEMENT_POLLER_SCHEDULE,
        events.Schedule.expression(c.SETTLEMENT_POLL_SCHEDULE),
        "Payouts since each watermark: Amazon, Shopify, Walmart, eBay, Square",
    ),
)

# -- outbound to the channels and the helpdesk -----------------------------------------------------
CHANNEL_OUTBOUND = FunctionSpec(
    c.ID_CHANNEL_OUTBOUND_FUNCTION,
    c.HANDLER_CHANNEL_OUTBOUND,
    "channel-outbound",
    "Acknowledge accepted orders and confirm shipments on each channel, once",
    c.CHANNEL_OUTBOUND_TIMEOUT_SECONDS,
    queue=ConsumerQueue(
        c.ID_CHANNEL_OUTBOUND_QUEUE,
        c.ID_CHANNEL_OUTBOUND_DLQ,
        c.ID_CHANNEL_OUTBOUND_RULE,
        c.CHANNEL_OUTBOUND_EVENT_TYPES,
        "Orders accepted and shipped -> the channels' acknowledgement and shipment confirmation",
    ),
)
CUSTOMER_STATUS = FunctionSpec(
    c.ID_CUSTOMER_STATUS_FUNCTION,
    c.HANDLER_CUSTOMER_STATUS_EVENTS,
    "customer-status",
    "Tell the helpdesk each visible change of an order's status, once",
    c.CUSTOMER_STATUS_TIMEOUT_SECONDS,
    queue=ConsumerQueue(
        c.ID_CUSTOMER_STATUS_QUEUE,
        c.ID_CUSTOMER_STATUS_DLQ,
        c.ID_CUSTOMER_STATUS_RULE,
        c.CUSTOMER_STATUS_EVENT_TYPES,
        "Order and return status changes -> the customer-service platform",
    ),
)
STATUS_API = FunctionSpec(
    c.ID_STATUS_API_FUNCTION,
    c.HANDLER_CUSTOMER_STATUS_API,
    "status-api",
    "GET /v1/status/orders/{channel}/{channel_order_id}: the customer-safe order status",
    10,
)
