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
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field, ValidationError

from shared.channels.base import (
    CanonicalCommand,
    ChannelAdapter,
    DeliveryInfo,
    NormalizationError,
    WebhookRequest,
    amounts_as_strings,
    field_errors,
    payload_of,
    validate_at_edge,
    validate_for_worker,
)
from shared.channels.base import VendorModel as _Vendor
from shared.channels.registry import register
from shared.channels.signatures import verify_base64_hmac
from shared.models import CustomerRef, Envelope, Money
from shared.models.returns import ReturnAuthorization, ReturnLine, ReturnStatus

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
    name = " ".join(p for p in ((detail.first_name, detail.last_name) if detail else ()) if p) or None
    email = (detail.email if detail else None) or vendor.customer
    try:
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
                )
                for item in vendor.line_items
            ],
            customer=CustomerRef(email=email, name=name) if email or name else None,
            refund_total=(
                Money(amount=vendor.return_credit_total, currency=currency)
                if vendor.return_credit_total is not None
                else None
            ),
            tracking_numbers=[str(label.tracking_number) for label in vendor.labels if label.tracking_number],
        )
    except ValidationError as exc:
        raise NormalizationError("Loop return does not fit the canonical model", details=field_errors(exc)) from exc


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
