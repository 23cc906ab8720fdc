"""Money: a Decimal amount with an ISO 4217 currency. Never float."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field, field_validator

from shared.models.base import Model

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


class Money(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal
    currency: CurrencyCode

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: object) -> object:
        # Floats lose cents; vendors send strings ("19.99") or integer minor units.
        if isinstance(value, float):
            raise ValueError("money amounts must be strings or Decimals, not floats")
        return value

    @classmethod
    def from_minor(cls, minor_units: int, currency: str, exponent: int = 2) -> Money:
        """Build from integer minor units (Square sends cents)."""
        return cls(amount=Decimal(minor_units).scaleb(-exponent), currency=currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def times(self, quantity: int) -> Money:
        return Money(amount=self.amount * quantity, currency=self.currency)

    def to_item(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}
