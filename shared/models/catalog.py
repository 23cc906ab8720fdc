"""Master data from the ERP (or a PIM): the canonical product and its price, each versioned.

The ERP owns both; we keep the latest version of each and tell the channels. `version` is the
ERP's own monotonic sequence for that SKU (the first-party webhook's `sequence`): a version not
newer than the one kept is out of order and changes nothing, whatever order deliveries arrive in.

A price is a list price, optionally a sale price with an effective window (a promotion): at any
instant the effective price is the sale price inside the window and the list price outside it,
and the list price is then the "compare at" (strikethrough) price the channels can show.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from shared.models.common import Channel, Sku, StrictModel, UtcDatetime
from shared.models.money import CurrencyCode

CATALOG_SCHEMA_VERSION = "1"
PriceAmount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


class ProductMaster(StrictModel):
    schema_version: str = CATALOG_SCHEMA_VERSION
    sku: Sku
    version: Annotated[int, Field(ge=0)]
    title: Annotated[str, Field(min_length=1, max_length=500)]
    gtin: Annotated[str | None, Field(pattern=r"^\d{8,14}$")] = None
    attributes: dict[str, str] = Field(default_factory=dict)
    # Each channel's own key for the item's price: Shopify's variant id, Amazon's and Walmart's
    # seller SKU, eBay's offer id, Zalando's EAN. A channel not listed does not sell the item.
    listings: dict[Channel, Annotated[str, Field(min_length=1, max_length=128)]] = Field(default_factory=dict)
    updated_at: UtcDatetime


class Sale(StrictModel):
    price: PriceAmount
    starts_at: UtcDatetime
    ends_at: UtcDatetime

    @model_validator(mode="after")
    def _window(self) -> Sale:
        if self.ends_at <= self.starts_at:
            raise ValueError("a sale must end after it starts")
        return self


class EffectivePrice(StrictModel):
    amount: PriceAmount
    currency: CurrencyCode
    compare_at: PriceAmount | None = None  # the list price while a sale runs
    version: int
    on_sale: bool = False


class PriceMaster(StrictModel):
    schema_version: str = CATALOG_SCHEMA_VERSION
    sku: Sku
    version: Annotated[int, Field(ge=0)]
    currency: CurrencyCode
    list_price: PriceAmount
    sale: Sale | None = None
    updated_at: UtcDatetime

    @model_validator(mode="after")
    def _sale_below_list(self) -> PriceMaster:
        if self.sale is not None and self.sale.price >= self.list_price:
            raise ValueError("a sale price must be below the list price")
        return self

    def effective(self, at: datetime) -> EffectivePrice:
        """The price the channels show at `at`."""
        if self.sale is not None and self.sale.starts_at <= at < self.sale.ends_at:
            return EffectivePrice(
                amount=self.sale.price,
                currency=self.currency,
                compare_at=self.list_price,
                version=self.version,
                on_sale=True,
            )
        return EffectivePrice(amount=self.list_price, currency=self.currency, version=self.version)

    def boundaries_after(self, at: datetime) -> list[datetime]:
        """When the effective price will change next (the sale's start and end still ahead)."""
        if self.sale is None:
            return []
        return [moment for moment in (self.sale.starts_at, self.sale.ends_at) if moment > at]
