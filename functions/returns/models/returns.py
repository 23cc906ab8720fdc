"""The returns domain's own models: what ReturnFlow carries from step to step and what it stores.

A return is keyed by its business key `<source>:<source_return_id>` (the ReturnFlow execution is
named after it). Money is Decimal with an ISO currency; quantities are whole units.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from shared.models.base import Model
from shared.models.common import Channel, LocationId, Sku, StrictModel, UtcDatetime
from shared.models.money import Money
from shared.models.returns import ExchangeItem

RETURN_FLOW_SCHEMA_VERSION = "1"


class ReturnState(StrEnum):
    """The contract's return statuses (CONTRACT.md, "Returns (ReturnFlow)")."""

    REJECTED = "REJECTED"
    AWAITING_INSPECTION = "AWAITING_INSPECTION"
    INSPECTED = "INSPECTED"
    REFUNDED = "REFUNDED"
    EXCEPTION = "EXCEPTION"
    CLOSED = "CLOSED"


class Condition(StrEnum):
    """What the warehouse found (the WMS `return.inspected` webhook)."""

    RESELLABLE = "resellable"
    REFURBISH = "refurbish"
    DAMAGED = "damaged"
    UNSELLABLE = "unsellable"


class Disposition(StrEnum):
    RESTOCK = "RESTOCK"
    REFURBISH = "REFURBISH"
    QUARANTINE = "QUARANTINE"
    SCRAP = "SCRAP"
    LIQUIDATE = "LIQUIDATE"


class RefundStatus(StrEnum):
    PENDING = "PENDING"  # not yet approved: nothing is refunded before the inspection
    POSTED = "POSTED"  # credit memo in the ERP and refund pushed to the channel
    REFUNDED_BY_CHANNEL = "REFUNDED_BY_CHANNEL"  # the marketplace (or the till) refunded itself
    NONE = "NONE"  # nothing accepted: nothing to refund


class RequestedLine(StrictModel):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    reason: str | None = None
    # The customer takes this item instead of money for each unit of the line (an exchange).
    exchange: ExchangeItem | None = None


class ReturnRequest(StrictModel):
    """A return as ReturnFlow starts it, whatever the source (Loop, marketplace, POS)."""

    schema_version: str = RETURN_FLOW_SCHEMA_VERSION
    source: Channel
    source_return_id: Annotated[str, Field(min_length=1, max_length=128)]
    channel: Channel
    channel_order_id: Annotated[str, Field(min_length=1, max_length=128)]
    correlation_id: Annotated[str, Field(min_length=8, max_length=64)]
    requested_at: UtcDatetime
    lines: Annotated[list[RequestedLine], Field(min_length=1)]
    # A store return names the store that took the goods back (restocked there after inspection).
    location_id: LocationId | None = None
    # The channel already paid the customer back (a marketplace refunding itself, the till).
    refunded_by_channel: bool = False

    @property
    def return_key(self) -> str:
        return f"{self.source}:{self.source_return_id}"


class PurchasedLine(Model):
    """One line of the order the goods were bought on (read from the order item)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    line_id: str | None = None  # the channel's line id (Shopify's line_item_id)
    sku: str
    quantity: int
    unit_price: Money
    tax: Money | None = None  # the line's tax for all its units
    discount: Money | None = None  # the line's discount for all its units


class PurchasedOrder(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: str
    channel: str
    channel_order_id: str
    currency: str
    placed_at: UtcDatetime
    lines: list[PurchasedLine]
    location_id: str | None = None
    status: str | None = None  # the order's state (OrderFlow's: ACCEPTED, CANCELLED, ...)
    # Who bought it and where it went: an exchange's replacement goes to the same customer and address.
    customer: dict[str, Any] | None = None
    shipping_address: dict[str, Any] | None = None


class AcceptedLine(StrictModel):
    """A line policy accepted: `quantity` units may come back."""

    sku: Sku
    quantity: Annotated[int, Field(gt=0)]


class PolicyDecision(StrictModel):
    accepted: list[AcceptedLine] = Field(default_factory=list)
    rejected_reasons: list[str] = Field(default_factory=list)

    @property
    def approved(self) -> bool:
        return bool(self.accepted) and not self.rejected_reasons


class InspectedLine(StrictModel):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    condition: Condition


class Inspection(StrictModel):
    """The warehouse's `return.inspected` report (CONTRACT.md)."""

    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    return_key: Annotated[str, Field(min_length=3, max_length=200)]
    location_id: LocationId
    sequence: Annotated[int, Field(ge=0)]
    lines: list[InspectedLine]
    occurred_at: UtcDatetime


class DispositionLine(StrictModel):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    condition: Condition
    disposition: Disposition
    refundable: bool


class RefundLine(StrictModel):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    line_id: str | None = None  # the channel's line id of the order line (Shopify's line_item_id)
    merchandise: Money
    tax: Money
    fee: Money

    @property
    def total(self) -> Money:
        return Money(amount=self.merchandise.amount + self.tax.amount - self.fee.amount, currency=self.tax.currency)


class RefundComputation(StrictModel):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    lines: list[RefundLine] = Field(default_factory=list)

    @property
    def amount(self) -> Money:
        return sum((line.total for line in self.lines), Money(amount=0, currency=self.currency))

    @property
    def tax(self) -> Money:
        return sum((line.tax for line in self.lines), Money(amount=0, currency=self.currency))


class CaseLine(StrictModel):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    disposition: Disposition | None = None  # null until inspected
    condition: Condition | None = None


class RefundRecord(StrictModel):
    status: RefundStatus = RefundStatus.PENDING
    amount: str | None = None  # Decimal as a string (never float), in `currency`
    tax: str | None = None
    currency: str | None = None
    # The value of the units exchanged: credited in the ERP memo, paid with the replacement, not refunded.
    exchange_credit: str | None = None
    erp_credit_memo_id: str | None = None
    channel_refund_id: str | None = None


class ReplacementLine(StrictModel):
    returned_sku: Sku
    item: ExchangeItem


class Replacement(StrictModel):
    """The order an exchange ships (its units paid by the credit of the returned ones): started
    through OrderFlow once, by the orders queue (`sent` once the message is on it)."""

    channel: str
    channel_order_id: str
    order_id: str
    lines: list[ReplacementLine]
    placed_at: UtcDatetime  # the inspection's time: the same order however often it is built
    sent: bool = False


class ReturnCase(Model):
    """The stored return (state table item `RETURNCASE#<source>:<source_return_id>` / `RETURNCASE`).

    `version` is the optimistic lock of every read-modify-write; `task_token` is the token of the
    ReturnFlow step waiting for the inspection (cleared when it is handed over)."""

    model_config = ConfigDict(extra="ignore")

    return_key: str
    source: str
    source_return_id: str
    channel: str
    channel_order_id: str
    order_id: str | None = None
    correlation_id: str
    status: ReturnState
    lines: list[CaseLine]
    rejected_reasons: list[str] = Field(default_factory=list)
    location_id: str | None = None
    refunded_by_channel: bool = False
    erp_return_authorization_id: str | None = None
    task_token: str | None = None
    inspection_event_id: str | None = None
    extra_units: dict[str, int] = Field(default_factory=dict)
    refund: RefundRecord = Field(default_factory=RefundRecord)
    refund_lines: list[dict[str, Any]] = Field(default_factory=list)  # RefundLine dumps (JSON)
    # Exchanges asked for, one entry per unit (capped at what policy accepted), and after the
    # inspection the units exchanged (credited, never refunded) and the replacement order.
    exchanges: list[ReplacementLine] = Field(default_factory=list)
    exchange_lines: list[dict[str, Any]] = Field(default_factory=list)  # RefundLine dumps (JSON)
    replacement: Replacement | None = None
    exception_reason: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    authorized_at: UtcDatetime | None = None
    refunded_at: UtcDatetime | None = None
    platform_status_reported: str | None = None
    status_event_published: str | None = None  # the status ReturnStatusChanged last announced
    # An inspection that arrived before the flow reached its wait: handed over when it gets there.
    pending_inspection: dict[str, object] | None = None
    version: int = 0

    def accepted_units(self) -> dict[str, int]:
        if self.status is ReturnState.REJECTED:
            return {}
        units: dict[str, int] = {}
        for line in self.lines:
            units[line.sku] = units.get(line.sku, 0) + line.quantity
        return units
