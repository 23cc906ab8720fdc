"""Shopify: HMAC-signed webhooks for orders, normalized to canonical orders and cancellations.

Vendor facts (sources in events/README.md):
- `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(app client secret, raw body)).
- `X-Shopify-Topic` names the topic; `X-Shopify-Webhook-Id` is the delivery id (the same on every
  retry of a delivery), `X-Shopify-Event-Id` the event id (shared by the deliveries of one event to
  several subscriptions); `X-Shopify-Triggered-At` is when the event happened.
- Order payloads are the REST Order resource: ids are 64-bit integers (kept exact: Python's json
  does not round them), money amounts are strings in the shop currency (`currency`).

Topics: `orders/create` -> Order, `orders/cancelled` -> OrderCancellation, `orders/updated` ->
OrderUpdate (the order as it is now: status, shipping address, lines), `orders/fulfilled` -> one
Fulfilment per fulfillment of the order, `refunds/create` -> Refund (the REST Refund resource:
`refund_line_items[]` with `subtotal_set` / `total_tax_set`, `transactions[]` of kind `refund`).
Any other topic is verified and answered 202 ignored.

Normalization decisions:
- unit price = `price` (shop currency); line tax = sum of `tax_lines[].price`; line discount = sum
  of `discount_allocations[].amount` (the per-line share of every discount application);
- gift-card lines are skipped (nothing to reserve or ship);
- a line without a SKU is refused (NormalizationError: poison). `variant_id` is Shopify's own id,
  not the retailer's SKU: falling back to it would reserve stock under a key the WMS never reports;
- `fulfilment_location_id` is left unset (Shopify's `location_id` is a Shopify location, not one of
  ours): the order flow applies the default fulfilment location.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from shared.channels.addresses import AddressFields, full_name
from shared.channels.base import (
    CanonicalCommand,
    ChannelAdapter,
    DeliveryInfo,
    NormalizationError,
    WebhookRequest,
    amounts_as_strings,
    payload_of,
    poison_in_worker,
    validate_at_edge,
    validate_for_worker,
)
from shared.channels.base import VendorModel as _Vendor
from shared.channels.registry import register
from shared.channels.signatures import verify_base64_hmac
from shared.errors import ValidationFailed
from shared.models import Address, CustomerRef, Envelope, Money, Order, OrderCancellation, OrderLine
from shared.models.envelope import Domain
from shared.models.order_changes import Fulfilment, FulfilmentLine, OrderUpdate, Refund, RefundLine
from shared.models.orders import PaymentStatus

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
EVENT_ID_HEADER = "X-Shopify-Event-Id"
TRIGGERED_AT_HEADER = "X-Shopify-Triggered-At"

ORDERS_CREATE = "orders/create"
ORDERS_CANCELLED = "orders/cancelled"
ORDERS_UPDATED = "orders/updated"
ORDERS_FULFILLED = "orders/fulfilled"
REFUNDS_CREATE = "refunds/create"

# Topic -> queue. Unlisted topics are verified and answered 202 ignored.
TOPICS: dict[str, Domain | None] = {
    ORDERS_CREATE: "orders",
    ORDERS_CANCELLED: "orders",
    ORDERS_UPDATED: "orders",
    ORDERS_FULFILLED: "orders",
    REFUNDS_CREATE: "orders",
}


AmountString = Annotated[Decimal, amounts_as_strings("Shopify")]


class ShopifyTaxLine(_Vendor):
    price: AmountString


class ShopifyDiscountAllocation(_Vendor):
    amount: AmountString


class ShopifyLineItem(_Vendor):
    id: int | str
    sku: str | None = None
    quantity: Annotated[int, Field(gt=0)]
    # "The line item's quantity, minus the removed quantity" (REST Order resource): what an order
    # edit left. An update's lines use it; a line edited to zero is dropped.
    current_quantity: Annotated[int, Field(ge=0)] | None = None
    price: AmountString
    title: str | None = None
    name: str | None = None
    variant_id: int | None = None
    gift_card: bool = False
    tax_lines: list[ShopifyTaxLine] = []
    discount_allocations: list[ShopifyDiscountAllocation] = []


class ShopifyCustomer(_Vendor):
    id: int | str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class ShopifyAddress(_Vendor):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    province_code: str | None = None
    zip: str | None = None
    country_code: str | None = None


class ShopifyShippingLine(_Vendor):
    price: AmountString
    discounted_price: AmountString | None = None


class ShopifyOrder(_Vendor):
    """The fields of the REST Order resource (orders/create) that we read."""

    id: int | str
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    email: str | None = None
    contact_email: str | None = None
    line_items: Annotated[list[ShopifyLineItem], Field(min_length=1)]
    customer: ShopifyCustomer | None = None
    shipping_address: ShopifyAddress | None = None
    shipping_lines: list[ShopifyShippingLine] = Field(default_factory=list)
    financial_status: str | None = None


class ShopifyCancelledOrder(_Vendor):
    """orders/cancelled carries the whole order; a cancellation needs only these. Shopify sets
    `cancelled_at` on every cancelled order (Order resource: "The date and time when the order was
    canceled"), so a delivery without it is not a cancellation: 400, never queued (found by
    `make fuzz`: a signed `{"id": 1}` was accepted)."""

    id: int | str
    cancelled_at: AwareDatetime
    cancel_reason: str | None = None
    updated_at: AwareDatetime | None = None


def _sum(amounts: list[Decimal], currency: str) -> Money | None:
    if not amounts:
        return None
    return Money(amount=sum(amounts, Decimal("0")), currency=currency)


# Shopify's name may come split, and its region as a code or a name: the address passes those in.
ADDRESS_FIELDS = AddressFields(None, "address1", "address2", "city", None, "zip", "country_code")


def _address(vendor: ShopifyAddress | None) -> Address | None:
    if vendor is None:
        return None
    return ADDRESS_FIELDS.address(
        vendor,
        name=vendor.name or full_name(vendor.first_name, vendor.last_name),
        region=vendor.province_code or vendor.province,
    )


def _customer(order: ShopifyOrder) -> CustomerRef | None:
    vendor = order.customer
    email = (vendor.email if vendor else None) or order.email or order.contact_email
    if vendor is None and email is None:
        return None
    return CustomerRef(
        channel_customer_id=str(vendor.id) if vendor and vendor.id is not None else None,
        email=email,
        name=full_name(vendor.first_name, vendor.last_name) if vendor else None,
    )


def _lines(order: ShopifyOrder, *, live: bool = False) -> list[OrderLine]:
    """The order's lines; `live`: as an order edit left them (`current_quantity`, zero dropped)."""
    lines: list[OrderLine] = []
    missing: list[dict[str, Any]] = []
    for index, item in enumerate(order.line_items):
        if item.gift_card:
            continue
        quantity = item.current_quantity if live and item.current_quantity is not None else item.quantity
        if quantity == 0:
            continue
        if not item.sku or not item.sku.strip():
            missing.append({"field": f"line_items.{index}.sku", "message": "a line without a SKU cannot be reserved"})
            continue
        lines.append(
            OrderLine(
                line_id=str(item.id),
                sku=item.sku,
                quantity=quantity,
                unit_price=Money(amount=item.price, currency=order.currency),
                tax=_sum([t.price for t in item.tax_lines], order.currency),
                discount=_sum([d.amount for d in item.discount_allocations], order.currency),
                title=item.name or item.title,
            )
        )
    if missing:
        raise NormalizationError("Shopify order has lines without a SKU", details=missing)
    return lines


def order_from_shopify(payload: dict[str, Any]) -> Order:
    """orders/create payload -> canonical Order (NormalizationError when it never can be)."""
    vendor = validate_for_worker(ShopifyOrder, payload, "Shopify order")
    with poison_in_worker("Shopify order does not fit the canonical model"):
        return Order(
            channel="shopify",
            channel_order_id=str(vendor.id),
            placed_at=vendor.created_at,
            currency=vendor.currency,
            lines=_lines(vendor),
            customer=_customer(vendor),
            shipping_address=_address(vendor.shipping_address),
            # What the buyer paid for shipping (a line's discounted price where Shopify gives one).
            shipping=_sum(
                [s.price if s.discounted_price is None else s.discounted_price for s in vendor.shipping_lines],
                vendor.currency,
            ),
            source_updated_at=vendor.updated_at,
            payment_status=payment_status(vendor.financial_status),
        )


def payment_status(financial_status: str | None) -> PaymentStatus | None:
    """Shopify's `financial_status` (`pending`, `authorized`, `paid`, ... `expired`) as ours; a value
    Shopify adds later is kept as unknown (None: not held for it)."""
    try:
        return PaymentStatus(financial_status.upper()) if financial_status else None
    except ValueError:
        return None


def cancellation_from_shopify(payload: dict[str, Any], fallback_time: datetime) -> OrderCancellation:
    """orders/cancelled payload -> canonical OrderCancellation."""
    vendor = validate_for_worker(ShopifyCancelledOrder, payload, "Shopify cancelled order")
    return OrderCancellation(
        channel="shopify",
        channel_order_id=str(vendor.id),
        cancelled_at=vendor.cancelled_at or vendor.updated_at or fallback_time,
        reason=vendor.cancel_reason,
    )


class ShopifyChangedOrder(_Vendor):
    """orders/updated and orders/fulfilled: the whole order as it is after the change."""

    id: int | str
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    updated_at: AwareDatetime
    financial_status: str | None = None
    fulfillment_status: str | None = None
    line_items: list[ShopifyLineItem] = []
    shipping_address: ShopifyAddress | None = None
    fulfillments: list[ShopifyFulfillment] = []


class ShopifyFulfillment(_Vendor):
    id: int | str
    status: str
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    location_id: int | str | None = None
    tracking_company: str | None = None
    tracking_numbers: list[str] = []
    line_items: list[ShopifyLineItem] = []


class ShopifyMoneyAmount(_Vendor):
    amount: AmountString
    currency_code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ShopifyMoneySet(_Vendor):
    shop_money: ShopifyMoneyAmount


class ShopifyRefundLineItem(_Vendor):
    id: int | str
    line_item_id: int | str
    quantity: Annotated[int, Field(ge=0)]
    restock_type: str | None = None
    subtotal_set: ShopifyMoneySet
    total_tax_set: ShopifyMoneySet | None = None
    line_item: ShopifyLineItem


class ShopifyTransaction(_Vendor):
    kind: str
    status: str
    amount: AmountString
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ShopifyRefund(_Vendor):
    """The REST Refund resource, as refunds/create sends it."""

    id: int | str
    order_id: int | str
    created_at: AwareDatetime
    processed_at: AwareDatetime | None = None
    note: str | None = None
    refund_line_items: list[ShopifyRefundLineItem] = []
    transactions: list[ShopifyTransaction] = []


ShopifyChangedOrder.model_rebuild()


def update_from_shopify(payload: dict[str, Any]) -> OrderUpdate:
    """orders/updated -> OrderUpdate (the lines only when every line still maps to a SKU)."""
    vendor = validate_for_worker(ShopifyChangedOrder, payload, "Shopify updated order")
    lines: list[OrderLine] | None = None
    if vendor.line_items:
        as_order = validate_for_worker(
            ShopifyOrder,
            {**payload, "created_at": payload.get("created_at") or vendor.updated_at.isoformat()},
            "Shopify updated order",
        )
        lines = _lines(as_order, live=True)
    return OrderUpdate(
        channel="shopify",
        channel_order_id=str(vendor.id),
        # Shopify sends no id per update: the order's updated_at is what tells two versions apart.
        change_id=vendor.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ"),
        updated_at=vendor.updated_at,
        financial_status=vendor.financial_status,
        fulfilment_status=vendor.fulfillment_status,
        shipping_address=_address(vendor.shipping_address),
        lines=lines,
    )


def fulfilments_from_shopify(payload: dict[str, Any]) -> list[Fulfilment]:
    """orders/fulfilled -> one Fulfilment per successful fulfillment (gift cards skipped)."""
    vendor = validate_for_worker(ShopifyChangedOrder, payload, "Shopify fulfilled order")
    fulfilments: list[Fulfilment] = []
    for index, fulfillment in enumerate(vendor.fulfillments):
        if fulfillment.status != "success":
            continue
        lines = []
        for item in fulfillment.line_items:
            if item.gift_card:
                continue
            if not item.sku:
                raise NormalizationError(
                    "Shopify fulfillment has a line without a SKU",
                    details=[{"field": f"fulfillments.{index}.line_items", "message": f"line {item.id} has no SKU"}],
                )
            lines.append(FulfilmentLine(line_id=str(item.id), sku=item.sku, quantity=item.quantity))
        if not lines:
            continue
        fulfilments.append(
            Fulfilment(
                channel="shopify",
                channel_order_id=str(vendor.id),
                change_id=str(fulfillment.id),
                fulfilled_at=fulfillment.created_at,
                status=fulfillment.status,
                lines=lines,
                carrier=fulfillment.tracking_company,
                tracking_numbers=fulfillment.tracking_numbers,
            )
        )
    return fulfilments


def refund_from_shopify(payload: dict[str, Any]) -> Refund:
    """refunds/create -> Refund: the amount is the sum of successful refund transactions."""
    vendor = validate_for_worker(ShopifyRefund, payload, "Shopify refund")
    paid = [t for t in vendor.transactions if t.kind == "refund" and t.status == "success"]
    currencies = {t.currency for t in paid} or {
        item.subtotal_set.shop_money.currency_code for item in vendor.refund_line_items
    }
    if len(currencies) != 1:
        raise NormalizationError(
            "Shopify refund has no single currency",
            details=[{"field": "transactions", "message": f"currencies {sorted(currencies)}"}],
        )
    currency = currencies.pop()
    lines = []
    for index, item in enumerate(vendor.refund_line_items):
        if not item.line_item.sku:
            raise NormalizationError(
                "Shopify refund has a line without a SKU",
                details=[{"field": f"refund_line_items.{index}.line_item.sku", "message": "required"}],
            )
        tax = item.total_tax_set.shop_money if item.total_tax_set else None
        lines.append(
            RefundLine(
                line_id=str(item.line_item_id),
                sku=item.line_item.sku,
                quantity=item.quantity,
                amount=Money(amount=item.subtotal_set.shop_money.amount, currency=currency),
                tax=Money(amount=tax.amount, currency=currency) if tax else None,
                restock=item.restock_type in ("return", "cancel"),
            )
        )
    return Refund(
        channel="shopify",
        channel_order_id=str(vendor.order_id),
        change_id=str(vendor.id),
        refunded_at=vendor.processed_at or vendor.created_at,
        amount=Money(amount=sum((t.amount for t in paid), Decimal("0")), currency=currency),
        lines=lines,
        reason=vendor.note,
    )


@register
class ShopifyAdapter(ChannelAdapter):
    source = "shopify"

    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        verify_base64_hmac(request.header(HMAC_HEADER), secret, request.body, HMAC_HEADER)

    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        topic = request.header(TOPIC_HEADER)
        delivery_id = request.header(WEBHOOK_ID_HEADER) or request.header(EVENT_ID_HEADER)
        if not topic or not delivery_id:
            missing = [
                {"field": f"header {name}", "message": "required"}
                for name, value in ((TOPIC_HEADER, topic), (WEBHOOK_ID_HEADER, delivery_id))
                if not value
            ]
            raise ValidationFailed("Shopify delivery headers are missing", details=missing)
        domain = TOPICS.get(topic)
        occurred_at = _parse_time(request.header(TRIGGERED_AT_HEADER))
        if topic == ORDERS_CREATE:
            order = validate_at_edge(ShopifyOrder, body, "Shopify order")
            occurred_at = occurred_at or order.updated_at or order.created_at
        elif topic == ORDERS_CANCELLED:
            cancelled = validate_at_edge(ShopifyCancelledOrder, body, "Shopify cancelled order")
            occurred_at = occurred_at or cancelled.cancelled_at or cancelled.updated_at
        elif topic in (ORDERS_UPDATED, ORDERS_FULFILLED):
            changed = validate_at_edge(ShopifyChangedOrder, body, f"Shopify {topic} order")
            occurred_at = occurred_at or changed.updated_at
        elif topic == REFUNDS_CREATE:
            refund = validate_at_edge(ShopifyRefund, body, "Shopify refund")
            occurred_at = occurred_at or refund.processed_at or refund.created_at
        return DeliveryInfo(delivery_id=delivery_id, event_type=topic, domain=domain, occurred_at=occurred_at)

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        payload = payload_of(envelope)
        if envelope.event_type == ORDERS_CREATE:
            return [order_from_shopify(payload)]
        if envelope.event_type == ORDERS_CANCELLED:
            return [cancellation_from_shopify(payload, envelope.occurred_at or envelope.received_at)]
        if envelope.event_type == ORDERS_UPDATED:
            return [update_from_shopify(payload)]
        if envelope.event_type == ORDERS_FULFILLED:
            return list(fulfilments_from_shopify(payload))
        if envelope.event_type == REFUNDS_CREATE:
            return [refund_from_shopify(payload)]
        return []


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
