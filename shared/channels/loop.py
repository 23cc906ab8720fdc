"""Loop Returns: return.created / return.updated / return.closed -> canonical ReturnAuthorization.

Vendor facts (sources in events/README.md):
- `X-Loop-Signature` = base64(HMAC-SHA256(webhook secret, raw body)). Loop sends compact JSON
  with escaped slashes (`\\/`) and no newlines; the signature covers those bytes as they are.
- The body names its topic (`"topic": "return"`) and the event (`"trigger": "return.created"`);
  the `trigger` is our event type. Other topics and triggers (`label.*`, `restock.requested`,
  `giftcard.requested`, ...) are verified and answered 202 ignored.
- Loop documents no delivery id header. A retry resends the same payload, and one return
  changes through `edited_at`, so the delivery id is `<return id>:<trigger>:<edited_at or
  created_at>`: a retry dedupes, a later edit of the same return does not.

Normalization: a Loop return is for a Shopify order (`provider_order_id`), so the canonical
ReturnAuthorization has `source = "loop"`, `channel = "shopify"`. Line SKUs come from
`line_items[].sku`; a line without one is poison. Money fields are strings in `currency`.
Exchanges (docs.loopreturns.com/webhook-reference/topics/return: `line_items[].outcome` and
`exchange_variant`, and the return's `exchanges[]` with `variant_id`, `sku`, `price`, `tax`,
`out_of_stock`, `exchange_order_id`): a line exchanged names its replacement item
(`ReturnLine.exchange`); ReturnFlow ships it through OrderFlow once the goods are inspected.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field

from shared.channels.addresses import full_name
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
from shared.models import CustomerRef, Envelope, Money
from shared.models.returns import ExchangeItem, ReturnAuthorization, ReturnLine, ReturnStatus

SIGNATURE_HEADER = "X-Loop-Signature"
RETURN_TRIGGERS = frozenset({"return.created", "return.updated", "return.closed"})
# Loop's return states -> ours ("needs review" is documented both ways).
STATES = {
    "open": ReturnStatus.OPEN,
    "review": ReturnStatus.IN_REVIEW,
    "needs review": ReturnStatus.IN_REVIEW,
    "closed": ReturnStatus.CLOSED,
    "cancelled": ReturnStatus.CANCELLED,
    "expired": ReturnStatus.EXPIRED,
}
# The store the returns platform serves (Loop is a Shopify app).
ORDER_CHANNEL = "shopify"


Amount = Annotated[Decimal, amounts_as_strings("Loop")]


class LoopWebhook(_Vendor):
    """What every Loop webhook has: its topic and trigger."""

    topic: Annotated[str, Field(min_length=1)]
    trigger: Annotated[str, Field(min_length=1)]


class LoopLineItem(_Vendor):
    line_item_id: int | str
    provider_line_item_id: int | str | None = None
    sku: str | None = None
    title: str | None = None
    refund: Amount | None = None
    return_reason: str | None = None
    # `refund`, `exchange`, `credit` (store credit): what the customer chose for this unit; an
    # exchange names the variant it is swapped for (`exchange_variant`, a Shopify variant id).
    outcome: str | None = None
    exchange_variant: int | str | None = None


class LoopExchange(_Vendor):
    """One entry of the return's `exchanges` (an item the customer takes instead of money)."""

    exchange_id: int | str | None = None
    variant_id: int | str | None = None
    sku: str | None = None
    title: str | None = None
    price: Amount | None = None
    tax: Amount | None = None
    out_of_stock: bool | None = None
    exchange_order_id: int | str | None = None


class LoopLabel(_Vendor):
    tracking_number: int | str | None = None


class LoopCustomer(_Vendor):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class LoopReturn(_Vendor):
    """The Return topic payload (the fields we read)."""

    topic: str
    trigger: str
    id: int | str
    state: str
    created_at: AwareDatetime
    edited_at: AwareDatetime | None = None
    provider_order_id: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    return_credit_total: Amount | None = None
    customer: str | None = None
    customer_detail: LoopCustomer | None = None
    labels: list[LoopLabel] = []
    line_items: Annotated[list[LoopLineItem], Field(min_length=1)]
    exchanges: list[LoopExchange] = []

    @property
    def changed_at(self) -> datetime:
        return self.edited_at or self.created_at


def _status(state: str) -> ReturnStatus:
    status = STATES.get(state.strip().lower())
    if status is None:
        raise NormalizationError(
            "Loop return state is not one Loop documents", details=[{"field": "state", "message": state}]
        )
    return status


def _exchange_items(vendor: LoopReturn) -> list[ExchangeItem | None]:
    """The exchange item of each line (None: the line is refunded).

    A line whose outcome is `exchange` takes the first unused entry of `exchanges` with its
    `exchange_variant`, else the first unused one (Loop lists one entry per exchanged unit). An
    exchange without a SKU, without a price or marked out of stock cannot be shipped: Loop resolves
    those itself (`out_of_stock_resolution`), so that line is refunded like the others."""
    unused = list(vendor.exchanges)
    out: list[ExchangeItem | None] = []
    for item in vendor.line_items:
        if (item.outcome or "").strip().lower() != "exchange" or not unused:
            out.append(None)
            continue
        wanted = str(item.exchange_variant) if item.exchange_variant is not None else None
        match = next((e for e in unused if wanted is not None and str(e.variant_id) == wanted), unused[0])
        unused.remove(match)
        if not (match.sku or "").strip() or match.price is None or match.out_of_stock:
            out.append(None)
            continue
        out.append(
            ExchangeItem(
                sku=(match.sku or "").strip(),
                unit_price=Money(amount=match.price, currency=vendor.currency),
                tax=Money(amount=match.tax, currency=vendor.currency) if match.tax is not None else None,
                title=match.title,
                exchange_id=str(match.exchange_id) if match.exchange_id is not None else None,
                order_id=str(match.exchange_order_id) if match.exchange_order_id else None,
            )
        )
    return out


def return_from_loop(payload: dict[str, Any]) -> ReturnAuthorization:
    """A Loop Return webhook -> canonical ReturnAuthorization (NormalizationError when it never can be)."""
    vendor = validate_for_worker(LoopReturn, payload, "Loop return")
    missing = [
        {"field": f"line_items.{i}.sku", "message": "a returned line without a SKU cannot be restocked"}
        for i, item in enumerate(vendor.line_items)
        if not (item.sku or "").strip()
    ]
    if missing:
        raise NormalizationError("Loop return has lines without a SKU", details=missing)
    currency = vendor.currency
    detail = vendor.customer_detail
    name = full_name(detail.first_name, detail.last_name) if detail else None
    email = (detail.email if detail else None) or vendor.customer
    with poison_in_worker("Loop return does not fit the canonical model"):
        exchanges = _exchange_items(vendor)
        return ReturnAuthorization(
            source="loop",
            return_id=str(vendor.id),
            channel=ORDER_CHANNEL,
            channel_order_id=vendor.provider_order_id,
            status=_status(vendor.state),
            created_at=vendor.created_at,
            updated_at=vendor.changed_at,
            lines=[
                ReturnLine(
                    line_id=str(item.provider_line_item_id or item.line_item_id),
                    sku=item.sku or "",
                    quantity=1,  # Loop lists one entry per returned unit
                    reason=item.return_reason,
                    refund_amount=Money(amount=item.refund, currency=currency) if item.refund is not None else None,
                    outcome="exchange" if exchange is not None else "refund",
                    exchange=exchange,
                )
                for item, exchange in zip(vendor.line_items, exchanges, strict=True)
            ],
            customer=CustomerRef(email=email, name=name) if email or name else None,
            refund_total=(
                Money(amount=vendor.return_credit_total, currency=currency)
                if vendor.return_credit_total is not None
                else None
            ),
            tracking_numbers=[str(label.tracking_number) for label in vendor.labels if label.tracking_number],
        )


@register
class LoopAdapter(ChannelAdapter):
    source = "loop"

    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        verify_base64_hmac(request.header(SIGNATURE_HEADER), secret, request.body, SIGNATURE_HEADER)

    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        hook = validate_at_edge(LoopWebhook, body, "Loop webhook")
        if hook.topic != "return" or hook.trigger not in RETURN_TRIGGERS:
            # Not handled: still a stable delivery id so a retry is answered as a duplicate.
            ref = body.get("id") or body.get("return_id") or ""
            stamp = body.get("status_updated_at") or body.get("edited_at") or body.get("created_at") or ""
            return DeliveryInfo(
                delivery_id=f"{hook.topic}:{ref}:{hook.trigger}:{stamp}", event_type=hook.trigger, domain=None
            )
        vendor = validate_at_edge(LoopReturn, body, "Loop return")
        return DeliveryInfo(
            delivery_id=f"{vendor.id}:{vendor.trigger}:{vendor.changed_at.isoformat()}",
            event_type=vendor.trigger,
            domain="orders",
            occurred_at=vendor.changed_at,
        )

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        if envelope.event_type not in RETURN_TRIGGERS:
            return []
        return [return_from_loop(payload_of(envelope))]
