"""Walmart Marketplace: signed event notifications for orders and returns.

Vendor facts (sources in events/README.md):
- Every notification is `{"source": {"eventType", "eventTime", "eventId"}, "payload": {...}}`;
  `source.eventId` identifies the event (our delivery id).
- Signature (Walmart's performance-webhook scheme, "Security and authenticity",
  developer.walmart.com/us-marketplace/docs/security-and-authenticity): `WM_SEC.SIGNATURE` =
  base64(HMAC-SHA256(secret, "METHOD\\nPATH_AND_QUERY\\nTIMESTAMP\\nsha256_hex(raw body)")), where
  PATH_AND_QUERY is the "request path with query string, exactly as received" (the public path, stage
  prefix included on API Gateway's default URL: `WebhookRequest.path_with_query`) and `WM_SEC.TIMESTAMP`
  is "Unix epoch seconds when the event was created"; a timestamp more than 300 s from now (either
  way) is refused.
- `PO_CREATED` lists lines (`sku`, `quantity.measurementValue` as a string) without prices,
  currency or address: normalization reads the order from the Orders API
  (`GET /v3/orders/{purchaseOrderId}`, the `enrich` dependency, `WalmartLookup`), whose
  `charges.charge[]` hold `ItemPrice` and its tax as JSON numbers in `chargeAmount.currency`.
- `PO_LINE_AUTOCANCELLED` cancels only the listed lines: `OrderLinesCancelled`, never the order.
- `RETURN_CREATED` lists `returnOrders[]` (one returned line each, `returnOrderId` = the RMA):
  one `ReturnAuthorization` per `returnOrderId`.
Any other event type is verified and answered 202 ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Protocol

from pydantic import AwareDatetime, Field, ValidationError

from shared.channels.addresses import AddressFields
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
from shared.channels.signatures import check_timestamp, hmac_sha256_base64
from shared.errors import SignatureInvalid
from shared.models import CustomerRef, Envelope, Money, Order, OrderLine
from shared.models.envelope import Domain
from shared.models.order_changes import CancelledLine, OrderLinesCancelled
from shared.models.returns import ReturnAuthorization, ReturnLine, ReturnStatus

# The Orders API's `shippingInfo.postalAddress` (a JSON object); the country is written "USA".
ADDRESS_FIELDS = AddressFields("name", "address1", "address2", "city", "state", "postalCode", None)
SIGNATURE_HEADER = "WM_SEC.SIGNATURE"
TIMESTAMP_HEADER = "WM_SEC.TIMESTAMP"
TOLERANCE_SECONDS = 300
MILLISECONDS_FROM = 10**11  # a WM_SEC.TIMESTAMP this large is epoch milliseconds (see timestamp_seconds)
PO_CREATED = "PO_CREATED"
PO_LINE_AUTOCANCELLED = "PO_LINE_AUTOCANCELLED"
RETURN_CREATED = "RETURN_CREATED"
HANDLED: dict[str, Domain] = {PO_CREATED: "orders", PO_LINE_AUTOCANCELLED: "orders", RETURN_CREATED: "orders"}


def signing_string(method: str, path_with_query: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{path_with_query}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign_walmart(method: str, path_with_query: str, timestamp: int, body: bytes, secret: str) -> str:
    """The `WM_SEC.SIGNATURE` value for a delivery whose `WM_SEC.TIMESTAMP` is `timestamp` (epoch seconds)."""
    return hmac_sha256_base64(secret, signing_string(method, path_with_query, str(timestamp), body))


def timestamp_seconds(value: int) -> float:
    """`WM_SEC.TIMESTAMP` as epoch seconds.

    Walmart's page says seconds. A value of 10^11 or more can only be milliseconds (10^11 s is the
    year 5138; 10^11 ms is 1973), and Walmart's API-call headers of the same family
    (`WM_SEC.TIMESTAMP`, `WM_CONSUMER.INTIMESTAMP`) are epoch milliseconds, so a sender built on
    that convention is read correctly instead of being answered TIMESTAMP_STALE. Accepting it widens
    nothing: the header's exact text is inside the signed string and the 300 s window still applies.
    """
    return value / 1000 if value >= MILLISECONDS_FROM else float(value)


def verify_walmart(request: WebhookRequest, secret: str, now: datetime) -> None:
    """Signature first (a forgery is always SIGNATURE_INVALID), then the 300 s window."""
    signature = request.header(SIGNATURE_HEADER)
    timestamp = request.header(TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise SignatureInvalid(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header")
    try:
        received = base64.b64decode(signature, validate=True)
        sent_at = timestamp_seconds(int(timestamp))
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid(f"{SIGNATURE_HEADER} is not base64 or {TIMESTAMP_HEADER} not epoch seconds") from exc
    expected = base64.b64decode(
        hmac_sha256_base64(secret, signing_string(request.method, request.path_with_query, timestamp, request.body))
    )
    if not hmac.compare_digest(received, expected):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} does not match the request")
    check_timestamp(TIMESTAMP_HEADER, sent_at, now, TOLERANCE_SECONDS)


class WalmartLookup(Protocol):
    """What normalization needs from Walmart's Orders API (`WalmartApiClient`, or a fake in tests)."""

    def get_order(self, purchase_order_id: str) -> dict[str, Any]: ...


class WalmartSource(_Vendor):
    eventType: Annotated[str, Field(min_length=1)]  # noqa: N815 - Walmart's field names
    eventTime: AwareDatetime | None = None  # noqa: N815
    eventId: Annotated[str, Field(min_length=1, max_length=256)]  # noqa: N815


class WalmartEvent(_Vendor):
    source: WalmartSource
    payload: dict[str, Any] = {}


class WalmartQuantity(_Vendor):
    measurementValue: str  # noqa: N815


class WalmartEventLine(_Vendor):
    lineNumber: str  # noqa: N815
    sku: Annotated[str, Field(min_length=1)]
    quantity: WalmartQuantity
    status: str | None = None
    statusDate: AwareDatetime | None = None  # noqa: N815
    cancellationReason: str | None = None  # noqa: N815


class WalmartPurchaseOrderEvent(_Vendor):
    purchaseOrderId: Annotated[str, Field(min_length=1)]  # noqa: N815
    orderDate: AwareDatetime  # noqa: N815
    orderLines: Annotated[list[WalmartEventLine], Field(min_length=1)]  # noqa: N815


class WalmartReturnOrder(_Vendor):
    purchaseOrderId: Annotated[str, Field(min_length=1)]  # noqa: N815
    returnOrderId: Annotated[str, Field(min_length=1)]  # noqa: N815
    sku: Annotated[str, Field(min_length=1)]
    quantity: str
    returnReason: str | None = None  # noqa: N815
    returnInitiatedDate: str | None = None  # noqa: N815
    trackingId: list[str] = []  # noqa: N815


class WalmartReturnEvent(_Vendor):
    returnOrders: Annotated[list[WalmartReturnOrder], Field(min_length=1)]  # noqa: N815


def _units(value: str, field: str) -> int:
    try:
        quantity = Decimal(value)
    except InvalidOperation:
        quantity = Decimal("NaN")
    if not quantity.is_finite() or quantity <= 0 or quantity != quantity.to_integral_value():
        raise NormalizationError(
            "Walmart quantity is not a whole number of units", details=[{"field": field, "message": repr(value)}]
        )
    return int(quantity)


def _money(amount: object, currency: str) -> Money:
    # The Orders API sends JSON numbers; their shortest repr is the decimal Walmart meant.
    return Money(amount=Decimal(str(amount)).quantize(Decimal("0.01")), currency=currency)


def _charges(line: dict[str, Any]) -> tuple[Money, Money | None]:
    """(ItemPrice, its tax) of an Orders API order line."""
    for charge in (line.get("charges") or {}).get("charge") or []:
        if charge.get("chargeType") == "PRODUCT":
            price = charge["chargeAmount"]
            tax = (charge.get("tax") or {}).get("taxAmount")
            return (
                _money(price["amount"], price["currency"]),
                _money(tax["amount"], tax["currency"]) if tax else None,
            )
    raise KeyError("no PRODUCT charge")


def order_from_walmart(event: WalmartPurchaseOrderEvent, api_order: dict[str, Any]) -> Order:
    """PO_CREATED + the Orders API's order -> canonical Order (lines as the event lists them)."""
    api_lines = {
        str(line.get("lineNumber")): line for line in (api_order.get("orderLines") or {}).get("orderLine") or []
    }
    lines: list[OrderLine] = []
    problems: list[dict[str, Any]] = []
    for index, line in enumerate(event.orderLines):
        quantity = _units(line.quantity.measurementValue, f"payload.orderLines.{index}.quantity")
        try:
            price, tax = _charges(api_lines[line.lineNumber])
        except (KeyError, TypeError, InvalidOperation, ValidationError):
            problems.append({"field": f"orderLines.{line.lineNumber}.charges", "message": "no ItemPrice charge"})
            continue
        lines.append(
            OrderLine(
                line_id=line.lineNumber,
                sku=line.sku,
                quantity=quantity,
                # ItemPrice is read as the line's amount (quantity x unit price) since Walmart's Multi-Line
                # Multi-Quantity model puts several units on one line; Walmart's stored docs do not say
                # which it is (every sample line has quantity 1, where both readings agree). Cents: a
                # line total that does not split evenly rounds half-even.
                unit_price=Money(amount=(price.amount / quantity).quantize(Decimal("0.01")), currency=price.currency),
                tax=tax,
                title=((api_lines[line.lineNumber].get("item") or {}).get("productName")),
            )
        )
    if problems:
        raise NormalizationError("Walmart order lines have no price", details=problems)
    shipping = api_order.get("shippingInfo") or {}
    postal = shipping.get("postalAddress") or {}
    with poison_in_worker("Walmart order does not fit the canonical model"):
        return Order(
            channel="walmart",
            channel_order_id=event.purchaseOrderId,
            placed_at=event.orderDate,
            currency=lines[0].unit_price.currency,
            lines=lines,
            customer=CustomerRef(
                channel_customer_id=api_order.get("customerOrderId"), email=api_order.get("customerEmailId")
            ),
            # Walmart US ships to the US only and writes the country as "USA".
            shipping_address=ADDRESS_FIELDS.address(
                postal or None, country_code="US" if postal.get("country") in ("USA", "US") else None
            ),
        )


def cancelled_lines_from_walmart(event_id: str, event: WalmartPurchaseOrderEvent, at: datetime) -> OrderLinesCancelled:
    cancelled = [line for line in event.orderLines if (line.status or "").upper() == "CANCELLED"]
    if not cancelled:
        raise NormalizationError(
            "PO_LINE_AUTOCANCELLED lists no CANCELLED line",
            details=[{"field": "payload.orderLines", "message": "none"}],
        )
    return OrderLinesCancelled(
        channel="walmart",
        channel_order_id=event.purchaseOrderId,
        change_id=event_id,
        cancelled_at=max((line.statusDate or at) for line in cancelled),
        lines=[
            CancelledLine(
                line_id=line.lineNumber,
                sku=line.sku,
                quantity=_units(line.quantity.measurementValue, f"orderLines.{line.lineNumber}.quantity"),
                reason=line.cancellationReason,
            )
            for line in cancelled
        ],
    )


def _initiated(value: str | None, fallback: datetime) -> datetime:
    """`returnInitiatedDate` "follows the emitting system" (the sample writes `Mar 28, 2024`)."""
    if value:
        for parse in (
            lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")),
            lambda v: datetime.strptime(v, "%b %d, %Y"),
        ):
            try:
                parsed = parse(value)
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return fallback


def returns_from_walmart(event: WalmartReturnEvent, at: datetime) -> list[ReturnAuthorization]:
    grouped: dict[str, list[WalmartReturnOrder]] = defaultdict(list)
    for item in event.returnOrders:
        grouped[item.returnOrderId].append(item)
    authorizations = []
    for return_id, items in grouped.items():
        created = _initiated(items[0].returnInitiatedDate, at)
        authorizations.append(
            ReturnAuthorization(
                source="walmart",
                return_id=return_id,
                channel="walmart",
                channel_order_id=items[0].purchaseOrderId,
                status=ReturnStatus.OPEN,
                created_at=created,
                updated_at=at,
                lines=[
                    ReturnLine(
                        sku=item.sku, quantity=_units(item.quantity, "returnOrders.quantity"), reason=item.returnReason
                    )
                    for item in items
                ],
                tracking_numbers=[t for item in items for t in item.trackingId],
            )
        )
    return authorizations


@register
class WalmartAdapter(EnrichedChannelAdapter[WalmartLookup]):
    source = "walmart"

    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        verify_walmart(request, secret, now)

    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        event = validate_at_edge(WalmartEvent, body, "Walmart notification")
        kind = event.source.eventType
        if kind in (PO_CREATED, PO_LINE_AUTOCANCELLED):
            validate_at_edge(WalmartPurchaseOrderEvent, event.payload, f"Walmart {kind} payload")
        elif kind == RETURN_CREATED:
            validate_at_edge(WalmartReturnEvent, event.payload, f"Walmart {kind} payload")
        return DeliveryInfo(
            delivery_id=event.source.eventId,
            event_type=kind,
            domain=HANDLED.get(kind),
            occurred_at=event.source.eventTime,
        )

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        event = validate_for_worker(WalmartEvent, payload_of(envelope), "Walmart notification")
        at = event.source.eventTime or envelope.received_at
        kind = event.source.eventType
        if kind == PO_CREATED:
            po = validate_for_worker(WalmartPurchaseOrderEvent, event.payload, "Walmart PO_CREATED payload")
            lookup: WalmartLookup = enrich if enrich is not None else self.default_enricher()
            return [order_from_walmart(po, lookup.get_order(po.purchaseOrderId))]
        if kind == PO_LINE_AUTOCANCELLED:
            po = validate_for_worker(WalmartPurchaseOrderEvent, event.payload, "Walmart PO_LINE_AUTOCANCELLED payload")
            return [cancelled_lines_from_walmart(event.source.eventId, po, at)]
        if kind == RETURN_CREATED:
            returns = validate_for_worker(WalmartReturnEvent, event.payload, "Walmart RETURN_CREATED payload")
            return list(returns_from_walmart(returns, at))
        return []

    def build_enricher(self) -> WalmartLookup:
        """The Walmart Orders API client built from the environment."""
        from shared.channels.clients.walmart_api import WalmartApiClient

        return WalmartApiClient.from_env()
