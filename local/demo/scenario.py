"""The demo scenario: which fixture is delivered when, and what must come of it.

Every delivery is a real-shaped vendor payload from `events/`, signed as the vendor signs it.
Phases run one after the other, and the stack is left to go idle between them, because the
story depends on order: stock must exist before orders reserve it, and the order must be
accepted before it is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Delivery:
    """One webhook delivery and the answer the contract says it gets."""

    label: str
    fixture: str  # events/<source>/<case>
    expect_status: int = 202
    expect_duplicate: bool = False
    expect_ignored: bool = False
    tamper: bool = False  # flip a byte of the body after signing: the signature no longer matches

    @property
    def source(self) -> str:
        return self.fixture.split("/", 1)[0]


@dataclass(frozen=True)
class Phase:
    title: str
    deliveries: tuple[Delivery, ...]


PHASES: tuple[Phase, ...] = (
    Phase(
        "WMS reports stock (the warehouse dc-east and the store D7AVYMEAPJ3A3)",
        (
            Delivery("receipt: PINK on hand 40 at dc-east (seq 101)", "wms/inventory_adjusted"),
            Delivery("BLACK on hand 25 at dc-east (seq 102)", "wms/inventory_adjusted_black"),
            Delivery("GREEN on hand 2 at dc-east (seq 103)", "wms/inventory_adjusted_green"),
            Delivery("cycle count: PINK on hand 38 at dc-east (seq 104)", "wms/inventory_adjusted_cycle_count"),
            Delivery("PINK on hand 6 at the store (seq 105)", "wms/inventory_adjusted_store_pink"),
            Delivery("CASE on hand at the store (seq 106)", "wms/inventory_adjusted_store_case"),
        ),
    ),
    Phase(
        "Out of order and unhandled WMS deliveries",
        (
            Delivery("stale: PINK on hand 12 (seq 100, older than 104)", "wms/inventory_adjusted_stale"),
            Delivery("receipt.closed, a topic we do not handle", "wms/receipt_closed", expect_ignored=True),
        ),
    ),
    Phase(
        "Orders from Shopify and a Square store sale",
        (
            Delivery("Shopify #9999: 1 PINK + 2 BLACK", "shopify/orders_create"),
            Delivery(
                "Shopify #9999 again (the same delivery retried)", "shopify/orders_create", expect_duplicate=True
            ),
            Delivery(
                "Shopify #1001 with a tampered body", "shopify/orders_create_second", expect_status=401, tamper=True
            ),
            Delivery("Shopify #1001: 3 GREEN, only 2 in stock", "shopify/orders_create_second"),
            Delivery("Square store sale: 1 PINK + 2 CASE at the store", "square/payment_created"),
        ),
    ),
    Phase(
        "The customer cancels Shopify #9999",
        (Delivery("Shopify orders/cancelled #9999", "shopify/orders_cancelled"),),
    ),
)


@dataclass(frozen=True)
class ExpectedOrder:
    channel: str
    channel_order_id: str
    status: str
    has_erp_id: bool


@dataclass(frozen=True)
class ExpectedStock:
    sku: str
    location_id: str
    on_hand: int
    reserved: int


@dataclass(frozen=True)
class Expectations:
    orders: tuple[ExpectedOrder, ...]
    stock: tuple[ExpectedStock, ...]
    erp_sales_orders: int  # distinct sales orders the ERP holds at the end
    extra: dict[str, Decimal] = field(default_factory=dict)


EXPECTED = Expectations(
    orders=(
        # accepted, sent to the ERP, then cancelled: the ERP order is cancelled, stock released
        ExpectedOrder("shopify", "820982911946154508", "CANCELLED", has_erp_id=True),
        # more GREEN than exists: on hold, never sent to the ERP, nothing reserved
        ExpectedOrder("shopify", "450789469", "ON_HOLD", has_erp_id=False),
        # a store sale, reserved at the store and recorded in the ERP
        ExpectedOrder("square", "CAISENgvlJ6jLWAzERDzjyHVybY", "ACCEPTED", has_erp_id=True),
    ),
    stock=(
        ExpectedStock("IPOD2008PINK", "dc-east", on_hand=38, reserved=0),  # 104 wins over stale 100
        ExpectedStock("IPOD2008BLACK", "dc-east", on_hand=25, reserved=0),  # released by the cancel
        ExpectedStock("IPOD2008GREEN", "dc-east", on_hand=2, reserved=0),  # the on-hold order took nothing
        ExpectedStock("IPOD2008PINK", "D7AVYMEAPJ3A3", on_hand=6, reserved=1),  # the store sale
    ),
    erp_sales_orders=2,
)
