"""ReturnFlow's collaborators, built once per cold start from the function's settings.

Only what a function's settings name is built (a step without an ERP URL gets no ERP client), and
httpx-based clients are imported here, not at module import, so the steps that never call out stay
light (issue 7's cold-import budget).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from functions.returns.dal.return_store import DynamoReturnStore
from functions.returns.logic.flow_steps import ReturnSteps
from functions.returns.settings import ReturnStepSettings
from shared.adapters.trace_store import DynamoTraceStore
from shared.errors import Unavailable
from shared.settings import cached

if TYPE_CHECKING:
    from functions.returns.adapters.channel_refunds import ChannelRefundPort


def build_steps(settings: ReturnStepSettings) -> ReturnSteps:
    from shared.adapters.exception_store import DynamoExceptionStore

    steps = ReturnSteps(DynamoReturnStore(settings.state_table_name), DynamoTraceStore(settings.trace_table_name))
    steps.exceptions = DynamoExceptionStore(settings.state_table_name)
    if settings.erp_base_url:
        from functions.returns.adapters.erp import HttpReturnsErp
        from shared.adapters.erp_gateway import erp_connector

        steps.erp = erp_connector(HttpReturnsErp, settings.erp_base_url, settings.erp_timeout_seconds, lane="priority")
    refunds = _channel_refunds(settings)
    if refunds:
        from functions.returns.adapters.channel_refunds import ChannelRefunds

        steps.channel_refunds = ChannelRefunds(refunds)
    if settings.loop_api_base_url:
        from functions.returns.adapters.returns_platform import LoopReturns
        from shared.channels.clients._token import configured_token

        steps.platform = LoopReturns(
            settings.loop_api_base_url,
            configured_token(
                vendor="Loop",
                secret_key="loop_api_key",
                override=settings.loop_api_key,
                local_token="local-loop-api-key",  # the Loop sandbox's
                unavailable=Unavailable,
            ),
            settings.channel_timeout_seconds,
        )
    if settings.inventory_queue_url:
        from functions.returns.adapters.aws_ports import SqsInventoryQueue

        steps.inventory = SqsInventoryQueue(settings.inventory_queue_url)
    if settings.orders_queue_url:
        from functions.returns.adapters.aws_ports import SqsOrdersQueue

        steps.orders = SqsOrdersQueue(settings.orders_queue_url)
    if settings.event_bus_name:
        from shared.adapters.event_bus import EventBridgeBus

        steps.status_events = EventBridgeBus(settings.event_bus_name)
    if settings.return_flow_arn:
        from functions.returns.adapters.aws_ports import StepFunctionsReturnFlow

        steps.flow = StepFunctionsReturnFlow(settings.return_flow_arn)
    return steps


def _channel_refunds(settings: ReturnStepSettings) -> dict[str, ChannelRefundPort]:
    """A refund client per channel whose API this step is given (Shopify, Walmart)."""
    refunds: dict[str, ChannelRefundPort] = {}
    if settings.shopify_admin_base_url:
        from functions.returns.adapters.channel_refunds import ShopifyRefunds
        from shared.channels.clients._token import shopify_token

        refunds["shopify"] = ShopifyRefunds(
            settings.shopify_admin_base_url,
            shopify_token(settings.shopify_access_token, Unavailable),
            settings.shopify_api_version,
            timeout=settings.channel_timeout_seconds,
        )
    if settings.walmart_api_base_url:
        from functions.returns.adapters.channel_refunds import WalmartRefunds
        from shared.adapters.vendor_auth import walmart_token_auth

        refunds["walmart"] = WalmartRefunds(
            settings.walmart_api_base_url,
            walmart_token_auth(settings.walmart_api_base_url),
            timeout=settings.channel_timeout_seconds,
        )
    if settings.ebay_api_base_url:
        from functions.returns.adapters.channel_refunds import EbayRefunds
        from shared.channels.clients.ebay_api import SELL_FULFILLMENT_SCOPE

        # A seller's user token with the sell.fulfillment scope (issueRefund writes the order).
        refunds["ebay"] = EbayRefunds.from_env(scope=SELL_FULFILLMENT_SCOPE)
    return refunds


@lru_cache(maxsize=1)
def default_steps() -> ReturnSteps:
    return build_steps(cached(ReturnStepSettings))
