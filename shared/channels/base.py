"""What every channel adapter provides, and the request it is handed.

A channel adapter is the one place that knows a vendor: how its webhooks are signed, which
header or field names the delivery, which topics we handle, and how its payload maps to the
canonical models. Two callers use it:

- the ingest edge (`functions/ingest`): `verify(request, secret, now)` then
  `describe(request, body)`, on the raw request, before anything is stored;
- the workers: `adapter_for(envelope.source).normalize(envelope, enrich=...)`, on the
  envelope taken from the queue (with `payload_ref` already resolved into `payload`).

`normalize` contract (what a worker relies on):
- returns a list of canonical commands (`Order`, `OrderCancellation`, `InventoryAdjustment`,
  `Shipment`, and the order changes and returns of `shared.models.order_changes` /
  `shared.models.returns`), possibly empty when the delivery turns out to need no action (a Square order
  that is not completed yet);
- raises `NormalizationError` (a `shared.errors.PoisonMessage`) when the payload can never be
  turned into commands (a line without a SKU, a fractional quantity): the worker sends the
  message to the DLQ instead of retrying;
- any other exception is transient (an enrichment API that is down or throttling): retry.
- `enrich` is the adapter's outside lookup, if it has one (Square: its Orders and Catalog API).
  `None` means "build the default one from the environment" (`default_enricher()`); tests pass
  an in-memory fake.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

# The request types live in `delivery` (no pydantic: the webhook edge decodes with them before any
# channel loads); channels import them from here with the rest of the interface.
from shared.channels.delivery import DeliveryInfo, WebhookRequest
from shared.channels.delivery import Headers as Headers
from shared.errors import PoisonMessage, ValidationFailed
from shared.models.base import Model

if TYPE_CHECKING:
    from shared.models import (
        Envelope,
        InventoryAdjustment,
        InventoryMovement,
        Order,
        OrderCancellation,
        Shipment,
    )
    from shared.models.catalog import PriceMaster, ProductMaster
    from shared.models.order_changes import Fulfilment, OrderLinesCancelled, OrderUpdate, Refund
    from shared.models.returns import ReturnAuthorization, ReturnInspection, StoreReturn

# A string alias: only annotations use it, and naming the classes at run time would import every
# canonical model into each channel's module (the webhook edge loads one channel and needs none of
# them; a worker imports the ones its channel builds).
CanonicalCommand: TypeAlias = (
    "Order"
    " | OrderCancellation"
    " | InventoryAdjustment"
    " | InventoryMovement"  # WMS stock movements (receipt, pick, transfer, count, ...), inventory worker
    " | Shipment"
    # Order changes and returns (recorded by the orders worker, not the OrderFlow):
    " | OrderUpdate"
    " | Fulfilment"
    " | Refund"
    " | OrderLinesCancelled"
    " | ReturnAuthorization"
    " | StoreReturn"
    " | ReturnInspection"  # the WMS `return.inspected`, handed to the waiting ReturnFlow
    # Master data (the ERP's `item.updated` / `price.updated`, the pricing worker):
    " | ProductMaster"
    " | PriceMaster"
)

M = TypeVar("M", bound=BaseModel)
L = TypeVar("L")


class NormalizationError(PoisonMessage):
    """The payload can never become canonical commands: the message is poison (DLQ, no retry)."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class ChannelAdapter(ABC):
    """One per source; subclasses register themselves with `shared.channels.registry.register`."""

    source: ClassVar[str]

    @abstractmethod
    def verify(self, request: WebhookRequest, secret: str, now: datetime) -> None:
        """Check the vendor's signature on the raw body; raise SignatureInvalid / TimestampStale."""

    @abstractmethod
    def describe(self, request: WebhookRequest, body: dict[str, Any]) -> DeliveryInfo:
        """Delivery id, topic and queue of a verified delivery; ValidationFailed names bad fields."""

    @abstractmethod
    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        """The canonical commands a queued envelope stands for (see the module docstring)."""

    def answer_challenge(self, params: dict[str, str], endpoint_url: str | None) -> dict[str, Any] | None:
        """The answer to a vendor's `GET` endpoint challenge (eBay's), or None: this source has none (405)."""
        return None

    def default_enricher(self) -> Any | None:
        """The outside lookup `normalize` uses when the caller passes none (most channels: none)."""
        return None


class EnrichedChannelAdapter(ChannelAdapter, Generic[L]):
    """A channel whose `normalize` reads the vendor's API (the `L` lookup its module defines): by default
    through the vendor's client, built from the environment once per process."""

    _lookup: L | None = None

    def default_enricher(self) -> L:
        if self._lookup is None:
            self._lookup = self.build_enricher()
        return self._lookup

    @abstractmethod
    def build_enricher(self) -> L:
        """The vendor's API client from the environment (imported there: httpx and the clients are only
        needed by the workers)."""


def payload_of(envelope: Envelope) -> dict[str, Any]:
    """The vendor payload of an envelope; workers resolve a claim-check `payload_ref` first."""
    if envelope.payload is None:
        raise ValueError(f"envelope {envelope.event_id} has no payload: resolve payload_ref before normalizing")
    return envelope.payload


def field_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    """Pydantic errors as the API's `details`: one `{"field", "message"}` per invalid field."""
    details = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        path = ".".join(str(part) for part in err["loc"])
        details.append({"field": f"{prefix}{path}" if path else prefix.rstrip(".") or "body", "message": err["msg"]})
    return details


@contextmanager
def refused_at_edge(message: str) -> Iterator[None]:
    """At the edge, a model that refuses the payload answers 400 (`ValidationFailed`) with field details."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationFailed(message, details=field_errors(exc)) from exc


@contextmanager
def poison_in_worker(message: str) -> Iterator[None]:
    """In a worker, a model that refuses the payload now always will: `NormalizationError` (poison)."""
    try:
        yield
    except ValidationError as exc:
        raise NormalizationError(message, details=field_errors(exc)) from exc


def validate_at_edge(model: type[M], data: Any, what: str) -> M:
    """Validate a vendor payload at the edge: a schema violation answers 400 with field details."""
    with refused_at_edge(f"{what} is missing or has invalid fields"):
        return model.model_validate(data)


def validate_for_worker(model: type[M], data: Any, what: str) -> M:
    """Validate a queued payload: if it does not fit now it never will (poison)."""
    with poison_in_worker(f"{what} is missing or has invalid fields"):
        return model.model_validate(data)


class VendorModel(Model):
    """Base of a vendor payload model: fields we do not read are ignored, not rejected."""

    model_config = ConfigDict(extra="ignore")


def amounts_as_strings(vendor: str) -> BeforeValidator:
    """For ``Annotated[Decimal, amounts_as_strings("Shopify")]``: the vendor sends amounts as JSON
    strings; a JSON float is refused (it would lose cents)."""

    def no_float(value: object) -> object:
        if isinstance(value, float):
            raise ValueError(f"{vendor} sends amounts as strings; a float would lose cents")
        return value

    return BeforeValidator(no_float)
