"""Payment and fraud review (pure, issue 10.1): which accepted orders wait for a person or a payment
before the ERP and the warehouse hear of them. The rules are data (`shared/data/review_rules.json`,
deployed with the functions):

- `hold_payment_statuses`: a channel payment state that is not money yet (Shopify `PENDING`: a
  manual or slow payment method; `EXPIRED`: the authorization lapsed) -> `PAYMENT_PENDING`;
- `review_above`: per currency, an order total above which a person looks first (a common first
  fraud rule: large baskets are where chargebacks hurt) -> `FRAUD_REVIEW`;
- `price_tolerance`: a line priced more than that share below the price master's price at the
  time the order was placed (`PRICE#<sku>`, the ERP's list or sale price, same currency) ->
  `PRICE_MISMATCH` (a pricing glitch on a channel is sold out in minutes; a SKU without a price
  record is not checked).

An order in review keeps its stock reserved (nothing is oversold while it waits) and ends
IN_REVIEW. It leaves review when the channel reports the payment cleared (HeldOrdersRetry reads the
order's newest applied update) or an operator releases it (`POST /v1/ops/orders/{channel}/{id}/release`);
`.../cancel` cancels it and gives the stock back.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field

from shared.models import Order
from shared.models.base import Model
from shared.models.catalog import PriceMaster
from shared.models.orders import PaymentStatus

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "data" / "review_rules.json"
PAYMENT_PENDING = "PAYMENT_PENDING"
FRAUD_REVIEW = "FRAUD_REVIEW"
PRICE_MISMATCH = "PRICE_MISMATCH"
# A payment state that means the money is there (or promised by the provider): review lifted.
CLEARED = frozenset({PaymentStatus.PAID, PaymentStatus.AUTHORIZED})


class ReviewRules(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: str = "1"
    hold_payment_statuses: list[PaymentStatus] = Field(default_factory=list)
    review_above: dict[Annotated[str, Field(pattern=r"^[A-Z]{3}$")], Annotated[Decimal, Field(gt=0)]] = Field(
        default_factory=dict
    )
    price_tolerance: Annotated[Decimal, Field(ge=0, lt=1)] | None = None


@lru_cache(maxsize=4)
def load_review_rules(path: Path = DEFAULT_RULES_FILE) -> ReviewRules:
    return ReviewRules.model_validate_json(path.read_bytes())


def review_reason(
    order: Order, rules: ReviewRules | None, prices: Mapping[str, PriceMaster] | None = None
) -> str | None:
    """Why the order waits for review, or None when it goes straight on."""
    if rules is None:
        return None
    if order.payment_status is not None and order.payment_status in rules.hold_payment_statuses:
        return PAYMENT_PENDING
    limit = rules.review_above.get(order.currency)
    if limit is not None and order.total.amount > limit:
        return FRAUD_REVIEW
    if rules.price_tolerance is not None and prices:
        for line in order.lines:
            master = prices.get(line.sku)
            if master is None or master.currency != line.unit_price.currency:
                continue
            floor = master.effective(order.placed_at).amount * (1 - rules.price_tolerance)
            if line.unit_price.amount < floor:
                return PRICE_MISMATCH
    return None


def payment_cleared(status: str | None) -> bool:
    try:
        return status is not None and PaymentStatus(status.upper()) in CLEARED
    except ValueError:
        return False
