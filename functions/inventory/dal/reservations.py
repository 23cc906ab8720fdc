"""Finding expired reservations in the state table (the release itself is the orders store's).

HELD reservations past `hold_expires_at` are found with a filtered, paginated Scan of the
`RESERVATION#` items (the table has no index on expiry; docs/inventory.md says when to add a sparse
GSI instead). Releasing goes through `DynamoStateStore.try_release`: one transaction that moves the
reservation HELD -> RELEASED under its version and gives the units back to the positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from shared.adapters.state_store import (
    CommitResult,
    DynamoStateStore,
    from_dynamo,
    reservation_from_item,
    to_dynamo,
)
from shared.models import InventoryPosition
from shared.models.state import Reservation, ReservationStatus
from shared.reservation import PositionRelease

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ReservationStore(Protocol):
    def expired_reservations(self, now_epoch: int, limit: int) -> Iterator[Reservation]: ...

    def get_reservation(self, order_id: str) -> Reservation | None: ...

    def get_positions(self, location_id: str, skus: Iterable[str]) -> dict[str, InventoryPosition]: ...

    def try_release(
        self, reservation: Reservation, releases: Sequence[PositionRelease], at: datetime
    ) -> CommitResult: ...


class DynamoReservationStore(DynamoStateStore):
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        super().__init__(table_name, client)

    def expired_reservations(self, now_epoch: int, limit: int) -> Iterator[Reservation]:
        """HELD reservations whose hold ended at or before `now_epoch`, at most `limit` of them."""
        request = {
            "FilterExpression": "begins_with(pk, :prefix) AND #status = :held AND #hold <= :now",
            "ExpressionAttributeNames": {"#status": "status", "#hold": "hold_expires_at"},
            "ExpressionAttributeValues": to_dynamo(
                {":prefix": "RESERVATION#", ":held": ReservationStatus.HELD.value, ":now": now_epoch}
            ),
        }
        for item in islice(self.page_through("scan", request), max(limit, 0)):
            yield reservation_from_item(from_dynamo(item))
