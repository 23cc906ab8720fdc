"""Square (store POS): signed event notifications, enriched through the Square API.

Vendor facts (sources in events/README.md):
- `x-square-hmacsha256-signature` = base64(HMAC-SHA256(signature key, notification URL + raw
  body)); the URL must be byte for byte the one registered with Square (`endpoint_url`).
- Every notification is `{"merchant_id", "type", "event_id", "created_at", "data": {"type", "id",
  "object": {...}}}`; `event_id` is the idempotency value (our delivery id).
- `order.created` / `order.updated` carry only `order_id`, `location_id`, `state`, `version` (and
  timestamps), never line items; `order.created` is published for CreateOrder API calls only, and
  orders rung up in the Square Point of Sale app publish no order webhook at all, while their
  payments do publish `payment.created` / `payment.updated` (the payment names `order_id` and
  `location_id`).

So a POS sale arrives as a COMPLETED payment or a COMPLETED order event, and normalization reads
the order with RetrieveOrder and the SKUs of its catalog variations with BatchRetrieveCatalogObjects
(the `enrich` dependency, `SquareLookup`). Routing:
- `order.created` / `order.updated` / `order.fulfillment.updated` with state COMPLETED or CANCELED,
  `payment.created` / `payment.updated` with status COMPLETED and an `order_id`: queue `orders`;
- `refund.created` / `refund.updated` with status COMPLETED: queue `orders` (a store return);
- everything else (OPEN orders, pending payments and refunds, catalog, ...): 202 ignored.
Several notifications can stand for one sale (payment and order events): they normalize to the
same canonical order (`order_id_for("square", order id)`), which the order flow dedupes.

Normalization: a COMPLETED order -> `Order` (channel `square`, `fulfilment_location_id` = the Square
location, i.e. the store; money from integer minor units); CANCELED -> `OrderCancellation`; any
other state -> nothing. GIFT_CARD and CUSTOM_AMOUNT lines have no stock and are skipped; a line's
SKU is the line's `metadata.sku` when the retailer sets one, else its catalog
variation's SKU (BatchRetrieveCatalogObjects); a line without one, or with a fractional
quantity, makes the message poison.

A Square order is only emitted COMPLETED: the goods have left the store, so the OrderFlow treats it
as a till sale (on hand lowered at the store once, never reserved or held:
shared/store_sales.py), and still sends it to the ERP.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Protocol

from pydantic import AwareDatetime, Field

from shared.channels.base import (
    CanonicalCommand,
    DeliveryInfo,
    EnrichedChannelAdapter,
    NormalizationError,
    WebhookRequest,
    payload_of,
    poison_in_worker,
    validate_at_edge,
    validate_for_worker,
)
from shared.channels.base import VendorModel as _Vendor
from shared.channels.registry import register
from shared.channels.signatures import verify_base64_hmac
from shared.errors import SignatureInvalid
from shared.models import CustomerRef, Envelope, Money, Order, OrderCancellation, OrderLine
from shared.models.envelope import Domain
from shared.models.returns import StoreReturn

SIGNATURE_HEADER = "x-square-hmacsha256-signature"

# Event type -> the key of `data.object` that holds the order change.
ORDER_EVENTS = {
    "order.created": "order_created",
    "order.updated": "order_updated",
    "order.fulfillment.updated": "order_fulfillment_updated",
}
PAYMENT_EVENTS = frozenset({"payment.created", "payment.updated"})
# A refund taken at the counter: a store return at the refund's location once COMPLETED.
REFUND_EVENTS = frozenset({"refund.created", "refund.updated"})
ACTIONABLE_ORDER_STATES = frozenset({"COMPLETED", "CANCELED"})
SKIPPED_ITEM_TYPES = frozenset({"GIFT_CARD", "CUSTOM_AMOUNT"})

# ISO 4217 minor-unit exponents that are not 2 (Square amounts are integers in minor units).
_EXPONENTS = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


class SquareLookup(Protocol):
    """What normalization needs from Square's API (`SquareApiClient`, or a fake in tests)."""

    def retrieve_order(self, order_id: str) -> dict[str, Any]: ...

    def variation_skus(self, catalog_object_ids: list[str]) -> dict[str, str]: ...


class SquareEventData(_Vendor):
    type: str | None = None
    id: str | None = None
    object: dict[str, Any] = {}


class SquareEvent(_Vendor):
    merchant_id: str | None = None
    type: Annotated[str, Field(min_length=1)]
    event_id: Annotated[str, Field(min_length=1, max_length=256)]
    created_at: AwareDatetime
    data: SquareEventData


class SquareOrderChange(_Vendor):
    order_id: Annotated[str, Field(min_length=1)]
    location_id: str | None = None
    state: Annotated[str, Field(min_length=1)]
    version: int | None = None
    updated_at: AwareDatetime | None = None


class SquarePaymentChange(_Vendor):
    id: str
    status: Annotated[str, Field(min_length=1)]
    order_id: str | None = None
    location_id: str | None = None


class SquareMoney(_Vendor):
    amount: int
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class SquareLineItem(_Vendor):
    uid: Annotated[str, Field(min_length=1)]
    name: str | None = None
    variation_name: str | None = None
    quantity: str
    catalog_object_id: str | None = None
    item_type: str = "ITEM"
    metadata: dict[str, str] | None = None
    base_price_money: SquareMoney
    total_tax_money: SquareMoney | None = None
    total_discount_money: SquareMoney | None = None


class SquareOrder(_Vendor):
    id: Annotated[str, Field(min_length=1)]
    location_id: Annotated[str, Field(min_length=1)]
    state: str
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    customer_id: str | None = None
    line_items: list[SquareLineItem] = []
    total_money: SquareMoney | None = None


def money_from_square(value: SquareMoney) -> Money:
    return Money.from_minor(value.amount, value.currency, exponent=_EXPONENTS.get(value.currency, 2))


def _order_change(event: SquareEvent, *, at_edge: bool) -> SquareOrderChange:
    data = event.data.object.get(ORDER_EVENTS[event.type])
    validate = validate_at_edge if at_edge else validate_for_worker
    return validate(SquareOrderChange, data, f"Square {event.type} data.object.{ORDER_EVENTS[event.type]}")


def _payment_change(event: SquareEvent, *, at_edge: bool) -> SquarePaymentChange:
    validate = validate_at_edge if at_edge else validate_for_worker
    return validate(SquarePaymentChange, event.data.object.get("payment"), f"Square {event.type} data.object.payment")


def _quantity(item: SquareLineItem, index: int) -> int:
    try:
        quantity = Decimal(item.quantity)
    except InvalidOperation:
        quantity = Decimal("NaN")
    if not quantity.is_finite() or quantity <= 0 or quantity != quantity.to_integral_value():
        raise NormalizationError(
            "Square line quantity is not a whole number of units",
            details=[{"field": f"line_items.{index}.quantity", "message": f"{item.quantity!r} cannot be reserved"}],
        )
    return int(quantity)


def _metadata_sku(item: SquareLineItem) -> str | None:
    return (item.metadata or {}).get("sku") or None


def order_from_square(vendor_order: dict[str, Any], lookup: SquareLookup) -> Order:
    """A COMPLETED Square order (RetrieveOrder's `order`) -> canonical Order."""
    order = validate_for_worker(SquareOrder, vendor_order, "Square order")
    items = [(i, item) for i, item in enumerate(order.line_items) if item.item_type not in SKIPPED_ITEM_TYPES]
    # An explicit `metadata.sku` (set by the retailer's POS setup) wins and saves the catalog call.
    catalog_ids = [item.catalog_object_id for _, item in items if item.catalog_object_id and not _metadata_sku(item)]
    skus = lookup.variation_skus(catalog_ids) if catalog_ids else {}
    lines: list[OrderLine] = []
    missing: list[dict[str, Any]] = []
    for index, item in items:
        sku = _metadata_sku(item) or skus.get(item.catalog_object_id or "")
        if not sku:
            missing.append({"field": f"line_items.{index}.catalog_object_id", "message": "no SKU for this line"})
            continue
        title = " - ".join(part for part in (item.name, item.variation_name) if part) or None
        lines.append(
            OrderLine(
                line_id=item.uid,
                sku=sku,
                quantity=_quantity(item, index),
                unit_price=money_from_square(item.base_price_money),
                tax=money_from_square(item.total_tax_money) if item.total_tax_money else None,
                discount=money_from_square(item.total_discount_money) if item.total_discount_money else None,
                title=title,
            )
        )
    if missing:
        raise NormalizationError("Square order has lines without a SKU", details=missing)
    currency = lines[0].unit_price.currency if lines else (order.total_money.currency if order.total_money else "USD")
    with poison_in_worker("Square order does not fit the canonical model"):
        return Order(
            channel="square",
            channel_order_id=order.id,
            placed_at=order.created_at,
            currency=currency,
            lines=lines,
            customer=CustomerRef(channel_customer_id=order.customer_id) if order.customer_id else None,
            fulfilment_location_id=order.location_id,
            source_updated_at=order.updated_at or order.closed_at,
        )


class SquareRefund(_Vendor):
    """The Refund object of refund.created / refund.updated (`data.object.refund`)."""

    id: Annotated[str, Field(min_length=1)]
    status: str
    location_id: Annotated[str, Field(min_length=1)]
    amount_money: SquareMoney
    order_id: str | None = None
    payment_id: str | None = None
    reason: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None


def _refund_change(event: SquareEvent, *, at_edge: bool) -> SquareRefund:
    validate = validate_at_edge if at_edge else validate_for_worker
    return validate(SquareRefund, event.data.object.get("refund"), f"Square {event.type} data.object.refund")


def store_return_from_square(refund: SquareRefund) -> StoreReturn:
    """A COMPLETED Square refund -> a store return at the refund's location (the store)."""
    with poison_in_worker("Square refund does not fit the canonical model"):
        return StoreReturn(
            channel="square",
            return_id=refund.id,
            channel_order_id=refund.order_id,
            location_id=refund.location_id,
            status=refund.status,
            returned_at=refund.updated_at or refund.created_at,
            amount=money_from_square(refund.amount_money),
            reason=refund.reason,
        )


@register
class SquareAdapter(EnrichedChannelAdapter[SquareLookup]):
    source = "square"

    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        if not request.endpoint_url:
            raise SignatureInvalid("the notification URL Square signs is not configured")
        message = request.endpoint_url.encode("utf-8") + request.body
        verify_base64_hmac(request.header(SIGNATURE_HEADER), secret, message, SIGNATURE_HEADER)

    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        event = validate_at_edge(SquareEvent, body, "Square event")
        domain: Domain | None = None
        sequence: int | None = None
        if event.type in ORDER_EVENTS:
            change = _order_change(event, at_edge=True)
            sequence = change.version
            if change.state in ACTIONABLE_ORDER_STATES:
                domain = "orders"
        elif event.type in PAYMENT_EVENTS:
            payment = _payment_change(event, at_edge=True)
            if payment.status == "COMPLETED" and payment.order_id:
                domain = "orders"
        elif event.type in REFUND_EVENTS:
            refund = _refund_change(event, at_edge=True)
            if refund.status == "COMPLETED":
                domain = "orders"
        return DeliveryInfo(
            delivery_id=event.event_id,
            event_type=event.type,
            domain=domain,
            occurred_at=event.created_at,
            source_sequence=sequence,
        )

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        event = validate_for_worker(SquareEvent, payload_of(envelope), "Square event")
        if event.type in REFUND_EVENTS:
            refund = _refund_change(event, at_edge=False)
            return [store_return_from_square(refund)] if refund.status == "COMPLETED" else []
        if event.type in ORDER_EVENTS:
            order_id = _order_change(event, at_edge=False).order_id
        elif event.type in PAYMENT_EVENTS:
            order_id = _payment_change(event, at_edge=False).order_id or ""
        else:
            return []
        if not order_id:
            return []
        lookup: SquareLookup = enrich if enrich is not None else self.default_enricher()
        vendor_order = lookup.retrieve_order(order_id)
        state = vendor_order.get("state")
        if state == "CANCELED":
            order = validate_for_worker(SquareOrder, vendor_order, "Square order")
            return [
                OrderCancellation(
                    channel="square",
                    channel_order_id=order.id,
                    cancelled_at=order.updated_at or order.closed_at or event.created_at,
                    reason="canceled in Square",
                )
            ]
        if state != "COMPLETED":
            return []
        return [order_from_square(vendor_order, lookup)]

    def build_enricher(self) -> SquareLookup:
        """The Square API client built from the environment."""
        from shared.channels.clients.square_api import SquareApiClient

        return SquareApiClient.from_env()
