"""Names used across the stack: construct ids, handler import paths, environment variable names.

Every environment variable name is unique across the stack and carries the same value in every
function that has it, so the local stack can run all handlers in one process with the union of
their environments.
"""

from __future__ import annotations

# Enforced by the ingest function, so it lives in the Lambda asset (which cannot import infra).
from shared.limits import WEBHOOK_MAX_BODY_BYTES as WEBHOOK_MAX_BODY_BYTES

SERVICE = "retail-sync"
STACK_PREFIX = "RetailSync"
METRICS_NAMESPACE = "RetailSync"
LAMBDA_RUNTIME_PYTHON = "python3.12"

# Handler import paths: the same string works in Lambda, in tests and in the local stack.
HANDLER_INGEST = "functions.ingest.handlers.webhook.lambda_handler"
HANDLER_ORDERS_WORKER = "functions.orders.handlers.orders_worker.lambda_handler"
HANDLER_RESERVE_STOCK = "functions.orders.handlers.reserve_stock.lambda_handler"
HANDLER_CREATE_ERP_SALES_ORDER = "functions.orders.handlers.create_erp_sales_order.lambda_handler"
HANDLER_RECORD_ORDER = "functions.orders.handlers.record_order.lambda_handler"
HANDLER_RECORD_FLOW_FAILURE = "functions.orders.handlers.record_flow_failure.lambda_handler"
HANDLER_REPLAY_PARKED = "functions.orders.handlers.replay_parked.lambda_handler"
HANDLER_RETRY_HELD = "functions.orders.handlers.retry_held.lambda_handler"
HANDLER_CANCEL_ORDER = "functions.orders.handlers.cancel_order.lambda_handler"
HANDLER_INVENTORY_WORKER = "functions.inventory.handlers.inventory_worker.lambda_handler"
HANDLER_OPS_API = "functions.ops.handlers.api.lambda_handler"

# Environment variable names (values are set by the constructs).
ENV_STATE_TABLE = "STATE_TABLE_NAME"
ENV_TRACE_TABLE = "TRACE_TABLE_NAME"
ENV_IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE_NAME"
ENV_ORDERS_QUEUE_URL = "ORDERS_QUEUE_URL"
ENV_INVENTORY_QUEUE_URL = "INVENTORY_QUEUE_URL"
ENV_ORDERS_PARKING_QUEUE_URL = "ORDERS_PARKING_QUEUE_URL"
ENV_PAYLOAD_BUCKET = "PAYLOAD_BUCKET_NAME"
ENV_ORDER_FLOW_ARN = "ORDER_FLOW_ARN"
ENV_EVENT_BUS = "EVENT_BUS_NAME"
ENV_ERP_BASE_URL = "ERP_BASE_URL"
ENV_SQUARE_API_BASE_URL = "SQUARE_API_BASE_URL"
ENV_WEBHOOK_SECRETS_ARN = "WEBHOOK_SECRETS_ARN"
ENV_VENDOR_CREDENTIALS_ARN = "VENDOR_CREDENTIALS_ARN"
ENV_WEBHOOK_BASE_URL = "WEBHOOK_BASE_URL"
ENV_DEFAULT_FULFILMENT_LOCATION = "DEFAULT_FULFILMENT_LOCATION_ID"
ENV_ENVIRONMENT_NAME = "ENVIRONMENT_NAME"

# Queue tuning (also read by the local stack's poller from the template).
ORDERS_QUEUE_BATCH_SIZE = 10
INVENTORY_QUEUE_BATCH_SIZE = 25
MAX_RECEIVE_COUNT = 5

# Sources accepted on /v1/webhooks/{source} in this release.
WEBHOOK_SOURCES = ("shopify", "square", "wms", "pos", "erp", "walmart", "ebay", "loop")

# Defaults for the local environment.
LOCAL_ENVIRONMENT = "local"

# --- added by the infra constructs -------------------------------------------------------------
# Logical ids pinned in the template (the local stack and the tests find resources by them).
ID_IDEMPOTENCY_TABLE = "IdempotencyTable"
ID_STATE_TABLE = "StateTable"
ID_TRACE_TABLE = "TraceTable"
ID_ORDERS_QUEUE = "OrdersQueue"
ID_ORDERS_DLQ = "OrdersDlq"
ID_INVENTORY_QUEUE = "InventoryQueue"
ID_INVENTORY_DLQ = "InventoryDlq"
ID_ORDERS_PARKING_QUEUE = "OrdersParkingQueue"
ID_PAYLOAD_BUCKET = "PayloadBucket"
ID_ACCESS_LOGS_BUCKET = "AccessLogsBucket"
ID_EVENT_BUS = "EventBus"
ID_EVENT_ARCHIVE = "EventArchive"
ID_WEBHOOK_SECRETS = "WebhookSecrets"
ID_VENDOR_CREDENTIALS = "VendorCredentials"
ID_WEBHOOK_API = "WebhookApi"
ID_ORDER_FLOW = "OrderFlow"
ID_ALARM_TOPIC = "AlarmTopic"
ID_DASHBOARD = "Dashboard"
ID_INGEST_FUNCTION = "IngestFunction"
ID_ORDERS_WORKER_FUNCTION = "OrdersWorkerFunction"
ID_RESERVE_STOCK_FUNCTION = "ReserveStockFunction"
ID_CREATE_ERP_SALES_ORDER_FUNCTION = "CreateErpSalesOrderFunction"
ID_RECORD_ORDER_FUNCTION = "RecordOrderFunction"
ID_RECORD_FLOW_FAILURE_FUNCTION = "RecordFlowFailureFunction"
ID_PARKED_REPLAY_FUNCTION = "ParkedOrdersReplayFunction"
ID_PARKED_REPLAY_SCHEDULE = "ParkedOrdersReplaySchedule"
# How often parked orders are offered back to the ERP (issue 10.3): a run that finds the ERP still
# down costs one probe read and nothing else.
# Every minute: a run with nothing parked and the ERP backlog closed asks nothing of the ERP.
PARKED_REPLAY_MINUTES = 1
PARKED_REPLAY_TIMEOUT_SECONDS = 900
ID_HELD_RETRY_FUNCTION = "HeldOrdersRetryFunction"
ID_HELD_RETRY_SCHEDULE = "HeldOrdersRetrySchedule"
# The return-status reconciliation (issue 9.5): returns stuck past their state's allowance -> exceptions.
HANDLER_SWEEP_STUCK_RETURNS = "functions.returns.handlers.sweep_stuck_returns.lambda_handler"
ID_STUCK_RETURNS_FUNCTION = "StuckReturnsFunction"
ID_STUCK_RETURNS_SCHEDULE = "StuckReturnsSchedule"
STUCK_RETURNS_MINUTES = 60
# How often orders ON_HOLD for stock are looked at again (issue 10.4): a run reads the held orders'
# positions and restarts only those every line of which is now available.
HELD_RETRY_MINUTES = 5
ID_EXCEPTIONS_AUTO_RETRY_SCHEDULE = "ExceptionsAutoRetrySchedule"
EXCEPTIONS_AUTO_RETRY_MINUTES = 15  # each exception's own back-off (15 min, doubling) decides when
ID_CANCEL_ORDER_FUNCTION = "CancelOrderFunction"
ID_INVENTORY_WORKER_FUNCTION = "InventoryWorkerFunction"
ID_OPS_API_FUNCTION = "OpsApiFunction"
ID_OPS_READ_ONLY_ROLE = "OpsReadOnlyRole"
ID_OPS_OPERATOR_ROLE = "OpsOperatorRole"

# Attribute names the tables are keyed on (see docs/wiring.md).
IDEMPOTENCY_TABLE_TTL_ATTRIBUTE = "expiration"
STATE_TABLE_TTL_ATTRIBUTE = "expires_at"
TRACE_TABLE_TTL_ATTRIBUTE = "expires_at"

# Powertools environment (same names in every function; only the service name differs).
ENV_POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
ENV_POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
ENV_LOG_LEVEL = "LOG_LEVEL"
# pydantic looks for plugins (an entry-point scan of every installed distribution) when it builds
# its first model: the asset ships none, so the scan is skipped (issue 7: 10-25 ms of the first
# request). https://docs.pydantic.dev/latest/concepts/plugins/#how-to-use-plugins
ENV_PYDANTIC_DISABLE_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"

# Function timeouts (seconds). A queue's visibility timeout is 6 x its consumer's timeout.
INGEST_TIMEOUT_SECONDS = 10
ORDERS_WORKER_TIMEOUT_SECONDS = 30
INVENTORY_WORKER_TIMEOUT_SECONDS = 30
FLOW_STEP_TIMEOUT_SECONDS = 10
ERP_STEP_TIMEOUT_SECONDS = 30
OPS_API_TIMEOUT_SECONDS = 10
VISIBILITY_TIMEOUT_FACTOR = 6
QUEUE_MAX_BATCHING_WINDOW_SECONDS = 1
ORDER_FLOW_TIMEOUT_SECONDS = 300
PARKING_QUEUE_RETENTION_DAYS = 14
DLQ_RETENTION_DAYS = 14

# Event bus: source of every domain event; archive keeps them for replay.
EVENT_SOURCE = "retail-sync"
EVENT_ARCHIVE_RETENTION_DAYS = 30

# API Gateway throttling (stage-wide and per method).
API_STAGE_RATE_LIMIT = 200
API_STAGE_BURST_LIMIT = 400
API_WEBHOOK_POST_RATE_LIMIT = 150
API_WEBHOOK_POST_BURST_LIMIT = 300
API_WEBHOOK_GET_RATE_LIMIT = 5
API_WEBHOOK_GET_BURST_LIMIT = 10
API_OPS_RATE_LIMIT = 100
API_OPS_BURST_LIMIT = 200

# Claim-check payloads live only as long as a message can (queue retention + DLQ retention).
PAYLOAD_EXPIRY_DAYS = 30
ACCESS_LOG_EXPIRY_DAYS = 90

# At most this many concurrent ERP writers (reserved concurrency of create_erp_sales_order);
# context `erpConcurrency` overrides, 0 turns the reservation off.
DEFAULT_ERP_CONCURRENCY = 5
# The ERP gateway (infra/erp/gateway_wiring.py, shared/adapters/erp_gateway.py): every ERP call of
# every function holds one of `erpConcurrency` slots (the ERP's account limit; 0 leaves the writer
# unreserved and the gateway at the default), bulk work at most `erpBulkShare` of them.
DEFAULT_ERP_BULK_SHARE = 2
ENV_ERP_CONCURRENCY_LIMIT = "ERP_CONCURRENCY_LIMIT"
ENV_ERP_BULK_SHARE = "ERP_BULK_SHARE"

# The two secrets (infra/secrets/secrets_construct.py). The signing secret (`WEBHOOK_SECRETS_ARN`,
# read by ingest only): a signing secret per source, eBay's endpoint verification token, and eBay's
# application keyset, which its notification public-key lookup needs (an application token: public
# data only).
EBAY_APP_KEYS = ("ebay_client_id", "ebay_client_secret")
SECRET_KEYS_SIGNING = (*WEBHOOK_SOURCES, "ebay_verification_token", *EBAY_APP_KEYS)
# The Square API access token (the orders worker enriches Square notifications with it;
# `SQUARE_ACCESS_TOKEN` in the environment overrides it, locally only).
SECRET_KEY_SQUARE_ACCESS_TOKEN = "square_access_token"
# The vendor credentials (`VENDOR_CREDENTIALS_ARN`, read by the functions that call a vendor): the
# long-lived API credentials every connector mints and refreshes its short-lived tokens from
# (shared/adapters/vendor_auth.py SECRET_KEYS, eBay's in shared/channels/clients/ebay_credentials.py)
# and the tokens that do not expire.
SECRET_KEYS_VENDOR_API = (
    SECRET_KEY_SQUARE_ACCESS_TOKEN,
    *EBAY_APP_KEYS,
    "ebay_refresh_token",
    "amazon_lwa_client_id",
    "amazon_lwa_client_secret",
    "amazon_lwa_refresh_token",
    "walmart_client_id",
    "walmart_client_secret",
    "zalando_client_id",
    "zalando_client_secret",
    "erp_client_id",
    "erp_certificate_id",
    "erp_private_key",
    # Tokens that do not expire: Shopify's custom-app Admin API token (refunds), Loop's API key,
    # Zendesk's API token and the agent it belongs to (the customer-status publisher).
    "shopify_access_token",
    "loop_api_key",
    "zendesk_email",
    "zendesk_api_token",
)
ENV_SQUARE_ACCESS_TOKEN = "SQUARE_ACCESS_TOKEN"

# Reservation expiry (issue 4): a scheduled sweep releases HELD reservations past hold_expires_at.
HANDLER_EXPIRE_RESERVATIONS = "functions.inventory.handlers.expire_reservations.lambda_handler"
ID_RESERVATION_EXPIRY_FUNCTION = "ReservationExpiryFunction"
ID_RESERVATION_EXPIRY_SCHEDULE = "ReservationExpirySchedule"
RESERVATION_EXPIRY_INTERVAL_MINUTES = 5
RESERVATION_EXPIRY_TIMEOUT_SECONDS = 60
ENV_RESERVATION_EXPIRY_BATCH_LIMIT = "RESERVATION_EXPIRY_BATCH_LIMIT"
RESERVATION_EXPIRY_BATCH_LIMIT = 500

# --- pulled channels (issue 3): Amazon SP-API, Zalando, POS nightly files ----------------------
HANDLER_AMAZON_ORDER_CHANGE = "functions.intake.handlers.amazon_order_change.lambda_handler"
HANDLER_AMAZON_ORDERS_POLLER = "functions.intake.handlers.amazon_orders_poller.lambda_handler"
HANDLER_ZALANDO_ORDERS_POLLER = "functions.intake.handlers.zalando_orders_poller.lambda_handler"
HANDLER_POS_FILES = "functions.intake.handlers.pos_file_created.lambda_handler"
ID_AMAZON_ORDER_CHANGE_FUNCTION = "AmazonOrderChangeFunction"
ID_AMAZON_ORDER_CHANGE_RULE = "AmazonOrderChangeRule"
ID_AMAZON_ORDERS_POLLER_FUNCTION = "AmazonOrdersPollerFunction"
ID_AMAZON_ORDERS_POLL_SCHEDULE = "AmazonOrdersPollSchedule"
ID_ZALANDO_ORDERS_POLLER_FUNCTION = "ZalandoOrdersPollerFunction"
ID_ZALANDO_ORDERS_POLL_SCHEDULE = "ZalandoOrdersPollSchedule"
ID_POS_FILES_BUCKET = "PosFilesBucket"
ID_POS_FILES_QUEUE = "PosFilesQueue"
ID_POS_FILES_DLQ = "PosFilesDlq"
ID_POS_FILES_FUNCTION = "PosFilesFunction"
ENV_AMAZON_SP_API_BASE_URL = "AMAZON_SP_API_BASE_URL"
ENV_AMAZON_MARKETPLACE_IDS = "AMAZON_MARKETPLACE_IDS"
ENV_ZALANDO_API_BASE_URL = "ZALANDO_API_BASE_URL"
ENV_ZALANDO_MERCHANT_ID = "ZALANDO_MERCHANT_ID"
ENV_POS_FILES_BUCKET = "POS_FILES_BUCKET_NAME"
ENV_POS_STORE_TIME_ZONES = "POS_STORE_TIME_ZONES"
# The SP-API partner event source / bus names start with this (CONTRACT.md).
AMAZON_PARTNER_SOURCE_PREFIX = "aws.partner/sellingpartnerapi.amazon"
AMAZON_ORDERS_POLL_MINUTES = 15
ZALANDO_ORDERS_POLL_MINUTES = 10
POLLER_TIMEOUT_SECONDS = 120
AMAZON_ORDER_CHANGE_TIMEOUT_SECONDS = 10
POS_FILES_TIMEOUT_SECONDS = 60  # visibility 6 x 60 s; a nightly file of a few thousand receipts fits
POS_FILES_BATCH_SIZE = 1
# Prefix S3 notifies about (import reports go under reports/, which must not trigger an import).
POS_FILES_INCOMING_PREFIX = "incoming/"
# Poll windows (docs: functions/intake/logic/watermark.py): overlap before the watermark, first run's
# look-back, and (Zalando) how long before now a window ends; Amazon's end is fixed (2 min + margin).
AMAZON_POLL_OVERLAP_SECONDS = 30 * 60
ZALANDO_POLL_OVERLAP_SECONDS = 15 * 60
ZALANDO_POLL_SETTLE_SECONDS = 60
POLL_FIRST_LOOKBACK_SECONDS = 6 * 3600

# --- channel availability and reconciliation (issue 4, parts 4-6) -----------------------------
HANDLER_AVAILABILITY_MARKER = "functions.availability.handlers.mark_dirty.lambda_handler"
HANDLER_AVAILABILITY_PUBLISHER = "functions.availability.handlers.publisher.lambda_handler"
HANDLER_RECONCILIATION = "functions.reconciliation.handlers.reconcile.lambda_handler"
ID_AVAILABILITY_CHANGES_QUEUE = "AvailabilityChangesQueue"
ID_AVAILABILITY_CHANGES_DLQ = "AvailabilityChangesDlq"
ID_AVAILABILITY_CHANGES_RULE = "AvailabilityChangesRule"
ID_AVAILABILITY_MARKER_FUNCTION = "AvailabilityMarkerFunction"
ID_AVAILABILITY_PUBLISHER_FUNCTION = "AvailabilityPublisherFunction"
ID_AVAILABILITY_PUBLISH_SCHEDULE = "AvailabilityPublishSchedule"
ID_RECONCILIATION_FUNCTION = "ReconciliationFunction"
ID_RECONCILIATION_SCHEDULE = "ReconciliationSchedule"
ENV_WALMART_API_BASE_URL = "WALMART_API_BASE_URL"
ENV_EBAY_API_BASE_URL = "EBAY_API_BASE_URL"
ENV_SHOPIFY_ADMIN_BASE_URL = "SHOPIFY_ADMIN_BASE_URL"
ENV_SHOPIFY_LOCATION_ID = "SHOPIFY_LOCATION_ID"
ENV_AMAZON_SELLER_ID = "AMAZON_SELLER_ID"
ENV_ZALANDO_SALES_CHANNEL_ID = "ZALANDO_SALES_CHANNEL_ID"
ENV_WMS_BASE_URL = "WMS_BASE_URL"
ENV_RECONCILIATION_FUNCTION_NAME = "RECONCILIATION_FUNCTION_NAME"
ENV_RECONCILIATION_TOLERANCE_UNITS = "RECONCILIATION_TOLERANCE_UNITS"
ENV_RECONCILIATION_TOLERANCE_VALUE = "RECONCILIATION_TOLERANCE_VALUE"
# Domain events that change what a channel may sell (they name `sku` or `lines[].sku`).
AVAILABILITY_EVENT_TYPES = ("InventoryChanged", "OrderAccepted", "OrderOnHold", "OrderCancelled")
AVAILABILITY_MARKER_TIMEOUT_SECONDS = 30
AVAILABILITY_MARKER_BATCH_SIZE = 100
AVAILABILITY_MARKER_BATCHING_WINDOW_SECONDS = 1  # coalescing happens in the marker item; this only batches writes
AVAILABILITY_PUBLISHER_TIMEOUT_SECONDS = 60
AVAILABILITY_PUBLISH_SCHEDULE = "rate(1 minute)"
RECONCILIATION_TIMEOUT_SECONDS = 300
RECONCILIATION_SCHEDULE = "rate(1 hour)"
ENV_SHOPIFY_API_VERSION = "SHOPIFY_API_VERSION"
ENV_PUBLISHER_BUDGET_SECONDS = "PUBLISHER_BUDGET_SECONDS"
ENV_PUBLISHER_MAX_SKUS = "PUBLISHER_MAX_SKUS"
ENV_CHANNEL_TIMEOUT_SECONDS = "CHANNEL_TIMEOUT_SECONDS"
ENV_SNAPSHOT_TIMEOUT_SECONDS = "SNAPSHOT_TIMEOUT_SECONDS"
SHOPIFY_ADMIN_API_VERSION = "2024-07"
AVAILABILITY_PUBLISHER_BUDGET_SECONDS = 50  # of the 60 s timeout: the rest writes what was accepted
AVAILABILITY_PUBLISHER_MAX_SKUS = 5000
CHANNEL_TIMEOUT_SECONDS = 10
SNAPSHOT_TIMEOUT_SECONDS = 60

# Channel outbound (issue 3): OrderAccepted / OrderShipped -> acknowledgement / shipment confirmation.
HANDLER_CHANNEL_OUTBOUND = "functions.channel_outbound.handlers.outbound_worker.lambda_handler"
ID_CHANNEL_OUTBOUND_QUEUE = "ChannelOutboundQueue"
ID_CHANNEL_OUTBOUND_DLQ = "ChannelOutboundDlq"
ID_CHANNEL_OUTBOUND_RULE = "ChannelOutboundRule"
ID_CHANNEL_OUTBOUND_FUNCTION = "ChannelOutboundFunction"
ENV_CHANNEL_OUTBOUND_QUEUE_URL = "CHANNEL_OUTBOUND_QUEUE_URL"
ENV_CHANNEL_OUTBOUND_DLQ_URL = "CHANNEL_OUTBOUND_DLQ_URL"
CHANNEL_OUTBOUND_EVENT_TYPES = ("OrderAccepted", "OrderShipped")
CHANNEL_OUTBOUND_TIMEOUT_SECONDS = 30
CHANNEL_OUTBOUND_BATCH_SIZE = 10
CHANNEL_OUTBOUND_MAX_CONCURRENCY = 2  # the event source mapping's ceiling: client-side buckets stay near the vendor's

# Returns (issue 9): ReturnFlow, a Standard workflow started per return by its business key.
ID_RETURN_FLOW = "ReturnFlow"
ID_RETURN_EVENTS_RULE = "ReturnEventsRule"
ID_RETURN_EVENTS_FUNCTION = "ReturnEventsFunction"
RETURN_STEP_FUNCTIONS = {
    # logical id -> (handler module under functions.returns.handlers, service, description)
    "ReturnApplyPolicyFunction": ("apply_policy", "return-apply-policy", "ReturnFlow: judge a return"),
    "ReturnAuthorizeFunction": ("authorize_return", "return-authorize", "ReturnFlow: ERP return authorization"),
    "ReturnAwaitInspectionFunction": (
        "await_inspection",
        "return-await-inspection",
        "ReturnFlow: keep the task token until the warehouse inspects",
    ),
    "ReturnSettleFunction": ("settle_return", "return-settle", "ReturnFlow: dispositions, stock movements, refund"),
    "ReturnPostRefundFunction": ("post_refund", "return-post-refund", "ReturnFlow: ERP credit memo and channel refund"),
    "ReturnReportOutcomeFunction": ("report_outcome", "return-report-outcome", "ReturnFlow: status to the platform"),
    "ReturnRecordExceptionFunction": (
        "record_return_exception",
        "return-record-exception",
        "ReturnFlow: mark a failed or timed-out return",
    ),
}
HANDLER_RETURN_EVENTS = "functions.returns.handlers.return_events.lambda_handler"
RETURN_EVENT_TYPES = ("ReturnAuthorized", "ReturnUpdated", "StoreReturnRecorded", "ReturnInspected")
ENV_RETURN_FLOW_ARN = "RETURN_FLOW_ARN"
ENV_INSPECTION_TIMEOUT_SECONDS = "INSPECTION_TIMEOUT_SECONDS"
ENV_LOOP_API_BASE_URL = "LOOP_API_BASE_URL"
ENV_SHOPIFY_ACCESS_TOKEN = "SHOPIFY_ACCESS_TOKEN"
INSPECTION_TIMEOUT_SECONDS = 21 * 24 * 3600
RETURN_STEP_TIMEOUT_SECONDS = 30
RETURN_FLOW_TIMEOUT_SECONDS = 60 * 24 * 3600  # a return may wait weeks for its goods; Standard allows a year

# Finance (issue 11): settlements and payouts matched, journals posted once, settlement runs.
HANDLER_SETTLEMENT_WORKER = "functions.finance.handlers.settlement_worker.lambda_handler"
HANDLER_SETTLEMENT_RECONCILIATION = "functions.finance.handlers.reconcile_settlement.lambda_handler"
ID_FINANCE_QUEUE = "FinanceQueue"
ID_FINANCE_DLQ = "FinanceDlq"
ID_SETTLEMENT_WORKER_FUNCTION = "SettlementWorkerFunction"
ID_SETTLEMENT_RECONCILIATION_FUNCTION = "SettlementReconciliationFunction"
ID_SETTLEMENT_RECONCILIATION_SCHEDULE = "SettlementReconciliationSchedule"
ENV_SETTLEMENT_FUNCTION_NAME = "SETTLEMENT_FUNCTION_NAME"
ENV_FINANCE_QUEUE_URL = "FINANCE_QUEUE_URL"
ENV_SETTLEMENT_TOLERANCE = "SETTLEMENT_TOLERANCE"
ENV_SETTLEMENT_CHANNELS = "SETTLEMENT_CHANNELS"
ENV_SETTLEMENT_RUN_PAYOUTS = "SETTLEMENT_RUN_PAYOUTS"
SETTLEMENT_TOLERANCE = "0.05"  # per order, fee or payout, in the payout's currency
SETTLEMENT_CHANNELS = ("amazon", "shopify", "walmart", "ebay", "square")  # whose stored payouts a run settles again
SETTLEMENT_RUN_PAYOUTS = 50  # per channel, newest first
SETTLEMENT_SCHEDULE = "cron(30 6 * * ? *)"  # daily, after Amazon's and Shopify's overnight payouts
SETTLEMENT_WORKER_TIMEOUT_SECONDS = 120  # a settlement report of thousands of lines, one ERP journal
SETTLEMENT_RECONCILIATION_TIMEOUT_SECONDS = 300
SETTLEMENT_WORKER_BATCH_SIZE = 1  # one payout per invocation: its journal is one ERP call
SETTLEMENT_WORKER_MAX_CONCURRENCY = 2  # bulk ERP work: behind orders and refunds (DESIGN.md, ERP gateway)
# State-table partitions finance reads and writes (functions/finance/dal/finance_store.py).
FINANCE_PARTITIONS = (
    "PAYOUT#*",
    "POSTING#*",
    "SETTLEMENT#*",
    "RECON#settlement",
    "EXCEPTION#SETTLEMENT",
    "POLLER#settlement-*",
)
HANDLER_SETTLEMENT_POLLER = "functions.finance.handlers.poll_settlements.lambda_handler"
ID_SETTLEMENT_POLLER_FUNCTION = "SettlementPollerFunction"
ID_SETTLEMENT_POLLER_SCHEDULE = "SettlementPollerSchedule"
SETTLEMENT_POLL_SCHEDULE = "rate(4 hours)"  # getReports refills 0.0222/s: a poll is 1 call + 1 per report
SETTLEMENT_POLLER_TIMEOUT_SECONDS = 120

# Customer status (issue 12.3): order and return status events -> the helpdesk (Zendesk's Events API),
# and `GET /v1/status/orders/{channel}/{channel_order_id}` behind its own API key.
HANDLER_CUSTOMER_STATUS_EVENTS = "functions.customer_status.handlers.status_events.lambda_handler"
HANDLER_CUSTOMER_STATUS_API = "functions.customer_status.handlers.status_api.lambda_handler"
ID_CUSTOMER_STATUS_QUEUE = "CustomerStatusQueue"
ID_CUSTOMER_STATUS_DLQ = "CustomerStatusDlq"
ID_CUSTOMER_STATUS_RULE = "CustomerStatusRule"
ID_CUSTOMER_STATUS_FUNCTION = "CustomerStatusFunction"
ID_STATUS_API_FUNCTION = "StatusApiFunction"
ID_STATUS_API_KEY = "StatusApiKey"
ID_STATUS_USAGE_PLAN = "StatusUsagePlan"
ENV_HELPDESK_BASE_URL = "HELPDESK_BASE_URL"
CUSTOMER_STATUS_TIMEOUT_SECONDS = 30
CUSTOMER_STATUS_BATCH_SIZE = 10
CUSTOMER_STATUS_MAX_CONCURRENCY = 2  # Zendesk's rate limit is account-wide: few pushers at once
# The helpdesk integration's usage plan: a helpdesk sidebar reads on each ticket view.
STATUS_API_RATE_LIMIT = 20
STATUS_API_BURST_LIMIT = 40
STATUS_API_DAILY_QUOTA = 200_000
# The API key locally (the template's key value in the local environment only; deployed, API Gateway
# generates it: `aws apigateway get-api-key --api-key <id> --include-value`).
LOCAL_STATUS_API_KEY = "local-status-api-key-0123456789"
CUSTOMER_STATUS_EVENT_TYPES = (
    "OrderAccepted",
    "OrderCancelled",
    "OrderLinesCancelled",
    "OrderOnHold",
    "OrderShipped",
    "OrderUpdated",
    "ReturnAuthorized",
    "ReturnStatusChanged",
    "ReturnInspected",
)

# State table partitions (`dynamodb:LeadingKeys` patterns, issue 14.5), named after the DAL modules
# that build the keys: shared/adapters/state_store.py (orders, their id pointers, reservations,
# stock positions), held_orders.py, order_changes.py (a return's record per source), inventory's
# movements.py, returns' return_store.py, the pollers' watermarks, shared/adapters/exception_store.py.
PK_ORDERS = "ORDER#*"
# An order's fulfilment instructions, one per location (shared/adapters/fulfilment_instructions.py).
PK_INSTRUCTIONS = "INSTRUCTION#*"
PK_ORDER_REFS = "ORDERREF#*"
PK_RESERVATIONS = "RESERVATION#*"
PK_POSITIONS = "SKU#*"
PK_HELD_ORDERS = "HELD_ORDERS"
PK_MOVEMENTS = "MOVEMENT#*"
PK_RETURN_RECORDS = ("RETURN#*", "STORE_RETURN#*", "RETURN_INSPECTION#*")
PK_RETURN_CASES = ("RETURNCASE#*", "ORDERRETURNS#*", "RETURNSBYDAY#*")
PK_POLLERS = "POLLER#*"
PK_ERP_GATEWAY = "ERP_GATEWAY"  # shared/adapters/erp_gateway.py: the slots and the pause

# Powertools idempotency key prefixes (the records' partition keys are `<prefix>#<hash>`): the ingest
# dedupe (shared/adapters/delivery_dedupe.py KEY_PREFIX, also the pull intakes and the POS files)
# and the workers (their HOP).
IDEMPOTENCY_PREFIX_INGEST = "ingest-delivery"
IDEMPOTENCY_PREFIX_ORDERS_WORKER = "orders-worker"
IDEMPOTENCY_PREFIX_INVENTORY_WORKER = "inventory-worker"


# Pricing (issue 12): the ERP's products and prices to every channel; promotions on time.
ID_CATALOG_QUEUE = "CatalogQueue"
ID_CATALOG_DLQ = "CatalogDlq"
ID_PRICING_WORKER_FUNCTION = "PricingWorkerFunction"
ID_PRICE_PUBLISHER_FUNCTION = "PricePublisherFunction"
ID_PRICE_PUBLISH_SCHEDULE = "PricePublishSchedule"
ID_PRICE_SCHEDULER_ROLE = "PriceSchedulerRole"
HANDLER_PRICING_WORKER = "functions.pricing.handlers.pricing_worker.lambda_handler"
HANDLER_PRICE_PUBLISHER = "functions.pricing.handlers.price_publisher.lambda_handler"
ENV_CATALOG_QUEUE_URL = "CATALOG_QUEUE_URL"
ENV_PRICE_PUBLISHER_ARN = "PRICE_PUBLISHER_ARN"
ENV_PRICE_SCHEDULER_ROLE_ARN = "PRICE_SCHEDULER_ROLE_ARN"
ENV_PRICE_SCHEDULE_GROUP = "PRICE_SCHEDULE_GROUP"
PRICE_SCHEDULE_GROUP = "default"
PRICING_WORKER_TIMEOUT_SECONDS = 30
PRICING_WORKER_BATCH_SIZE = 10
PRICE_PUBLISHER_TIMEOUT_SECONDS = 60
PRICE_PUBLISH_SCHEDULE = "rate(1 minute)"
PRICING_PARTITIONS = ("PRODUCT#*", "PRICE#*")
ID_CATALOG_BACKFILL_FUNCTION = "CatalogBackfillFunction"
ID_CATALOG_BACKFILL_SCHEDULE = "CatalogBackfillSchedule"
HANDLER_CATALOG_BACKFILL = "functions.pricing.handlers.catalog_backfill.lambda_handler"
CATALOG_BACKFILL_SCHEDULE = "cron(15 3 * * ? *)"  # daily, 03:15 UTC
CATALOG_BACKFILL_TIMEOUT_SECONDS = 300

# Shipments to the ERP (issue 10.2): OrderShipped -> the sales order's item fulfilment, once.
ID_ERP_FULFILMENT_QUEUE = "ErpFulfilmentQueue"
ID_ERP_FULFILMENT_DLQ = "ErpFulfilmentDlq"
ID_ERP_FULFILMENT_RULE = "ErpFulfilmentRule"
ID_ERP_FULFILMENT_FUNCTION = "ErpFulfilmentFunction"
HANDLER_ERP_FULFILMENT = "functions.orders.handlers.erp_fulfilment.lambda_handler"
ERP_FULFILMENT_TIMEOUT_SECONDS = 60
ERP_FULFILMENT_BATCH_SIZE = 10
