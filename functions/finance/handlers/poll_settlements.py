"""Payouts poller (EventBridge schedule): Amazon's new settlement reports, Shopify's, eBay's and Square's
paid payouts and Walmart's recon reports to the payload bucket and the finance queue (each channel polled
when its API is configured; one channel's failure does not stop the others, and is raised at the end so
the schedule's retry and alarms see it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from functions.finance.settings import SettlementPollerSettings
from shared.observability import entry_point, logger
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.finance.logic.poll import PayoutFeed, ReportSink, ReportSource


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    source: ReportSource | None = None,
    sink: ReportSink | None = None,
) -> dict[str, Any]:
    # Imported here: httpx (SP-API), boto3 (the stores) load with the first poll, not at import.
    from functions.finance.adapters.aws import S3Reports, SqsQueue
    from functions.finance.handlers._deps import default_store
    from functions.finance.logic.poll import poll_amazon_settlements, poll_payouts

    settings = cached(SettlementPollerSettings)
    bucket, queue = sink or S3Reports(settings.payload_bucket_name), SqsQueue(settings.finance_queue_url)
    answer: dict[str, Any] = {}
    if source is not None or settings.amazon_sp_api_base_url:
        from shared.channels.clients.sp_api import SpApiClient

        amazon = poll_amazon_settlements(source or SpApiClient.from_env(), default_store(), bucket, queue)
        answer["amazon"] = {"queued": amazon.queued, "watermark": amazon.watermark.isoformat()}
    failed: list[str] = []
    for channel, feed in _feeds(settings):
        try:
            found = poll_payouts(feed(), default_store(), bucket, queue)
        except Exception:
            logger.exception("payout poll failed", channel=channel)
            failed.append(channel)
            continue
        answer[channel] = {"queued": found.queued, "watermark": found.watermark.isoformat()}
    logger.info("payouts polled", queued={c: len(r["queued"]) for c, r in answer.items()}, failed=failed)
    if failed:
        raise RuntimeError(f"payout polls failed for {', '.join(failed)} (the others were polled)")
    return answer


def _feeds(settings: SettlementPollerSettings) -> list[tuple[str, Callable[[], PayoutFeed]]]:
    """The configured channels' payout feeds, each built when polled (its client mints its token)."""
    from functions.finance.logic import poll

    feeds: list[tuple[str, Callable[[], PayoutFeed]]] = []
    if settings.shopify_admin_base_url and settings.shopify_access_token:

        def shopify() -> PayoutFeed:
            from functions.finance.adapters.shopify_payments_api import ShopifyPaymentsApi

            return poll.ShopifyPayoutFeed(
                ShopifyPaymentsApi(
                    str(settings.shopify_admin_base_url),
                    access_token=str(settings.shopify_access_token),
                    api_version=settings.shopify_api_version,
                )
            )

        feeds.append(("shopify", shopify))
    if settings.walmart_api_base_url:

        def walmart() -> PayoutFeed:
            from functions.finance.adapters.payout_apis import WalmartReconApi
            from shared.adapters.vendor_auth import walmart_token_auth

            url = str(settings.walmart_api_base_url)
            return poll.WalmartReconFeed(WalmartReconApi(url, walmart_token_auth(url)))

        feeds.append(("walmart", walmart))
    if settings.ebay_api_base_url:

        def ebay() -> PayoutFeed:
            from functions.finance.adapters.payout_apis import EbayFinancesApi
            from shared.channels.clients.ebay_api import FINANCES_SCOPE

            return poll.EbayPayoutFeed(EbayFinancesApi.from_env(scope=FINANCES_SCOPE))

        feeds.append(("ebay", ebay))
    if settings.square_api_base_url:

        def square() -> PayoutFeed:
            from functions.finance.adapters.payout_apis import SquarePayoutsApi

            return poll.SquarePayoutFeed(SquarePayoutsApi.from_env())

        feeds.append(("square", square))
    return feeds
