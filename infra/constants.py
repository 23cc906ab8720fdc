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
