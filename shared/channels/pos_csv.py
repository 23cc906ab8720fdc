"""Franchise store POS nightly files: a CSV per store and business day, dropped in the POS files bucket.

The format is ours (franchisees' POS systems export it; specified in events/pos/README.md): a header
row, then one row per sold line, columns ``store_id, business_date, transaction_id, line_number,
sold_at, sku, description, quantity, unit_price, discount, tax, currency, transaction_type``.
``sold_at`` is the store's wall clock (``2026-11-21 18:45:12``, no offset), so it is read in the
store's IANA time zone (configured per store, ``POS_STORE_TIME_ZONES``) and stored in UTC. A time
the clocks skipped (spring forward) is refused; a time that happened twice (fall back) is taken as
its first occurrence. A ``sold_at`` that does carry an offset is taken as written.

``parse_pos_file`` checks the whole file before anything is queued: one bad row (a missing column, a
fractional quantity, an amount that is not a decimal, a store without a time zone) rejects the file
with every problem listed (``PosFileRejected``), so a file is queued completely or not at all.
``VOID`` rows are counted as skipped. ``RETURN`` rows are goods brought back to the store: they
group per transaction like sales and become a canonical ``StoreReturn`` at the store (the location),
``returned_at`` in UTC, recorded by the orders worker like a Square store return
(``STORE_RETURN#pos#<store_id>-<transaction_id>``, event ``StoreReturnRecorded``).

One queued record per transaction (a receipt), ``{"format", "store_id", "transaction_id",
"time_zone", "business_date", "file", "rows"}``; its delivery id is ``<store_id>/<transaction_id>``,
the sale's own identity rather than the file's name or its row numbers, so the same file dropped
twice, the same sales in a re-exported file under another name, or a burst of files after an outage
change nothing the second time. A return transaction is queued with ``"transaction_type":
"RETURN"`` and the delivery id ``<store_id>/<transaction_id>/return`` (an exchange, one receipt
with SALE and RETURN rows, gives a sale and a return). Normalization -> ``Order`` (channel ``pos``,
``channel_order_id`` ``<store_id>-<transaction_id>``, ``fulfilment_location_id`` the store): the same
canonical store sale a Square POS sale becomes (a till sale: on hand lowered at the store once,
never reserved or held, shared/store_sales.py); or ``StoreReturn`` (``return_id``
``<store_id>-<transaction_id>``, ``status`` ``COMPLETED``, one line per row with its refund amount,
``amount`` their total: units x price - discount + tax, like an order line's total).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, ValidationError

from shared.channels._pull import PullChannelAdapter
from shared.channels.base import (
    CanonicalCommand,
    DeliveryInfo,
    NormalizationError,
    field_errors,
    payload_of,
    poison_in_worker,
    validate_at_edge,
    validate_for_worker,
)
from shared.channels.registry import register
from shared.errors import ValidationFailed
from shared.models import Envelope, Money, Order, OrderLine
from shared.models.base import Model
from shared.models.returns import ReturnLine, StoreReturn

FORMAT = "retail-sync-pos-csv/1"
EVENT_TYPE = "StoreSale"
RETURN_EVENT_TYPE = "StoreReturn"
CHANNEL = "pos"
COLUMNS = (
    "store_id",
    "business_date",
    "transaction_id",
    "line_number",
    "sold_at",
    "sku",
    "description",
    "quantity",
    "unit_price",
    "discount",
    "tax",
    "currency",
    "transaction_type",
    "original_order",
)
REQUIRED = frozenset(COLUMNS) - {"description", "discount", "tax", "original_order"}
# A RETURN of goods bought online names that order: `<channel>:<channel order id>` (buy online,
# return in store). ReturnFlow takes it from there; the till has refunded the customer.
ONLINE_CHANNELS = ("shopify", "amazon", "walmart", "ebay", "zalando")
ORIGINAL_ORDER = re.compile(r"^(" + "|".join(ONLINE_CHANNELS) + r"):([A-Za-z0-9._\-]{1,128})$")
SALE = "SALE"
RETURN = "RETURN"
SKIPPED_TYPES = frozenset({"VOID"})
RECEIPT_TYPES = (SALE, RETURN)
RETURN_STATUS = "COMPLETED"  # the goods are back and refunded at the till
MAX_ROWS = 100_000
_ID = r"^[A-Za-z0-9._\-]+$"


class PosFileRejected(ValidationFailed):
    """The file cannot be imported as it is; ``details`` lists every problem (``row``, ``field``, ``message``)."""


@dataclass(frozen=True)
class FileRef:
    bucket: str
    key: str
    etag: str | None = None


@dataclass
class ParsedFile:
    """What a valid file holds: one payload per transaction (sale or return), and the void rows."""

    receipts: list[dict[str, Any]] = field(default_factory=list)
    skipped_rows: int = 0
    sale_rows: int = 0
    return_rows: int = 0


class PosRow(Model):
    """One sale row as queued (values stay the file's text; the adapter converts them)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    row_number: int
    line_number: Annotated[str, Field(min_length=1, max_length=32, pattern=_ID)]
    sold_at: Annotated[str, Field(min_length=10)]
    sku: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-/]+$")]
    description: str | None = None
    quantity: str
    unit_price: str
    discount: str | None = None
    tax: str | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    transaction_type: str = SALE
    original_order: str | None = None  # RETURN rows only: `<channel>:<channel order id>`


class PosReceipt(Model):
    model_config = ConfigDict(extra="ignore")

    format: str = FORMAT
    store_id: Annotated[str, Field(min_length=1, max_length=64, pattern=_ID)]
    transaction_id: Annotated[str, Field(min_length=1, max_length=60, pattern=_ID)]
    time_zone: Annotated[str, Field(min_length=1)]
    transaction_type: Literal["SALE", "RETURN"] = "SALE"
    business_date: date | None = None
    file: dict[str, Any] = {}
    rows: Annotated[list[PosRow], Field(min_length=1)]


def to_utc(local: str, time_zone: str) -> datetime:
    """The store's wall-clock time in UTC; ``ValueError`` for a time the clocks skipped."""
    try:
        parsed = datetime.fromisoformat(local.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise ValueError(f"{local!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from exc
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{time_zone!r} is not an IANA time zone") from exc
    aware = parsed.replace(tzinfo=zone, fold=0)
    # A wall time inside a spring-forward gap does not survive the round trip.
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != parsed:
        raise ValueError(f"{local} did not happen in {time_zone} (the clocks skipped it)")
    return aware.astimezone(UTC)


def _decimal(value: str | None, name: str) -> Decimal | None:
    if value is None or value.strip() == "":
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValueError(f"{name} {value!r} is not a decimal number") from exc
    if not number.is_finite():
        raise ValueError(f"{name} {value!r} is not a decimal number")
    return number


def _quantity(value: str) -> int:
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValueError(f"quantity {value!r} is not a number") from exc
    if not number.is_finite() or number <= 0 or number != number.to_integral_value():
        raise ValueError(f"quantity {value!r} is not a whole number of units above zero")
    return int(number)


def parse_pos_file(
    text: str, time_zones: Mapping[str, str], file: FileRef, default_time_zone: str | None = None
) -> ParsedFile:
    """Every transaction of a nightly file, checked; ``PosFileRejected`` lists all problems."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing_columns = sorted(REQUIRED - set(header))
    if missing_columns:
        raise PosFileRejected(
            "the file does not have the POS CSV header",
            details=[{"row": 1, "field": c, "message": "column missing"} for c in missing_columns],
        )
    problems: list[dict[str, Any]] = []
    receipts: dict[tuple[str, str, str], dict[str, Any]] = {}
    result = ParsedFile()
    for row_number, raw in enumerate(reader, start=2):
        if row_number > MAX_ROWS + 1:
            raise PosFileRejected(f"the file has more than {MAX_ROWS} rows", details=[])
        values = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue
        kind = (values.get("transaction_type") or SALE).upper()
        if kind in SKIPPED_TYPES:
            result.skipped_rows += 1
            continue
        row_problems = _check_row(row_number, values, kind, time_zones, default_time_zone)
        if row_problems:
            problems.extend(row_problems)
            continue
        store, transaction = values["store_id"], values["transaction_id"]
        receipt = receipts.setdefault(
            (store, transaction, kind),
            {
                "format": FORMAT,
                "store_id": store,
                "transaction_id": transaction,
                "time_zone": time_zones.get(store) or default_time_zone,
                "transaction_type": kind,
                "business_date": values["business_date"],
                "file": {"bucket": file.bucket, "key": file.key, "etag": file.etag},
                "rows": [],
            },
        )
        first = receipt["rows"][0] if receipt["rows"] else None
        if first is not None and (
            first["currency"] != values["currency"]
            or first["sold_at"] != values["sold_at"]
            or (first.get("original_order") or "") != (values.get("original_order") or "")
        ):
            problems.append(
                {
                    "row": row_number,
                    "field": "transaction_id",
                    "message": "rows of one transaction differ in sold_at, currency or original_order",
                }
            )
            continue
        if any(r["line_number"] == values["line_number"] for r in receipt["rows"]):
            problems.append(
                {"row": row_number, "field": "line_number", "message": "line number repeated in the transaction"}
            )
            continue
        receipt["rows"].append(
            {
                "row_number": row_number,
                **{
                    c: values.get(c) or None
                    for c in COLUMNS
                    if c not in ("store_id", "transaction_id", "business_date")
                },
            }
        )
        if kind == RETURN:
            result.return_rows += 1
        else:
            result.sale_rows += 1
    if problems:
        raise PosFileRejected(f"{len(problems)} problem(s) in {file.key}; nothing was imported", details=problems)
    result.receipts = list(receipts.values())
    return result


def _check_row(
    row_number: int, values: dict[str, str], kind: str, time_zones: Mapping[str, str], default_time_zone: str | None
) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def problem(name: str, message: str) -> None:
        problems.append({"row": row_number, "field": name, "message": message})

    if kind not in RECEIPT_TYPES:
        problem("transaction_type", f"{kind!r} is not SALE, RETURN or VOID")
    for name in sorted(REQUIRED - {"transaction_type"}):
        if not values.get(name):
            problem(name, "required")
    if problems:
        return problems
    original = values.get("original_order")
    if original and (kind != RETURN or not ORIGINAL_ORDER.match(original)):
        problem(
            "original_order",
            "only a RETURN row names an original order, as <channel>:<channel order id> with channel one of "
            + ", ".join(ONLINE_CHANNELS),
        )
    zone = time_zones.get(values["store_id"]) or default_time_zone
    if not zone:
        problem("store_id", f"no time zone is configured for store {values['store_id']!r}")
    else:
        try:
            to_utc(values["sold_at"], zone)
        except ValueError as exc:
            problem("sold_at", str(exc))
    try:
        date.fromisoformat(values["business_date"])
    except ValueError:
        problem("business_date", f"{values['business_date']!r} is not YYYY-MM-DD")
    for name, check in (
        ("quantity", lambda v: _quantity(v)),
        ("unit_price", lambda v: _decimal(v, "unit_price")),
        ("discount", lambda v: _decimal(v, "discount")),
        ("tax", lambda v: _decimal(v, "tax")),
    ):
        try:
            check(values.get(name) or "")
        except ValueError as exc:
            problem(name, str(exc))
    try:
        PosRow.model_validate({"row_number": row_number, **values})
        PosReceipt.model_validate(
            {
                "store_id": values["store_id"],
                "transaction_id": values["transaction_id"],
                "time_zone": zone or "UTC",
                "rows": [{"row_number": row_number, **values}],
            }
        )
    except ValidationError as exc:
        for detail in field_errors(exc):
            problem(detail["field"].split(".")[-1], detail["message"])
    return problems


@contextmanager
def _poison_unless_canonical(what: str) -> Iterator[None]:
    """A receipt that cannot be read (a bad number or time) or does not fit the canonical model never
    will: poison, with the rows' problem or the model's field errors."""
    try:
        with poison_in_worker(f"{what} does not fit the canonical model"):
            yield
    except ValueError as exc:
        raise NormalizationError(f"{what} cannot be read", details=[{"field": "rows", "message": str(exc)}]) from exc


def order_from_receipt(receipt: PosReceipt) -> Order:
    """A checked receipt -> canonical Order, its time in UTC."""
    lines: list[OrderLine] = []
    with _poison_unless_canonical("POS sale"):
        placed_at = to_utc(receipt.rows[0].sold_at, receipt.time_zone)
        currency = receipt.rows[0].currency
        for row in receipt.rows:
            discount, tax = _decimal(row.discount, "discount"), _decimal(row.tax, "tax")
            unit_price = _decimal(row.unit_price, "unit_price")
            if unit_price is None:
                raise ValueError(f"row {row.row_number}: unit_price is required")
            lines.append(
                OrderLine(
                    line_id=row.line_number,
                    sku=row.sku,
                    quantity=_quantity(row.quantity),
                    unit_price=Money(amount=unit_price, currency=row.currency),
                    discount=Money(amount=discount, currency=row.currency) if discount is not None else None,
                    tax=Money(amount=tax, currency=row.currency) if tax is not None else None,
                    title=row.description,
                )
            )
        return Order(
            channel=CHANNEL,
            channel_order_id=f"{receipt.store_id}-{receipt.transaction_id}",
            placed_at=placed_at,
            currency=currency,
            lines=lines,
            fulfilment_location_id=receipt.store_id,
            source_updated_at=placed_at,
        )


def store_return_from_receipt(receipt: PosReceipt) -> StoreReturn:
    """A checked RETURN receipt -> canonical StoreReturn at the store, its time in UTC."""
    with _poison_unless_canonical("POS return"):
        returned_at = to_utc(receipt.rows[0].sold_at, receipt.time_zone)
        currency = receipt.rows[0].currency
        lines: list[ReturnLine] = []
        total = Decimal("0")
        for row in receipt.rows:
            unit_price = _decimal(row.unit_price, "unit_price")
            if unit_price is None:
                raise ValueError(f"row {row.row_number}: unit_price is required")
            quantity = _quantity(row.quantity)
            refund = unit_price * quantity - (_decimal(row.discount, "discount") or 0) + (_decimal(row.tax, "tax") or 0)
            total += refund
            lines.append(
                ReturnLine(
                    line_id=row.line_number,
                    sku=row.sku,
                    quantity=quantity,
                    refund_amount=Money(amount=refund, currency=row.currency),
                )
            )
        original = ORIGINAL_ORDER.match(receipt.rows[0].original_order or "")
        return StoreReturn(
            channel=CHANNEL,
            order_channel=original.group(1) if original else None,
            channel_order_id=original.group(2) if original else None,
            return_id=f"{receipt.store_id}-{receipt.transaction_id}",
            location_id=receipt.store_id,
            status=RETURN_STATUS,
            returned_at=returned_at,
            amount=Money(amount=total, currency=currency),
            lines=lines,
        )


@register
class PosCsvAdapter(PullChannelAdapter):
    source = "pos_csv"
    arrives_by = "nightly CSV files in the POS files bucket"

    def describe_pulled(self, payload: dict[str, Any]) -> DeliveryInfo:
        receipt = validate_at_edge(PosReceipt, payload, "POS receipt")
        try:
            occurred_at = to_utc(receipt.rows[0].sold_at, receipt.time_zone)
        except ValueError as exc:
            raise ValidationFailed(
                "POS receipt time", details=[{"field": "rows.0.sold_at", "message": str(exc)}]
            ) from exc
        is_return = receipt.transaction_type == RETURN
        return DeliveryInfo(
            delivery_id=f"{receipt.store_id}/{receipt.transaction_id}" + ("/return" if is_return else ""),
            event_type=RETURN_EVENT_TYPE if is_return else EVENT_TYPE,
            domain="orders",
            occurred_at=occurred_at,
        )

    def normalize(self, envelope: Envelope, enrich: Any | None = None) -> list[CanonicalCommand]:
        receipt = validate_for_worker(PosReceipt, payload_of(envelope), "POS receipt")
        if receipt.transaction_type == RETURN:
            return [store_return_from_receipt(receipt)]
        return [order_from_receipt(receipt)]
