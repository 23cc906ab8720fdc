"""Settings of the local stack: ports, speed-ups for tests, and the environment it gives the handlers.

Every value has an environment variable so `make local` can be moved off busy ports, and a
constructor argument so tests can boot the stack on free ports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from infra.constants import LOCAL_ENVIRONMENT, STACK_PREFIX

HOST = "127.0.0.1"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account

# Which function environment variable points at which sandbox (sandbox name -> variable).
SANDBOX_URL_ENV = {
    "erp": "ERP_BASE_URL",
    "square": "SQUARE_API_BASE_URL",
    "marketplace": "WALMART_API_BASE_URL",
    "ebay": "EBAY_API_BASE_URL",
    "amazon": "AMAZON_SP_API_BASE_URL",
    "zalando": "ZALANDO_API_BASE_URL",
    "shopify": "SHOPIFY_ADMIN_BASE_URL",  # the availability publisher's inventory_levels/set
    "wms": "WMS_BASE_URL",  # reconciliation's WMS snapshot
    "loop": "LOOP_API_BASE_URL",  # ReturnFlow's ReportOutcome (Loop's Return Actions API)
    "helpdesk": "HELPDESK_BASE_URL",  # the customer-status publisher (Zendesk's Events API)
}

# Partner event bus on which Amazon SP-API notifications arrive (CONTRACT.md).
AMAZON_PARTNER_EVENT_SOURCE = f"aws.partner/sellingpartnerapi.amazon/{LOCAL_ENVIRONMENT}"

# Function environment variables that legitimately differ per function and are dropped from
# the process-wide union (Powertools falls back to the handler's own `service=`).
PER_FUNCTION_ENV = frozenset({"POWERTOOLS_SERVICE_NAME"})


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


@dataclass
class LocalConfig:
    """Where the local stack listens and how it behaves.

    `api_port` / `aws_port` of 0 pick a free port. `visibility_scale` multiplies every queue's
    visibility timeout (rounded up to whole seconds, at least 1 s) so a poison message reaches its
    DLQ in seconds in tests. `schedules` turns the schedule clock on; `fire_schedule()` works
    either way. `retry_scale` multiplies the state machines' Retry waits (0.1: a tenth, for tests).
    `quiet` lowers handler logging to WARNING and turns EMF metric output off.
    """

    api_port: int = field(default_factory=lambda: _env_int("RETAIL_SYNC_PORT", 3000))
    aws_port: int = field(default_factory=lambda: _env_int("RETAIL_SYNC_AWS_PORT", 5123))
    sandbox_base_port: int = field(default_factory=lambda: _env_int("RETAIL_SYNC_SANDBOX_PORT", 3100))
    visibility_scale: float = field(default_factory=lambda: _env_float("RETAIL_SYNC_LOCAL_VISIBILITY_SCALE", 1.0))
    schedules: bool = field(default_factory=lambda: _env_flag("RETAIL_SYNC_LOCAL_SCHEDULES", True))
    # Multiplies every Step Functions Retry wait (the template keeps its real intervals).
    retry_scale: float = field(default_factory=lambda: _env_float("RETAIL_SYNC_LOCAL_RETRY_SCALE", 1.0))
    # What `python -m local` puts in once ready (RETAIL_SYNC_SEED): "demo", the demo's starting point
    # (local/seed.py), or "none". The stack itself never seeds: tests and the demo bring their own data.
    seed: str = field(default_factory=lambda: (os.environ.get("RETAIL_SYNC_SEED") or "demo").strip().lower())
    sandboxes: bool = True
    quiet: bool = False
    project_root: Path = field(default_factory=Path.cwd)
    environment: str = LOCAL_ENVIRONMENT
    # Skip synthesis and deploy this template instead (RETAIL_SYNC_LOCAL_TEMPLATE).
    template_path: Path | None = field(
        default_factory=lambda: (
            Path(os.environ["RETAIL_SYNC_LOCAL_TEMPLATE"]) if os.environ.get("RETAIL_SYNC_LOCAL_TEMPLATE") else None
        )
    )
    host: str = HOST

    @property
    def stack_name(self) -> str:
        return f"{STACK_PREFIX}-{self.environment}"
