"""Amazon SP-API: ORDER_CHANGE notifications from the partner event bus, and the backup poll's orders,
enriched through the Orders API.

Vendor facts (sources in events/amazon/README.md):
- SP-API delivers notifications to an EventBridge partner event source/bus named
  ``aws.partner/sellingpartnerapi.amazon/...``; an event's ``source`` is that name, its
  ``detail-type`` the notification type and ``detail`` the notification: ``{"NotificationVersion",
  "NotificationType": "ORDER_CHANGE", "PayloadVersion", "EventTime", "Payload":
  {"OrderChangeNotification": {"SellerId", "AmazonOrderId", "OrderChangeType", "OrderChangeTrigger":
  {"TimeOfOrderChange", "ChangeReason"}, "Summary": {"MarketplaceId", "OrderStatus", "PurchaseDate",
  "FulfillmentType", "OrderItems": [{"OrderItemId", "SellerSKU", "Quantity"}], ...}}},
  "NotificationMetadata": {"ApplicationId", "SubscriptionId", "PublishTime", "NotificationId"}}``.
- The notification has no prices: getOrder and getOrderItems give them (``ItemPrice`` is the price of
  the whole line, unit price x quantity; ``ItemTax`` and ``PromotionDiscount`` are line totals).
- Amazon recommends a backup mechanism for missed or late notifications: the poller lists orders with
  getOrders (``LastUpdatedAfter``) and hands each Order object to this adapter.

Routing (``describe_pulled``, for either payload): merchant-fulfilled (MFN) orders only (Amazon ships
AFN/FBA orders from its own stock); status ``Unshipped`` or ``PartiallyShipped`` -> accept,
``Canceled`` -> cancel, both on queue ``orders``; anything else (``Pending`` orders have no payment
yet and must not be shipped, ``Shipped``, buyer cancellation *requests*, which a person decides on)
is ignored. The delivery id is the business fact, ``order/<AmazonOrderId>/<accept|cancel>``, not the
notification id: the same order reaching us by notification and by poll (or by a notification sent
twice) is one delivery, enqueued once.

Normalization reads the order as it is now (getOrder): ``Canceled`` -> ``OrderCancellation``;
``Unshipped`` / ``PartiallyShipped`` / ``Shipped`` -> ``Order`` with its items (getOrderItems);
``Pending`` and other states -> nothing. A line without ``SellerSKU`` or ``ItemPrice`` is poison.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Protocol

from pydantic import AliasChoices, AwareDatetime, ConfigDict, Field, ValidationError

from shared.channels._pull import PullChannelAdapter
from shared.channels.addresses import AddressFields
from shared.channels.base import (
    CanonicalCommand,
    DeliveryInfo,
    NormalizationError,
    payload_of,
    poison_in_worker,
    validate_at_edge,
    validate_for_worker,
)
from shared.channels.registry import register
from shared.errors import ValidationFailed
from shared.models import CustomerRef, Envelope, Money, Order, OrderCancellation, OrderLine
from shared.models.base import Model
from shared.models.envelope import Domain

PARTNER_SOURCE_PREFIX = "aws.partner/sellingpartnerapi.amazon"
ORDER_CHANGE = "ORDER_CHANGE"
POLLED_EVENT_TYPE = "getOrders"
ACCEPT_STATUSES = frozenset({"Unshipped", "PartiallyShipped"})
CANCEL_STATUSES = frozenset({"Canceled"})
# What normalization turns into an Order when it reads the order (a late read may find it shipped).
ORDER_STATUSES = ACCEPT_STATUSES | {"Shipped"}
AMAZON_FULFILLED = "AFN"

Action = Literal["accept", "cancel"]


class SpApiLookup(Protocol):
    """What normalization needs from SP-API (``SpApiClient``, or a fake in tests)."""

    def get_order(self, order_id: str) -> dict[str, Any]: ...

    def get_order_items(self, order_id: str) -> list[dict[str, Any]]: ...


class _Vendor(Model):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ChangeTrigger(_Vendor):
    TimeOfOrderChange: AwareDatetime | None = None
    ChangeReason: str | None = None


class ChangeSummary(_Vendor):
    MarketplaceId: str | None = None
    OrderStatus: Annotated[str, Field(min_length=1)]
    PurchaseDate: AwareDatetime | None = None
    FulfillmentType: str | None = None


class OrderChangeNotification(_Vendor):
    SellerId: str | None = None
    AmazonOrderId: Annotated[str, Field(min_length=1, max_length=64)]
    OrderChangeType: str | None = None
    OrderChangeTrigger: ChangeTrigger = ChangeTrigger()
    Summary: ChangeSummary


class NotificationPayload(_Vendor):
    OrderChangeNotification: OrderChangeNotification


class NotificationMetadata(_Vendor):
    NotificationId: Annotated[str, Field(min_length=1, max_length=128)]
    PublishTime: AwareDatetime | None = None


class Notification(_Vendor):
    NotificationType: Annotated[str, Field(min_length=1)]
    EventTime: AwareDatetime | None = None
    Payload: dict[str, Any]
    NotificationMetadata: NotificationMetadata


class PartnerEvent(_Vendor):
    """An EventBridge event from the SP-API partner event source."""

    id: Annotated[str, Field(min_length=1)]
    source: Annotated[str, Field(min_length=1)]
    detail_type: Annotated[str, Field(min_length=1, validation_alias=AliasChoices("detail-type", "detail_type"))]
    time: AwareDatetime | None = None
    detail: dict[str, Any]


class PolledOrder(_Vendor):
    """An Order of getOrders (or getOrder)."""

    AmazonOrderId: Annotated[str, Field(min_length=1, max_length=64)]
    OrderStatus: Annotated[str, Field(min_length=1)]
    FulfillmentChannel: str | None = None
    PurchaseDate: AwareDatetime
    LastUpdateDate: AwareDatetime


class AmazonMoney(_Vendor):
    CurrencyCode: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    Amount: str


class AmazonAddress(_Vendor):
    Name: str | None = None
    AddressLine1: str | None = None
    AddressLine2: str | None = None
    City: str | None = None
    StateOrRegion: str | None = None
    PostalCode: str | None = None
    CountryCode: str | None = None


ADDRESS_FIELDS = AddressFields(
    "Name", "AddressLine1", "AddressLine2", "City", "StateOrRegion", "PostalCode", "CountryCode"
)


class AmazonOrder(PolledOrder):
    OrderTotal: AmazonMoney | None = None
    ShippingAddress: AmazonAddress | None = None
    BuyerInfo: dict[str, Any] | None = None


class AmazonOrderItem(_Vendor):
    OrderItemId: Annotated[str, Field(min_length=1, max_length=64)]
    SellerSKU: str | None = None
    Title: str | None = None
    QuantityOrdered: int
    ItemPrice: AmazonMoney | None = None
    ItemTax: AmazonMoney | None = None
    PromotionDiscount: AmazonMoney | None = None


def is_partner_event(payload: dict[str, Any]) -> bool:
    return "detail-type" in payload or "detail_type" in payload


def action_for(status: str, fulfillment: str | None) -> Action | None:
    """What an order in this state asks of us (see the module docstring)."""
    if fulfillment == AMAZON_FULFILLED:
        return None
    if status in ACCEPT_STATUSES:
        return "accept"
    if status in CANCEL_STATUSES:
        return "cancel"
    return None


def delivery_id_for(order_id: str, action: Action) -> str:
    return f"order/{order_id}/{action}"


def order_change_of(event: PartnerEvent, *, at_edge: bool) -> tuple[Notification, OrderChangeNotification]:
    validate = validate_at_edge if at_edge else validate_for_worker
    notification = validate(Notification, event.detail, "SP-API notification (detail)")
    change = validate(NotificationPayload, notification.Payload, "ORDER_CHANGE Payload").OrderChangeNotification
    return notification, change


def _money(value: AmazonMoney, field: str) -> Money:
    try:
        return Money(amount=Decimal(value.Amount), currency=value.CurrencyCode)
    except (InvalidOperation, ValidationError) as exc:
        raise NormalizationError(
            "Amazon amount is not a decimal", details=[{"field": field, "message": value.Amount}]
        ) from exc


def _unit_price(line_total: Money, quantity: int) -> Money:
    # ItemPrice is the line's total; an uneven split keeps four decimals rather than losing cents.
    unit = line_total.amount / quantity
    if unit != unit.quantize(Decimal("0.01")):
        unit = unit.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    else:
        unit = unit.quantize(Decimal("0.01"))
    return Money(amount=unit, currency=line_total.currency)


def order_from_amazon(vendor_order: dict[str, Any], vendor_items: list[dict[str, Any]]) -> Order:
    """getOrder's payload and getOrderItems' items -> canonical Order (channel ``amazon``)."""
    order = validate_for_worker(AmazonOrder, vendor_order, "Amazon order")
    lines: list[OrderLine] = []
    problems: list[dict[str, Any]] = []
    for index, raw in enumerate(vendor_items):
        item = validate_for_worker(AmazonOrderItem, raw, f"Amazon order item {index}")
        if item.QuantityOrdered <= 0:
            continue  # a line cancelled before shipment keeps its entry with quantity 0
        if not item.SellerSKU:
            problems.append({"field": f"OrderItems.{index}.SellerSKU", "message": "no SKU for this line"})
            continue
        if item.ItemPrice is None:
            problems.append({"field": f"OrderItems.{index}.ItemPrice", "message": "no price for this line"})
            continue
        total = _money(item.ItemPrice, f"OrderItems.{index}.ItemPrice")
        lines.append(
            OrderLine(
                line_id=item.OrderItemId,
                sku=item.SellerSKU,
                quantity=item.QuantityOrdered,
                unit_price=_unit_price(total, item.QuantityOrdered),
                tax=_money(item.ItemTax, f"OrderItems.{index}.ItemTax") if item.ItemTax else None,
                discount=(
                    _money(item.PromotionDiscount, f"OrderItems.{index}.PromotionDiscount")
                    if item.PromotionDiscount
                    else None
                ),
                title=item.Title,
            )
        )
    if problems:
        raise NormalizationError("Amazon order has lines that cannot be reserved", details=problems)
    currency = order.OrderTotal.CurrencyCode if order.OrderTotal else (lines[0].unit_price.currency if lines else "USD")
    buyer_email = (order.BuyerInfo or {}).get("BuyerEmail")
    with poison_in_worker("Amazon order does not fit the canonical model"):
        return Order(
            channel="amazon",
            channel_order_id=order.AmazonOrderId,
            placed_at=order.PurchaseDate,
            currency=currency,
            lines=lines,
            customer=CustomerRef(email=buyer_email) if buyer_email else None,
            shipping_address=ADDRESS_FIELDS.address(order.ShippingAddress),
            source_updated_at=order.LastUpdateDate,
        )


def amazon_order_id(payload: dict[str, Any]) -> str:
    """The AmazonOrderId of a queued payload (a partner event or a polled order)."""
    if is_partner_event(payload):
        event = validate_for_worker(PartnerEvent, payload, "SP-API partner event")
        return order_change_of(event, at_edge=False)[1].AmazonOrderId
    return validate_for_worker(PolledOrder, payload, "Amazon polled order").AmazonOrderId


@register
class AmazonAdapter(PullChannelAdapter):
    source = "amazon"
    arrives_by = "the SP-API partner event bus (EventBridge) and the backup poll"
    _lookup: SpApiLookup | None = None
    _lookup_url: str | None = None

    def describe_pulled(self, payload: dict[str, Any]) -> DeliveryInfo:
        if is_partner_event(payload):
            return self._describe_event(validate_at_edge(PartnerEvent, payload, "SP-API partner event"))
        order = validate_at_edge(PolledOrder, payload, "Amazon order (getOrders)")
        action = action_for(order.OrderStatus, order.FulfillmentChannel)
        delivery_id = (
            delivery_id_for(order.AmazonOrderId, action)
            if action
            else f"order/{order.AmazonOrderId}/{order.OrderStatus}/{order.LastUpdateDate.isoformat()}"
        )
        return DeliveryInfo(
            delivery_id=delivery_id,
            event_type=POLLED_EVENT_TYPE,
            domain="orders" if action else None,
            occurred_at=order.LastUpdateDate,
        )

    def _describe_event(self, event: PartnerEvent) -> DeliveryInfo:
        if not event.source.startswith(PARTNER_SOURCE_PREFIX):
            raise ValidationFailed(
                "event is not from the SP-API partner event source",
                details=[{"field": "source", "message": f"must start with {PARTNER_SOURCE_PREFIX}"}],
            )
        if event.detail_type != ORDER_CHANGE:
            metadata = event.detail.get("NotificationMetadata") or {}
            return DeliveryInfo(
                delivery_id=f"notification/{metadata.get('NotificationId') or event.id}",
                event_type=event.detail_type,
                domain=None,
                occurred_at=event.time,
            )
        notification, change = order_change_of(event, at_edge=True)
        action = action_for(change.Summary.OrderStatus, change.Summary.FulfillmentType)
        domain: Domain | None = "orders" if action else None
        return DeliveryInfo(
            delivery_id=(
                delivery_id_for(change.AmazonOrderId, action)
                if action
                else f"notification/{notification.NotificationMetadata.NotificationId}"
            ),
            event_type=ORDER_CHANGE,
            domain=domain,
            occurred_at=change.OrderChangeTrigger.TimeOfOrderChange or notification.EventTime or event.time,
        )

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        order_id = amazon_order_id(payload_of(envelope))
        lookup: SpApiLookup = enrich if enrich is not None else self.default_enricher()
        vendor_order = lookup.get_order(order_id)
        order = validate_for_worker(PolledOrder, vendor_order, "Amazon order (getOrder)")
        if order.FulfillmentChannel == AMAZON_FULFILLED:
            return []
        if order.OrderStatus in CANCEL_STATUSES:
            return [
                OrderCancellation(
                    channel="amazon",
                    channel_order_id=order.AmazonOrderId,
                    cancelled_at=order.LastUpdateDate,
                    reason="canceled on Amazon",
                )
            ]
        if order.OrderStatus not in ORDER_STATUSES:
            return []
        return [order_from_amazon(vendor_order, lookup.get_order_items(order_id))]

    def default_enricher(self) -> SpApiLookup:
        """The SP-API client built from the environment, once per process (again if its URL changes)."""
        # Imported here: httpx and the client are only needed by the orders worker.
        from shared.channels.clients.sp_api import SpApiClient, SpApiSettings

        settings = SpApiSettings.from_env()
        if self._lookup is None or self._lookup_url != settings.amazon_sp_api_base_url:
            self._lookup = SpApiClient.from_settings(settings)
            self._lookup_url = settings.amazon_sp_api_base_url
        return self._lookup
