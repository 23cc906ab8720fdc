"""Zalando zDirect: partner orders pulled by the scheduled poller (Zalando pushes nothing).

Vendor facts (sources in events/zalando/README.md): the Orders API answers JSON:API documents; an
``Order`` (``order_id`` unique, ``order_number`` not: one sales order can split into several partner
orders) has ``status`` initial -> approved (payment approved: export and ship it) -> fulfilled;
its ``OrderItem``s name the merchant's article in ``external_id`` (our SKU); each ``OrderLine`` is one
unit with its ``price`` and ``status`` (initial, reserved, shipped, returned, canceled).

The poller hands over one order at a time as ``{"data": Order, "included": [its items and lines]}``;
``normalize`` also takes a whole listing page (``"data": [...]``), which is what the fixtures hold.

Routing (``describe_pulled``): every line canceled -> cancel; otherwise ``approved`` -> accept;
``initial`` (not paid yet) and ``fulfilled`` -> ignored. The delivery id is the business fact,
``order/<order_id>/<accept|cancel>``: the poller's overlapping windows see an order several times
and it is enqueued once. A partial cancellation (some lines canceled) is not a cancellation: those
units are left out of the accepted order when it is first seen, later ones are for an operator.

Normalization: an order -> ``Order`` (channel ``zalando``, one line per order item with the units
that are not canceled; units of one item priced differently become separate lines), or
``OrderCancellation``; an item without ``external_id`` is poison.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, ValidationError

from shared.channels._pull import PullChannelAdapter
from shared.channels.addresses import AddressFields, full_name
from shared.channels.base import (
    CanonicalCommand,
    DeliveryInfo,
    NormalizationError,
    payload_of,
    poison_in_worker,
    validate_at_edge,
    validate_for_worker,
)
from shared.channels.base import VendorModel as _Vendor
from shared.channels.registry import register
from shared.errors import ValidationFailed
from shared.models import CustomerRef, Envelope, Money, Order, OrderCancellation, OrderLine

POLLED_EVENT_TYPE = "Order"
ACCEPT_STATUS = "approved"
CANCELED_LINE = "canceled"

Action = Literal["accept", "cancel"]


class ZalandoMoney(_Vendor):
    amount: Decimal | int | str
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ZalandoAddress(_Vendor):
    first_name: str | None = None
    last_name: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country_code: str | None = None


class OrderAttributes(_Vendor):
    order_id: Annotated[str, Field(min_length=1, max_length=128)]
    order_number: str | None = None
    order_date: AwareDatetime
    status: Annotated[str, Field(min_length=1)]
    customer_number: str | None = None
    shipping_address: ZalandoAddress | None = None
    order_lines_price_currency: str | None = None
    modified_at: AwareDatetime


class Resource(_Vendor):
    type: str
    id: Annotated[str, Field(min_length=1)]
    attributes: dict[str, Any] = {}
    relationships: dict[str, Any] = {}


class OrderItemAttributes(_Vendor):
    external_id: str | None = None
    article_id: str | None = None
    description: str | None = None


class OrderLineAttributes(_Vendor):
    status: Annotated[str, Field(min_length=1)]
    price: ZalandoMoney


class OrderDocument(_Vendor):
    data: Resource
    included: list[Resource] = []


# Zalando splits the name (first, last) and has no region.
ADDRESS_FIELDS = AddressFields(None, "address_line_1", "address_line_2", "city", None, "zip_code", "country_code")


def _related(resource: Resource, name: str) -> list[str]:
    data = (resource.relationships.get(name) or {}).get("data") or []
    return [str(ref.get("id")) for ref in data if isinstance(ref, dict)]


class ParsedOrder:
    """An order document with its items and lines looked up by relationship."""

    def __init__(self, document: OrderDocument, *, at_edge: bool) -> None:
        validate = validate_at_edge if at_edge else validate_for_worker
        if document.data.type != "Order":
            details = [{"field": "data.type", "message": f"must be Order, not {document.data.type!r}"}]
            if at_edge:
                raise ValidationFailed("Zalando document is not an order", details=details)
            raise NormalizationError("Zalando document is not an order", details=details)
        self.attributes = validate(OrderAttributes, document.data.attributes, "Zalando order attributes")
        by_key = {(r.type, r.id): r for r in document.included}
        self.items: list[tuple[Resource, OrderItemAttributes, list[OrderLineAttributes]]] = []
        for item_id in _related(document.data, "order_items"):
            item = by_key.get(("OrderItem", item_id))
            if item is None:
                continue
            lines = [
                validate(OrderLineAttributes, by_key[("OrderLine", line_id)].attributes, "Zalando order line")
                for line_id in _related(item, "order_lines")
                if ("OrderLine", line_id) in by_key
            ]
            self.items.append((item, validate(OrderItemAttributes, item.attributes, "Zalando order item"), lines))

    @property
    def all_lines(self) -> list[OrderLineAttributes]:
        return [line for _, _, lines in self.items for line in lines]

    def action(self) -> Action | None:
        lines = self.all_lines
        if lines and all(line.status == CANCELED_LINE for line in lines):
            return "cancel"
        if self.attributes.status == ACCEPT_STATUS:
            return "accept"
        return None


def documents_in(payload: dict[str, Any]) -> list[OrderDocument]:
    """One document per order: the payload itself, or each order of a listing page."""
    data = payload.get("data")
    included = payload.get("included") or []
    if isinstance(data, list):
        return [validate_for_worker(OrderDocument, {"data": d, "included": included}, "Zalando order") for d in data]
    return [validate_for_worker(OrderDocument, payload, "Zalando order document")]


def _money(value: ZalandoMoney, field: str) -> Money:
    try:
        return Money(amount=Decimal(str(value.amount)), currency=value.currency)
    except (InvalidOperation, ValidationError) as exc:
        raise NormalizationError(
            "Zalando price is not a decimal", details=[{"field": field, "message": str(value.amount)}]
        ) from exc


def order_from_zalando(parsed: ParsedOrder) -> Order:
    attributes = parsed.attributes
    lines: list[OrderLine] = []
    missing: list[dict[str, Any]] = []
    for index, (item, item_attributes, units) in enumerate(parsed.items):
        open_units = [unit for unit in units if unit.status != CANCELED_LINE]
        if not open_units:
            continue
        if not item_attributes.external_id:
            missing.append({"field": f"order_items.{index}.external_id", "message": "no merchant SKU for this item"})
            continue
        by_price: dict[tuple[str, str], int] = {}
        for unit in open_units:
            price = _money(unit.price, f"order_items.{index}.order_lines.price")
            key = (str(price.amount), price.currency)
            by_price[key] = by_price.get(key, 0) + 1
        for number, ((amount, currency), quantity) in enumerate(sorted(by_price.items())):
            lines.append(
                OrderLine(
                    line_id=item.id if len(by_price) == 1 else f"{item.id}-{number + 1}",
                    sku=item_attributes.external_id,
                    quantity=quantity,
                    unit_price=Money(amount=Decimal(amount), currency=currency),
                    title=item_attributes.description,
                )
            )
    if missing:
        raise NormalizationError("Zalando order has items without a merchant SKU", details=missing)
    currency = attributes.order_lines_price_currency or (lines[0].unit_price.currency if lines else "EUR")
    address = attributes.shipping_address
    name = full_name(address.first_name, address.last_name) if address else None
    with poison_in_worker("Zalando order does not fit the canonical model"):
        return Order(
            channel="zalando",
            channel_order_id=attributes.order_id,
            placed_at=attributes.order_date,
            currency=currency,
            lines=lines,
            customer=CustomerRef(channel_customer_id=attributes.customer_number)
            if attributes.customer_number
            else None,
            shipping_address=ADDRESS_FIELDS.address(address, name=name),
            source_updated_at=attributes.modified_at,
        )


@register
class ZalandoAdapter(PullChannelAdapter):
    source = "zalando"
    arrives_by = "the scheduled Zalando orders poller"

    def describe_pulled(self, payload: dict[str, Any]) -> DeliveryInfo:
        parsed = ParsedOrder(validate_at_edge(OrderDocument, payload, "Zalando order document"), at_edge=True)
        action = parsed.action()
        attributes = parsed.attributes
        return DeliveryInfo(
            delivery_id=(
                f"order/{attributes.order_id}/{action}"
                if action
                else f"order/{attributes.order_id}/{attributes.status}/{attributes.modified_at.isoformat()}"
            ),
            event_type=POLLED_EVENT_TYPE,
            domain="orders" if action else None,
            occurred_at=attributes.modified_at,
        )

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        commands: list[CanonicalCommand] = []
        for document in documents_in(payload_of(envelope)):
            parsed = ParsedOrder(document, at_edge=False)
            action = parsed.action()
            if action == "cancel":
                commands.append(
                    OrderCancellation(
                        channel="zalando",
                        channel_order_id=parsed.attributes.order_id,
                        cancelled_at=parsed.attributes.modified_at,
                        reason="canceled on Zalando",
                    )
                )
            elif action == "accept":
                commands.append(order_from_zalando(parsed))
        return commands
