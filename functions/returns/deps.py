"""ReturnFlow's collaborators, built once per cold start from the function's settings.

Only what a function's settings name is built (a step without an ERP URL gets no ERP client), and
httpx-based clients are imported here, not at module import, so the steps that never call out stay
light (issue 7's cold-import budget).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from functions.returns.dal.return_store import DynamoReturnStore
from functions.returns.logic.flow_steps import ReturnSteps
from functions.returns.settings import ReturnStepSettings
from shared.adapters.trace_store import DynamoTraceStore
from shared.settings import cached

LOCAL_SHOPIFY_TOKEN = "local-shopify-token"  # the local sandboxes' own (never used deployed)
LOCAL_LOOP_API_KEY = "local-loop-api-key"


def _vendor_token(
    settings: ReturnStepSettings, vendor: str, secret_key: str, local_token: str, unavailable: type[Exception]
) -> Callable[[], str]:
    """Read when the call is made: deployed, the vendor secret's `secret_key` only (a missing one is
    `unavailable`: retried, then the return's exception says so); locally the variable of the same
    name, else the sandbox's token."""

    def token() -> str:
        from shared.channels.clients._token import vendor_access_token

        local = settings.environment_name == "local"
        return vendor_access_token(
            vendor=vendor,
            from_env=getattr(settings, secret_key) if local else None,
            webhook_secrets_arn=settings.webhook_secrets_arn,
            secret_key=secret_key,
            environment_name=settings.environment_name,
            local_token=local_token,
            unavailable=unavailable,
        )

    return token


def build_steps(settings: ReturnStepSettings) -> ReturnSteps:
    from shared.adapters.exception_store import DynamoExceptionStore

    steps = ReturnSteps(DynamoReturnStore(settings.state_table_name), DynamoTraceStore(settings.trace_table_name))
    steps.exceptions = DynamoExceptionStore(settings.state_table_name)
    if settings.erp_base_url:
        from functions.returns.adapters.erp import HttpReturnsErp
        from shared.adapters.vendor_auth import erp_token_auth

        steps.erp = HttpReturnsErp(
            settings.erp_base_url,
            timeout=settings.erp_timeout_seconds,
            token_auth=erp_token_auth(settings.erp_base_url),
        )
    if settings.shopify_admin_base_url:
        from functions.returns.adapters.channel_refunds import ChannelRefundUnavailable, ShopifyRefunds

        steps.channel_refunds = ShopifyRefunds(
            settings.shopify_admin_base_url,
            _vendor_token(settings, "Shopify", "shopify_access_token", LOCAL_SHOPIFY_TOKEN, ChannelRefundUnavailable),
            settings.shopify_api_version,
            timeout=settings.channel_timeout_seconds,
        )
    if settings.loop_api_base_url:
        from functions.returns.adapters.returns_platform import LoopReturns, PlatformUnavailable

        steps.platform = LoopReturns(
            settings.loop_api_base_url,
            _vendor_token(settings, "Loop", "loop_api_key", LOCAL_LOOP_API_KEY, PlatformUnavailable),
            settings.channel_timeout_seconds,
        )
    if settings.inventory_queue_url:
        from functions.returns.adapters.aws_ports import SqsInventoryQueue

        steps.inventory = SqsInventoryQueue(settings.inventory_queue_url)
    if settings.return_flow_arn:
        from functions.returns.adapters.aws_ports import StepFunctionsReturnFlow

        steps.flow = StepFunctionsReturnFlow(settings.return_flow_arn)
    return steps


@lru_cache(maxsize=1)
def default_steps() -> ReturnSteps:
    return build_steps(cached(ReturnStepSettings))
