"""Names used across the stack: construct ids, handler import paths, environment variable names.

Every environment variable name is unique across the stack and carries the same value in every
function that has it, so the local stack can run all handlers in one process with the union of
their environments.
"""

from __future__ import annotations

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
ENV_WEBHOOK_BASE_URL = "WEBHOOK_BASE_URL"
ENV_DEFAULT_FULFILMENT_LOCATION = "DEFAULT_FULFILMENT_LOCATION_ID"
ENV_ENVIRONMENT_NAME = "ENVIRONMENT_NAME"

# Queue tuning (also read by the local stack's poller from the template).
ORDERS_QUEUE_BATCH_SIZE = 10
INVENTORY_QUEUE_BATCH_SIZE = 25
MAX_RECEIVE_COUNT = 5
WEBHOOK_MAX_BODY_BYTES = 256 * 1024

# Sources accepted on /v1/webhooks/{source} in this release.
WEBHOOK_SOURCES = ("shopify", "square", "wms", "pos", "erp")

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
ID_WEBHOOK_API = "WebhookApi"
ID_ORDER_FLOW = "OrderFlow"
ID_ALARM_TOPIC = "AlarmTopic"
ID_DASHBOARD = "Dashboard"
ID_INGEST_FUNCTION = "IngestFunction"
ID_ORDERS_WORKER_FUNCTION = "OrdersWorkerFunction"
ID_RESERVE_STOCK_FUNCTION = "ReserveStockFunction"
ID_CREATE_ERP_SALES_ORDER_FUNCTION = "CreateErpSalesOrderFunction"
ID_RECORD_ORDER_FUNCTION = "RecordOrderFunction"
ID_CANCEL_ORDER_FUNCTION = "CancelOrderFunction"
ID_INVENTORY_WORKER_FUNCTION = "InventoryWorkerFunction"
ID_OPS_API_FUNCTION = "OpsApiFunction"

# Attribute names the tables are keyed on (see docs/wiring.md).
IDEMPOTENCY_TABLE_TTL_ATTRIBUTE = "expiration"
STATE_TABLE_TTL_ATTRIBUTE = "expires_at"
TRACE_TABLE_TTL_ATTRIBUTE = "expires_at"

# Powertools environment (same names in every function; only the service name differs).
ENV_POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
ENV_POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
ENV_LOG_LEVEL = "LOG_LEVEL"

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
API_OPS_RATE_LIMIT = 20
API_OPS_BURST_LIMIT = 40

# Claim-check payloads live only as long as a message can (queue retention + DLQ retention).
PAYLOAD_EXPIRY_DAYS = 30
ACCESS_LOG_EXPIRY_DAYS = 90

# At most this many concurrent ERP writers (reserved concurrency of create_erp_sales_order);
# context `erpConcurrency` overrides, 0 turns the reservation off.
DEFAULT_ERP_CONCURRENCY = 5
