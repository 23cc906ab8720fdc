"""What finance compares a payout against: the channels' fee schedules, the tolerance, the ERP accounts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

from shared.models.base import Model
from shared.models.settlement import FeeType

CENT = Decimal("0.01")


class FeeRule(Model):
    """Expected fee of `fee_type` on an order's sales: `percent` of the base, plus `fixed` per charge."""

    fee_type: FeeType
    percent: Annotated[Decimal, Field(ge=0, le=100)]
    fixed: Annotated[Decimal, Field(ge=0)] = Decimal("0")

    def expected(self, base: Decimal, charges: int) -> Decimal:
        return (base * self.percent / 100 + self.fixed * charges).quantize(CENT, rounding=ROUND_HALF_UP)


# Amazon's referral fee on most categories is 15 % of the sales price (promotions deducted);
# Shopify Payments' online card rate on the Basic plan is 2.9 % + 30 cents per charge; Walmart's
# referral fee is 15 % in most categories (Electronics 8 %, set per deployment); eBay's final value
# fee for most categories is 13.25 % of the order total plus 40 cents per order; Square's in-person
# card rate 2.6 % + 10 cents per payment. These are data: a deployment sets its own contract's rates.
DEFAULT_FEE_SCHEDULE: dict[str, list[FeeRule]] = {
    "amazon": [FeeRule(fee_type=FeeType.COMMISSION, percent=Decimal("15"))],
    "shopify": [FeeRule(fee_type=FeeType.PAYMENT_PROCESSING, percent=Decimal("2.9"), fixed=Decimal("0.30"))],
    "walmart": [FeeRule(fee_type=FeeType.COMMISSION, percent=Decimal("15"))],
    "ebay": [FeeRule(fee_type=FeeType.COMMISSION, percent=Decimal("13.25"), fixed=Decimal("0.40"))],
    "square": [FeeRule(fee_type=FeeType.PAYMENT_PROCESSING, percent=Decimal("2.6"), fixed=Decimal("0.10"))],
}


class Accounts(Model):
    """ERP account internal ids the payout journal posts to (NetSuite `account: {"id"}`)."""

    bank: str = "1000"
    receivable: str = "1210"  # channel clearing: what the sales order booked as owed by the channel
    reserve: str = "1250"  # money the channel holds back
    suspense: str = "2990"  # lines naming orders we do not know, until someone resolves them
    adjustments: str = "4990"
    fees: dict[FeeType, str] = Field(
        default_factory=lambda: {
            FeeType.COMMISSION: "6110",
            FeeType.FULFILMENT: "6120",
            FeeType.SHIPPING_LABEL: "6130",
            FeeType.ADVERTISING: "6140",
            FeeType.CHARGEBACK: "6150",
            FeeType.PAYMENT_PROCESSING: "6160",
            FeeType.SUBSCRIPTION: "6170",
            FeeType.OTHER: "6190",
        }
    )

    def fee_account(self, fee_type: FeeType) -> str:
        return self.fees.get(fee_type, self.fees.get(FeeType.OTHER, "6190"))
