"""eBay: the endpoint challenge and ECDSA-signed notifications (Notification API).

Vendor facts (sources in events/README.md):
- Endpoint validation: eBay calls `GET <endpoint>?challenge_code=...` and expects 200
  `{"challengeResponse": sha256_hex(challengeCode + verificationToken + endpoint)}`.
- Every notification is `{"metadata": {"topic", "schemaVersion", "deprecated"}, "notification":
  {"notificationId", "eventDate", "publishDate", "publishAttemptCount", "data": {...}}}`;
  `notification.notificationId` is our delivery id.
- `X-EBAY-SIGNATURE` is base64 of `{"alg": "ecdsa", "kid", "signature", "digest": "SHA1"}`: an
  ECDSA signature (DER, base64) over the raw body, verified with the public key that the
  Notification API's getPublicKey (`GET /commerce/notification/v1/public_key/{kid}`, application
  OAuth token from `POST /identity/v1/oauth2/token`, client-credentials grant) returns; keys are
  cached (an hour) per kid, as eBay's SDKs do ("should not be requested for every notification since
  doing so can result in exceeding API call limits", getPublicKey's page). The kid comes from an
  unauthenticated request, so it must look like a key id (eBay documents `public_key_id` only as a
  string; its ids are UUIDs: letters, digits, `-`, `_`) before it goes, percent-encoded, into the
  path; kids eBay does not know are cached too (5 min), and one lookup per kid runs at a time while
  concurrent requests for that kid wait for its answer.
- Topics: `ORDER_CONFIRMATION` (checkout complete; one notification per line item, and again if a
  failed payment is completed later) names the order (`data.order.orderId`, plus `orderLineItems[]`
  with `orderLineItemId`, `listingId`, `quantity`) and the seller (`data.user`), no SKU, price or
  address (eBay's asyncapi contract `order_confirmation.yaml`: "The seller looks up the orderId from the
  notification and then issues a GetOrders call"). Normalization reads it with the Fulfillment API's
  getOrder (`GET /sell/fulfillment/v1/order/{orderId}`, user token; the `enrich` dependency,
  `EbayLookup`) and maps it: `lineItems[]` (`sku`, `quantity`, `lineItemCost` = unit price x quantity,
  `discountedLineItemCost`, `taxes[].amount`), `pricingSummary.total.currency`, the SHIP_TO
  `fulfillmentStartInstructions[].shippingStep.shipTo`; an order whose `cancelStatus.cancelState` is
  CANCELED by then becomes an `OrderCancellation`. Every notification for one order maps to the same
  canonical order (`order_id_for("ebay", orderId)`), which the order flow dedupes. Every other topic
  (MARKETPLACE_ACCOUNT_DELETION: we keep no eBay user data) is verified and answered 202 ignored.
- Credentials (`shared/channels/clients/ebay_credentials.py`): the verification token and the
  application keyset (client id/secret) are the signing secret's `ebay_*` keys (the ingest function
  reads no other secret); locally `EBAY_*` variables win and the sandbox's placeholders stand in.

`cryptography` and `httpx` are imported only when a notification is verified (cold start stays small).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Protocol
from urllib.parse import quote

from pydantic import AwareDatetime, ConfigDict, Field, ValidationError

from shared.channels.addresses import AddressFields
from shared.channels.base import (
    CanonicalCommand,
    DeliveryInfo,
    EnrichedChannelAdapter,
    NormalizationError,
    WebhookRequest,
    field_errors,
    payload_of,
    validate_at_edge,
    validate_for_worker,
)
from shared.channels.base import VendorModel as _Vendor
from shared.channels.clients.ebay_credentials import EbayApiSettings, ebay_credential
from shared.channels.registry import register
from shared.errors import (
    SignatureInvalid,
    Unavailable,
    UpstreamUnavailable,
    ValidationFailed,
)
from shared.models import Address, CustomerRef, Envelope, Money, Order, OrderCancellation, OrderLine
from shared.models.base import Model

SIGNATURE_HEADER = "X-EBAY-SIGNATURE"
PUBLIC_KEY_PATH = "/commerce/notification/v1/public_key/{kid}"
TOKEN_PATH = "/identity/v1/oauth2/token"
OAUTH_SCOPE = "https://api.ebay.com/oauth/api_scope"
KEY_CACHE_SECONDS = 3600
MISS_CACHE_SECONDS = 300  # an unknown kid is asked again after 5 min (a key eBay has just rotated in)
MAX_CACHED_KIDS = 1024  # hits and misses together: random kids cannot grow the cache without bound
LOOKUP_WAIT_SECONDS = 10.0  # a request waiting for another's lookup of its kid gives up after this
KID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
ORDER_CONFIRMATION = "ORDER_CONFIRMATION"


class EbaySettings(EbayApiSettings):
    """`EBAY_API_BASE_URL` (https://api.ebay.com deployed, the eBay sandbox locally) and credentials."""

    ebay_api_base_url: str | None = "https://api.ebay.com"

    def verification_token(self) -> str:
        try:
            return ebay_credential(self, "verification_token")
        except Unavailable as exc:
            raise UpstreamUnavailable("the eBay verification token is not configured") from exc

    def client_credentials(self) -> tuple[str, str]:
        try:
            return ebay_credential(self, "client_id"), ebay_credential(self, "client_secret")
        except Unavailable as exc:
            raise UpstreamUnavailable("the eBay client id / secret are not configured") from exc


def challenge_response(challenge_code: str, verification_token: str, endpoint_url: str) -> str:
    return hashlib.sha256((challenge_code + verification_token + endpoint_url).encode("utf-8")).hexdigest()


class SignatureHeader(Model):
    model_config = ConfigDict(extra="ignore")

    alg: str
    kid: Annotated[str, Field(min_length=1, max_length=256)]
    signature: Annotated[str, Field(min_length=1)]
    digest: str = "SHA1"


def parse_signature_header(value: str | None) -> SignatureHeader:
    if not value:
        raise SignatureInvalid(f"missing {SIGNATURE_HEADER} header")
    try:
        return SignatureHeader.model_validate(json.loads(base64.b64decode(value, validate=True)))
    except (binascii.Error, ValueError, ValidationError) as exc:
        raise SignatureInvalid(f"{SIGNATURE_HEADER} is not base64 JSON with alg, kid, signature") from exc


class PublicKeys(Protocol):
    def pem_for(self, kid: str) -> str:
        """The PEM public key of `kid`; SignatureInvalid for an unknown kid, UpstreamUnavailable if eBay is down."""
        ...


def _pem(key: str) -> str:
    """getPublicKey answers the PEM on one line; PEM parsers want 64-column base64 lines."""
    header, footer = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"
    body = key.replace(header, "").replace(footer, "").replace("\n", "").replace("\r", "").strip()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([header, *lines, footer]) + "\n"


class _Lookup:
    """One getPublicKey call in progress; requests for the same kid wait for its outcome."""

    __slots__ = ("done", "error", "pem")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.pem: str | None = None
        self.error: Exception | None = None


class NotificationApiKeys:
    """getPublicKey with an application token, both cached (keys for KEY_CACHE_SECONDS, unknown kids
    for MISS_CACHE_SECONDS); one lookup per kid at a time (the others wait for its answer)."""

    def __init__(self, settings: EbaySettings, clock: Any = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._keys: dict[str, tuple[float, str | None]] = {}  # kid -> (expires, PEM or None: unknown)
        self._lookups: dict[str, _Lookup] = {}
        self._token: tuple[float, str] | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def pem_for(self, kid: str) -> str:
        if not KID_PATTERN.fullmatch(kid):
            raise SignatureInvalid(f"{SIGNATURE_HEADER} kid is not an eBay key id")
        with self._lock:
            cached = self._keys.get(kid)
            if cached and cached[0] > self._clock():
                return _known(cached[1])
            lookup = self._lookups.get(kid)
            leader = lookup is None
            if lookup is None:
                lookup = self._lookups[kid] = _Lookup()
        if not leader:
            return _outcome(lookup)
        try:
            lookup.pem = self._fetch(kid)
            self._remember(kid, KEY_CACHE_SECONDS, lookup.pem)
        except SignatureInvalid as exc:
            lookup.error = exc
            self._remember(kid, MISS_CACHE_SECONDS, None)
            raise
        except Exception as exc:  # eBay down: not cached, but the waiting requests get the same answer
            lookup.error = exc
            raise
        finally:
            with self._lock:
                self._lookups.pop(kid, None)
            lookup.done.set()
        return lookup.pem

    def _remember(self, kid: str, seconds: float, pem: str | None) -> None:
        with self._lock:
            now = self._clock()
            if len(self._keys) >= MAX_CACHED_KIDS:
                for stale in [k for k, (expires, _) in self._keys.items() if expires <= now]:
                    del self._keys[stale]
            while len(self._keys) >= MAX_CACHED_KIDS:
                del self._keys[next(iter(self._keys))]  # the oldest entry
            self._keys[kid] = (now + seconds, pem)

    def _client(self) -> Any:
        import httpx  # lazily: only a verification that misses the cache needs it

        return httpx.Client(base_url=(self._settings.ebay_api_base_url or "").rstrip("/"), timeout=3.0)

    def _app_token(self, client: Any) -> str:
        now = self._clock()
        if self._token and self._token[0] > now:
            return self._token[1]
        response = client.post(
            TOKEN_PATH,
            auth=self._settings.client_credentials(),
            data={"grant_type": "client_credentials", "scope": OAUTH_SCOPE},
        )
        if response.status_code != 200:
            raise UpstreamUnavailable(f"eBay OAuth token: {response.status_code}")
        body = response.json()
        # Renew a minute early so a token never expires between the check and the call.
        self._token = (now + max(int(body.get("expires_in", 7200)) - 60, 0), str(body["access_token"]))
        return self._token[1]

    def _fetch(self, kid: str) -> str:
        import httpx

        try:
            with self._client() as client:
                path = PUBLIC_KEY_PATH.format(kid=quote(kid, safe=""))
                response = client.get(path, headers={"Authorization": f"Bearer {self._app_token(client)}"})
                if response.status_code == 401:  # the token expired early or was revoked: mint once more
                    self._token = None
                    response = client.get(path, headers={"Authorization": f"Bearer {self._app_token(client)}"})
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable("could not fetch eBay's public key; retry later") from exc
        self.fetches += 1
        if response.status_code in (400, 404):
            raise SignatureInvalid("eBay knows no public key with this kid")
        if response.status_code != 200:
            raise UpstreamUnavailable(f"eBay getPublicKey: {response.status_code}")
        key = response.json().get("key")
        if not isinstance(key, str):
            raise UpstreamUnavailable("eBay getPublicKey answered without a key")
        return _pem(key)


def _known(pem: str | None) -> str:
    if pem is None:
        raise SignatureInvalid("eBay knows no public key with this kid")
    return pem


def _outcome(lookup: _Lookup) -> str:
    """What another request's lookup of the same kid found (fresh exceptions: one per request)."""
    if not lookup.done.wait(LOOKUP_WAIT_SECONDS):
        raise UpstreamUnavailable("eBay's public key lookup is taking too long; retry later")
    if isinstance(lookup.error, SignatureInvalid):
        raise SignatureInvalid(lookup.error.message)
    if lookup.error is not None or lookup.pem is None:
        raise UpstreamUnavailable("could not fetch eBay's public key; retry later")
    return lookup.pem


def verify_ecdsa(body: bytes, header: SignatureHeader, pem: str) -> None:
    """ECDSA (SHA1 unless the header says otherwise) over the raw body with the kid's key."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    if header.alg.lower() != "ecdsa":
        raise SignatureInvalid(f"{SIGNATURE_HEADER} algorithm {header.alg!r} is not ecdsa")
    digests = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256}
    digest = digests.get(header.digest.upper().replace("-", ""))
    if digest is None:
        raise SignatureInvalid(f"{SIGNATURE_HEADER} digest {header.digest!r} is not supported")
    try:
        key = load_pem_public_key(pem.encode("ascii"))
        signature = base64.b64decode(header.signature, validate=True)
    except (ValueError, UnsupportedAlgorithm, binascii.Error) as exc:
        raise SignatureInvalid("eBay's public key or the signature is unreadable") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SignatureInvalid("eBay's public key is not an EC key")
    try:
        key.verify(signature, body, ec.ECDSA(digest()))
    except InvalidSignature as exc:
        raise SignatureInvalid(f"{SIGNATURE_HEADER} does not match the body") from exc


class EbayMetadata(Model):
    model_config = ConfigDict(extra="ignore")

    topic: Annotated[str, Field(min_length=1)]
    schemaVersion: str | None = None  # noqa: N815 - eBay's field names


class EbayNotificationBody(Model):
    model_config = ConfigDict(extra="ignore")

    notificationId: Annotated[str, Field(min_length=1, max_length=256)]  # noqa: N815
    eventDate: AwareDatetime | None = None  # noqa: N815
    data: dict[str, Any] = {}


class EbayNotification(Model):
    model_config = ConfigDict(extra="ignore")

    metadata: EbayMetadata
    notification: EbayNotificationBody


class EbayLookup(Protocol):
    """What normalization needs from eBay's Fulfillment API (`EbayApiClient`, or a fake in tests)."""

    def get_order(self, order_id: str) -> dict[str, Any]: ...


class EbayNotifiedOrder(_Vendor):
    orderId: Annotated[str, Field(min_length=1, max_length=128)]  # noqa: N815


class EbayOrderConfirmation(_Vendor):
    """`notification.data` of ORDER_CONFIRMATION."""

    order: EbayNotifiedOrder


class EbayAmount(_Vendor):
    value: Annotated[str, Field(min_length=1)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

    def money(self) -> Money:
        # eBay writes amounts as decimal strings ("4085.0"); canonical amounts carry cents.
        return Money(amount=Decimal(self.value).quantize(Decimal("0.01")), currency=self.currency)


class EbayTax(_Vendor):
    amount: EbayAmount


class EbayLineItem(_Vendor):
    lineItemId: Annotated[str, Field(min_length=1)]  # noqa: N815
    sku: str | None = None
    title: str | None = None
    quantity: int
    lineItemCost: EbayAmount  # noqa: N815 - unit price x quantity, before discounts
    discountedLineItemCost: EbayAmount | None = None  # noqa: N815 - only when a promotion applied
    taxes: list[EbayTax] = []


class EbayContactAddress(_Vendor):
    addressLine1: str | None = None  # noqa: N815
    addressLine2: str | None = None  # noqa: N815
    city: str | None = None
    stateOrProvince: str | None = None  # noqa: N815
    postalCode: str | None = None  # noqa: N815
    countryCode: str | None = None  # noqa: N815


class EbayShipTo(_Vendor):
    fullName: str | None = None  # noqa: N815
    contactAddress: EbayContactAddress | None = None  # noqa: N815
    email: str | None = None


class EbayShippingStep(_Vendor):
    shipTo: EbayShipTo | None = None  # noqa: N815


class EbayFulfillmentInstruction(_Vendor):
    fulfillmentInstructionsType: str | None = None  # noqa: N815
    shippingStep: EbayShippingStep | None = None  # noqa: N815


class EbayPricingSummary(_Vendor):
    total: EbayAmount


class EbayBuyer(_Vendor):
    username: str | None = None


class EbayCancelStatus(_Vendor):
    cancelState: str | None = None  # noqa: N815
    cancelledDate: AwareDatetime | None = None  # noqa: N815


class EbayOrder(_Vendor):
    """getOrder's Order (the fields we map)."""

    orderId: Annotated[str, Field(min_length=1, max_length=128)]  # noqa: N815
    creationDate: AwareDatetime  # noqa: N815
    lastModifiedDate: AwareDatetime | None = None  # noqa: N815
    buyer: EbayBuyer | None = None
    pricingSummary: EbayPricingSummary  # noqa: N815
    cancelStatus: EbayCancelStatus | None = None  # noqa: N815
    fulfillmentStartInstructions: list[EbayFulfillmentInstruction] = []  # noqa: N815
    lineItems: Annotated[list[EbayLineItem], Field(min_length=1)]  # noqa: N815


# The contact address's fields; the name is the ship-to's `fullName`.
ADDRESS_FIELDS = AddressFields(
    None, "addressLine1", "addressLine2", "city", "stateOrProvince", "postalCode", "countryCode"
)


def _ship_to(order: EbayOrder) -> EbayShipTo | None:
    for instruction in order.fulfillmentStartInstructions:
        step = instruction.shippingStep
        if step is not None and step.shipTo is not None:
            return step.shipTo
    return None


def _address(ship_to: EbayShipTo | None) -> Address | None:
    if ship_to is None or ship_to.contactAddress is None:
        return None
    return ADDRESS_FIELDS.address(ship_to.contactAddress, name=ship_to.fullName)


def _line(item: EbayLineItem, index: int) -> OrderLine:
    if item.quantity <= 0:
        raise NormalizationError(
            "eBay line item quantity is not a positive number of units",
            details=[{"field": f"lineItems.{index}.quantity", "message": repr(item.quantity)}],
        )
    cost = item.lineItemCost.money()
    taxes = [tax.amount.money() for tax in item.taxes]
    tax = sum(taxes[1:], taxes[0]) if taxes else None
    discount = None
    if item.discountedLineItemCost is not None:
        discount = Money(amount=cost.amount - item.discountedLineItemCost.money().amount, currency=cost.currency)
    return OrderLine(
        line_id=item.lineItemId,
        sku=item.sku or "",
        quantity=item.quantity,
        # lineItemCost is "the single unit price multiplied by the quantity" (eBay's LineItem type).
        unit_price=Money(amount=(cost.amount / item.quantity).quantize(Decimal("0.01")), currency=cost.currency),
        tax=tax,
        discount=discount if discount is not None and discount.amount > 0 else None,
        title=item.title,
    )


def order_from_ebay(vendor_order: dict[str, Any]) -> Order | OrderCancellation:
    """getOrder's Order -> canonical Order, or an OrderCancellation when eBay already cancelled it."""
    order = validate_for_worker(EbayOrder, vendor_order, "eBay order")
    cancel = order.cancelStatus
    if cancel is not None and (cancel.cancelState or "").upper() == "CANCELED":
        return OrderCancellation(
            channel="ebay",
            channel_order_id=order.orderId,
            cancelled_at=cancel.cancelledDate or order.lastModifiedDate or order.creationDate,
            reason="canceled on eBay",
        )
    missing = [
        {"field": f"lineItems.{i}.sku", "message": "no SKU for this line"}
        for i, item in enumerate(order.lineItems)
        if not item.sku
    ]
    if missing:
        raise NormalizationError("eBay order has lines without a SKU", details=missing)
    ship_to = _ship_to(order)
    try:
        return Order(
            channel="ebay",
            channel_order_id=order.orderId,
            placed_at=order.creationDate,
            currency=order.pricingSummary.total.currency,
            lines=[_line(item, i) for i, item in enumerate(order.lineItems)],
            customer=CustomerRef(
                channel_customer_id=order.buyer.username if order.buyer else None,
                email=ship_to.email if ship_to else None,
            ),
            shipping_address=_address(ship_to),
            source_updated_at=order.lastModifiedDate,
        )
    except (ValidationError, InvalidOperation) as exc:
        details = field_errors(exc) if isinstance(exc, ValidationError) else [{"field": "amounts", "message": str(exc)}]
        raise NormalizationError("eBay order does not fit the canonical model", details=details) from exc


@register
class EbayAdapter(EnrichedChannelAdapter[EbayLookup]):
    source = "ebay"
    keys: PublicKeys | None = None  # set by tests; else built from the environment once

    def _keys(self) -> PublicKeys:
        if self.keys is None:
            self.keys = NotificationApiKeys(EbaySettings.from_env())
        return self.keys

    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        # eBay signs with its own key pair: the shared secret is not part of the scheme.
        header = parse_signature_header(request.header(SIGNATURE_HEADER))
        verify_ecdsa(request.body, header, self._keys().pem_for(header.kid))

    def answer_challenge(self, params: dict[str, str], endpoint_url: str | None) -> dict[str, Any] | None:
        code = params.get("challenge_code")
        if not code:
            raise ValidationFailed(
                "eBay's endpoint challenge needs challenge_code",
                details=[{"field": "query challenge_code", "message": "required"}],
            )
        if not endpoint_url:
            raise UpstreamUnavailable("the eBay endpoint URL (WEBHOOK_BASE_URL) is not configured")
        token = EbaySettings.from_env().verification_token()
        return {"challengeResponse": challenge_response(code, token, endpoint_url)}

    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        event = validate_at_edge(EbayNotification, body, "eBay notification")
        topic = event.metadata.topic
        if topic == ORDER_CONFIRMATION:
            validate_at_edge(EbayOrderConfirmation, event.notification.data, "eBay ORDER_CONFIRMATION data")
        return DeliveryInfo(
            delivery_id=event.notification.notificationId,
            event_type=topic,
            domain="orders" if topic == ORDER_CONFIRMATION else None,
            occurred_at=event.notification.eventDate,
        )

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        event = validate_for_worker(EbayNotification, payload_of(envelope), "eBay notification")
        if event.metadata.topic != ORDER_CONFIRMATION:
            return []
        data = validate_for_worker(EbayOrderConfirmation, event.notification.data, "eBay ORDER_CONFIRMATION data")
        lookup: EbayLookup = enrich if enrich is not None else self.default_enricher()
        return [order_from_ebay(lookup.get_order(data.order.orderId))]

    def build_enricher(self) -> EbayLookup:
        """The eBay Fulfillment API client built from the environment."""
        from shared.channels.clients.ebay_api import EbayApiClient

        return EbayApiClient.from_env()
