"""Every environment variable a function reads is set by its construct.

What a function reads is declared in one place per function: the `EnvSettings` classes its handler
builds (`cached(<Settings>)` in the handler module) plus the settings of the clients it builds
while normalizing (the Square API client of the orders worker). A required field missing from the
template's `Environment.Variables` fails here instead of at the first cold start in AWS; an
optional one must be set too, unless it is a documented knob below. A module that reads
`os.environ` directly, outside a settings class, fails the last test.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from typing import Any

from functions.orders.dal.order_changes import OrderChangesSettings
from infra import constants as c
from shared.adapters.erp_gateway import GatewaySettings
from shared.adapters.vendor_auth import VendorAuthSettings
from shared.channels.clients.ebay_credentials import EbayApiSettings
from shared.channels.clients.sp_api import SpApiSettings
from shared.channels.clients.square_api import SquareApiSettings
from shared.channels.clients.walmart_api import WalmartApiSettings
from shared.channels.ebay import EbaySettings
from shared.settings import EnvSettings
from tests.infra.conftest import VENDOR_CALLERS, functions_by_id

ROOT = Path(__file__).resolve().parents[2]

# Settings a function builds outside its handler module (clients built while normalizing).
INDIRECT_SETTINGS: dict[str, tuple[type[EnvSettings], ...]] = {
    # Square notifications are enriched via its API, Amazon envelopes via SP-API getOrder / getOrderItems.
    c.ID_ORDERS_WORKER_FUNCTION: (SquareApiSettings, SpApiSettings),
}
# Walmart PO_CREATED (Orders API) and eBay ORDER_CONFIRMATION (getOrder) are enriched too, and order
# changes / returns are recorded in the state table and published on the bus.
INDIRECT_SETTINGS[c.ID_ORDERS_WORKER_FUNCTION] += (WalmartApiSettings, EbayApiSettings, OrderChangesSettings)
# The channel-outbound worker reads the Walmart token and eBay credentials like the enrichment clients.
INDIRECT_SETTINGS[c.ID_CHANNEL_OUTBOUND_FUNCTION] = (WalmartApiSettings, EbayApiSettings)
# The ingest verifies eBay signatures with getPublicKey and answers eBay's endpoint challenge.
INDIRECT_SETTINGS[c.ID_INGEST_FUNCTION] = (EbaySettings,)
# Every function that calls a vendor mints its tokens from the credentials in the vendor secret.
for _minting in (c.ID_ORDERS_WORKER_FUNCTION, c.ID_CHANNEL_OUTBOUND_FUNCTION, *VENDOR_CALLERS):
    INDIRECT_SETTINGS[_minting] = (*INDIRECT_SETTINGS.get(_minting, ()), VendorAuthSettings)

# Every function that calls the ERP does it through the ERP gateway (infra/erp/gateway_wiring.py).
ERP_GATEWAY_FUNCTIONS = (
    c.ID_CREATE_ERP_SALES_ORDER_FUNCTION,
    c.ID_CANCEL_ORDER_FUNCTION,
    c.ID_PARKED_REPLAY_FUNCTION,
    c.ID_RECONCILIATION_FUNCTION,
    c.ID_SETTLEMENT_WORKER_FUNCTION,
    c.ID_SETTLEMENT_RECONCILIATION_FUNCTION,
    "ReturnAuthorizeFunction",
    "ReturnPostRefundFunction",
)
for _gated in ERP_GATEWAY_FUNCTIONS:
    INDIRECT_SETTINGS[_gated] = (*INDIRECT_SETTINGS.get(_gated, ()), GatewaySettings)

# Optional settings a construct may leave unset: each has a safe default, documented here.
OPTIONAL_KNOBS = {
    "ERP_TIMEOUT_SECONDS": "HTTP timeout toward the ERP, 10 s",
    "ERP_PRIORITY_WAIT_SECONDS": "how long acceptance, cancellation and refunds wait for an ERP gateway slot, 10 s",
    "ERP_BULK_WAIT_SECONDS": "how long reconciliation snapshots and journals wait for an ERP gateway slot, 60 s",
    "ERP_BASE_URL": "ReturnFlow's steps that never call the ERP get none, so they build no ERP client",
    "RESERVATION_HOLD_SECONDS": "how long a reservation holds stock, 7 days",
    "CHANNELS": "channels the inventory view reports, shopify and square",
    "ONLINE_FULFILMENT_LOCATION_IDS": "locations fulfilling online orders, all of them",
    "SQUARE_ACCESS_TOKEN": "developer override, local only; deployed, the secret's square_access_token",
    "ZALANDO_TRACKING_SETTLE_SECONDS": "wait between Zalando's tracking and line updates, 5 s (Zalando's advice)",
    "EBAY_CLIENT_ID": "developer override, local only; deployed, the secrets' ebay_client_id",
    "EBAY_CLIENT_SECRET": "developer override, local only; deployed, the secrets' ebay_client_secret",
    "EBAY_REFRESH_TOKEN": "developer override, local only; deployed, the vendor credentials' ebay_refresh_token",
    "EBAY_VERIFICATION_TOKEN": "developer override, local only; deployed, the signing secret's ebay_verification_token",
    "AMAZON_LWA_TOKEN_URL": "Login with Amazon's token endpoint, api.amazon.com (NA); locally the SP-API sandbox",
    "WEBHOOK_BASE_URL": "public base URL override (webhookBaseUrl); unset, Square/eBay URLs come from the request",
    "LOOP_API_BASE_URL": "the returns platform (Loop) ReturnFlow reports to; unset, it reports nothing",
    "SHOPIFY_ADMIN_BASE_URL": "the Shopify Admin API; unset, nothing is sent to Shopify",
    "HELPDESK_BASE_URL": "the helpdesk (helpdeskBaseUrl); unset, statuses are served by the route only",
    "HELPDESK_TIMEOUT_SECONDS": "HTTP timeout toward the helpdesk, 10 s",
    "EVENT_BUS_NAME": "the domain bus: ReturnFlow's steps share one settings model; only the report step "
    "announces outcomes and gets it (and the grant to put events)",
    "WEBHOOK_SECRETS_ARN": "the signing secret: set on the ingest function only (EbayApiSettings, shared with the "
    "connectors, declares it; they never get it)",
    "VENDOR_CREDENTIALS_ARN": "the vendor credentials: set on the functions that call a vendor (ReturnFlow's steps "
    "share one settings model; only authorize, refund and report get it and the grant to read it)",
    "LOOP_API_KEY": "developer override, local only; deployed, the vendor secret's loop_api_key",
    "SHOPIFY_ACCESS_TOKEN": "developer override, local only; deployed, the vendor secret's shopify_access_token",
}

# Direct `os.environ` readers allowed outside settings classes, and why.
DIRECT_ENV_READERS = {
    "shared/settings.py": "EnvSettings.from_env itself",
    "functions/ingest/handlers/webhook.py": "passes os.environ for RETAIL_SYNC_WEBHOOK_SECRET_<SOURCE> overrides",
}


def _handler_module(function: dict[str, Any]) -> Any:
    return importlib.import_module(function["Properties"]["Handler"].rsplit(".", 1)[0])


def _settings_of(function_id: str, function: dict[str, Any]) -> list[type[EnvSettings]]:
    """The settings classes the handler module builds: `cached(X)` or `X.from_env()`."""
    module = _handler_module(function)
    source = inspect.getsource(module)
    names = re.findall(r"cached\((\w+)\)", source) + re.findall(r"(\w+)\.from_env\(\)", source)
    classes = [_resolve(module, source, name) for name in dict.fromkeys(names)]
    if not classes:  # a thin handler: its domain's deps module builds them (functions/ops/deps.py)
        domain = module.__name__.rsplit(".handlers.", 1)[0]
        for imported in re.findall(rf"from ({re.escape(domain)}\.deps) import", source):
            deps = importlib.import_module(imported)
            deps_source = inspect.getsource(deps)
            names = re.findall(r"cached\((\w+)\)", deps_source) + re.findall(r"(\w+)\.from_env\(\)", deps_source)
            classes += [_resolve(deps, deps_source, name) for name in dict.fromkeys(names)]
    # Only settings classes: a client's own `from_env()` (SpApiClient.from_env) is not one.
    classes = [cls for cls in classes if isinstance(cls, type) and issubclass(cls, EnvSettings)]
    assert classes, f"{function_id}: its handler builds no settings class (cached(X) or X.from_env())"
    return [*classes, *INDIRECT_SETTINGS.get(function_id, ())]


def _resolve(module: Any, source: str, name: str) -> Any:
    """A settings class the handler names: a module attribute, or imported lazily inside a function
    (`from functions.x.models.settings import XSettings`, kept out of the cold import)."""
    if hasattr(module, name):
        return getattr(module, name)
    found = re.search(rf"from ([\w.]+) import [^\n]*\b{name}\b", source)
    assert found, f"{module.__name__}: {name} is neither an attribute nor imported by name"
    return getattr(importlib.import_module(found.group(1)), name)


def _reads(settings: list[type[EnvSettings]]) -> dict[str, bool]:
    """Variable name -> required, over every field of the settings classes."""
    reads: dict[str, bool] = {}
    for cls in settings:
        for name, field in cls.model_fields.items():
            reads[name.upper()] = reads.get(name.upper(), False) or field.is_required()
    return reads


def _missing(reads: dict[str, bool], env: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(required variables not set, optional ones neither set nor documented knobs)."""
    required = sorted(name for name, needed in reads.items() if needed and name not in env)
    optional = sorted(
        name for name, needed in reads.items() if not needed and name not in env and name not in OPTIONAL_KNOBS
    )
    return required, optional


def test_every_function_reads_only_variables_its_construct_sets(resources: dict[str, dict[str, Any]]) -> None:
    problems: dict[str, dict[str, list[str]]] = {}
    functions = functions_by_id(resources)
    assert len(functions) >= 8
    for function_id, function in sorted(functions.items()):
        env = function["Properties"]["Environment"]["Variables"]
        required, optional = _missing(_reads(_settings_of(function_id, function)), env)
        if required or optional:
            problems[function_id] = {"required, not set": required, "optional, not set nor a knob": optional}
    assert problems == {}, "set these in the function's construct (or document an optional one as a knob)"


def test_the_ops_function_has_what_parked_order_replay_needs(resources: dict[str, dict[str, Any]]) -> None:
    env = resources[c.ID_OPS_API_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert env[c.ENV_ORDERS_PARKING_QUEUE_URL] == {"Ref": c.ID_ORDERS_PARKING_QUEUE}
    assert env[c.ENV_ORDER_FLOW_ARN] == {"Ref": c.ID_ORDER_FLOW}


def test_the_orders_worker_finds_the_square_token_in_the_vendor_credentials(
    resources: dict[str, dict[str, Any]],
) -> None:
    worker_env = resources[c.ID_ORDERS_WORKER_FUNCTION]["Properties"]["Environment"]["Variables"]
    assert worker_env[c.ENV_VENDOR_CREDENTIALS_ARN] == {"Ref": c.ID_VENDOR_CREDENTIALS}
    assert c.ENV_WEBHOOK_SECRETS_ARN not in worker_env
    assert c.ENV_SQUARE_ACCESS_TOKEN not in worker_env  # a token never sits in plain environment
    template = resources[c.ID_VENDOR_CREDENTIALS]["Properties"]["GenerateSecretString"]["SecretStringTemplate"]
    assert c.SECRET_KEY_SQUARE_ACCESS_TOKEN in template


def test_a_missing_variable_is_caught_by_this_check() -> None:
    # The check itself: a settings class with a required field the environment lacks.
    class Replay(EnvSettings):
        state_table_name: str
        orders_parking_queue_url: str
        order_flow_arn: str | None = None
        erp_timeout_seconds: float = 10.0

    env = {"STATE_TABLE_NAME": "t"}
    assert _missing(_reads([Replay]), env) == (["ORDERS_PARKING_QUEUE_URL"], ["ORDER_FLOW_ARN"])


def _direct_env_reads(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
        and node.attr in ("environ", "getenv")
    ]


def test_functions_and_shared_code_read_the_environment_only_through_settings_classes() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines
        for folder in ("functions", "shared")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := _direct_env_reads(path)) and str(path.relative_to(ROOT)) not in DIRECT_ENV_READERS
    }
    assert offenders == {}, "read the environment through an EnvSettings class (see shared/settings.py)"
