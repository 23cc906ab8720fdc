"""The envelope every accepted delivery travels in, from the edge to the workers."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import Field

from shared.models.common import StrictModel, UtcDatetime, utc_now

SCHEMA_VERSION: Final = "1"

Domain = Literal["orders", "inventory", "catalog"]  # catalog: the ERP's products and prices


class Envelope(StrictModel):
    """A vendor delivery, verified and wrapped; the payload stays exactly as the vendor sent it.

    `payload` holds the parsed JSON body; when the body is too large for a queue message the
    payload is stored aside and `payload_ref` names it (claim check).
    """

    schema_version: Literal["1"] = SCHEMA_VERSION
    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    source: Annotated[str, Field(min_length=2, max_length=32)]
    event_type: Annotated[str, Field(min_length=1, max_length=128)]
    domain: Domain
    delivery_id: Annotated[str, Field(min_length=1, max_length=256)]
    correlation_id: Annotated[str, Field(min_length=8, max_length=64)]
    occurred_at: UtcDatetime | None = None
    received_at: UtcDatetime = Field(default_factory=utc_now)
    source_sequence: int | None = None
    payload: dict[str, Any] | None = None
    payload_ref: str | None = None
