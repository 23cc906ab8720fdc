"""The warehouse's and the stores' fulfilment API (the retailer's own WMS, which also runs the stores'
fulfilment tasks): our instructions in, cancels out. Shapes: local/sandboxes/wms.py.

- `PUT /v1/fulfilment-orders/{external_id}` (DC, 3PL, dark store) or
  `PUT /v1/stores/{location_id}/fulfilment-tasks/{external_id}` (ship from store, store pickup):
  an upsert by our instruction id, so a resend answers the record already there (200) instead of a
  second pick;
- `POST <that path>/cancel`: 200 cancelled; 409 `ALREADY_SHIPPED` once the parcel has left, raised as
  `CancelRefused`; 404 for an id it never had (nothing to stop: answered False).

429 is `Throttled`, 5xx and timeouts `Unavailable`, other 4xx `Rejected` (shared/errors.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from shared.adapters.http import HttpConnector
from shared.errors import Rejected, VendorNotFound
from shared.models.fulfilment import FulfilmentInstruction, FulfilmentMethod

# A warehouse call waits at most this long; a slower answer is an outage (retried with the message).
WMS_TIMEOUT_SECONDS = 10.0


class CancelRefused(Rejected):
    """The warehouse or store cannot stop it: the parcel left (409 ALREADY_SHIPPED)."""


def fulfilment_path(instruction: FulfilmentInstruction) -> str:
    external_id = quote(instruction.instruction_id, safe="")
    if instruction.method is FulfilmentMethod.SHIP_FROM_DC:
        return f"/v1/fulfilment-orders/{external_id}"
    return f"/v1/stores/{quote(instruction.location_id, safe='')}/fulfilment-tasks/{external_id}"


class HttpWmsFulfilment(HttpConnector):
    system = "wms"
    not_found_error = VendorNotFound

    def release(self, instruction: FulfilmentInstruction, order: dict[str, Any]) -> str:
        """Sends one instruction; answers the WMS's own id for it."""
        body: dict[str, Any] = {
            "order_id": order["order_id"],
            "channel": order["channel"],
            "channel_order_id": order["channel_order_id"],
            "location_id": instruction.location_id,
            "method": instruction.method.value,
            "lines": [line.model_dump(mode="json") for line in instruction.lines],
        }
        if order.get("shipping_address") and instruction.method is not FulfilmentMethod.STORE_PICKUP:
            body["ship_to"] = order["shipping_address"]
        answer: dict[str, Any] = self._send("PUT", fulfilment_path(instruction), json=body).json()
        return str(answer.get("id") or "")

    def cancel(self, instruction: FulfilmentInstruction) -> bool:
        """True once the warehouse or store has stopped it; False if it never had it."""
        try:
            self._send("POST", f"{fulfilment_path(instruction)}/cancel")
        except VendorNotFound:
            return False
        except Rejected as exc:
            if exc.answer_status == 409:
                raise CancelRefused(str(exc), system=self.system, status=409) from exc
            raise
        return True
