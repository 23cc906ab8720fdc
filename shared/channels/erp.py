"""The retailer's ERP (or PIM) pushing master data to us, verified with `X-Signature: t=,v1=`.

Handled (to the catalog queue, where the pricing worker keeps the latest version and tells the
channels), in the payload we define for the retailer's own systems (events/erp/README.md):
- `item.updated` -> `ProductMaster`: `{"event_id", "event_type", "sequence", "occurred_at", "sku",
  "title", "gtin"?, "attributes"?: {name: value}, "listings"?: {channel: the channel's key}}`;
- `price.updated` -> `PriceMaster`: `{"event_id", "event_type", "sequence", "occurred_at", "sku",
  "currency", "list_price": "<decimal>", "sale"?: {"price", "starts_at", "ends_at"} | null}`.
`sequence` is the ERP's version of that SKU's record: an older one arriving late changes nothing.
Amounts are decimal strings (never floats). Other event types: 202 ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from shared.channels.base import CanonicalCommand, NormalizationError, field_errors, payload_of
from shared.channels.own_system import OwnSystemAdapter
from shared.channels.registry import register
from shared.errors import ValidationFailed
from shared.models import Envelope
from shared.models.catalog import PriceMaster, ProductMaster

ITEM_UPDATED = "item.updated"
PRICE_UPDATED = "price.updated"


def command_from_erp(body: dict[str, Any]) -> ProductMaster | PriceMaster:
    """The canonical master record an ERP event stands for (pydantic's ValidationError if it cannot)."""
    common = {"sku": body.get("sku"), "version": body.get("sequence"), "updated_at": body.get("occurred_at")}
    if body.get("event_type") == ITEM_UPDATED:
        fields = {k: body[k] for k in ("title", "gtin", "attributes", "listings") if body.get(k) is not None}
        return ProductMaster.model_validate({**common, **fields})
    sale = body.get("sale")
    return PriceMaster.model_validate(
        {
            **common,
            "currency": body.get("currency"),
            "list_price": body.get("list_price"),
            **({"sale": sale} if sale is not None else {}),
        }
    )


@register
class ErpAdapter(OwnSystemAdapter):
    source = "erp"
    handled = {ITEM_UPDATED: "catalog", PRICE_UPDATED: "catalog"}

    def check(self, event_type: str, body: dict[str, Any]) -> datetime | None:
        # Built at the edge too: a record the models refuse answers 400 now, not a poison message later.
        try:
            return command_from_erp(body).updated_at
        except ValidationError as exc:
            raise ValidationFailed(
                f"ERP {event_type} is missing or has invalid fields", details=field_errors(exc)
            ) from exc

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        body = payload_of(envelope)
        if body.get("event_type") not in self.handled:
            return []
        try:
            return [command_from_erp(body)]
        except ValidationError as exc:
            raise NormalizationError("ERP event does not fit the canonical model", details=field_errors(exc)) from exc
