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

from shared.channels.own_system import CommandSystemAdapter
from shared.channels.registry import register
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
class ErpAdapter(CommandSystemAdapter):
    source = "erp"
    label = "ERP"
    handled = {ITEM_UPDATED: "catalog", PRICE_UPDATED: "catalog"}

    def command(self, body: dict[str, Any]) -> ProductMaster | PriceMaster:
        return command_from_erp(body)

    def happened_at(self, command: ProductMaster | PriceMaster) -> datetime | None:
        return command.updated_at
