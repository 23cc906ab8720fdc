"""`GET /v1/ops/returns/{source}/{source_return_id}` (CONTRACT.md, "Returns (ReturnFlow)").

The return is the returns domain's state-table item `RETURNCASE#<source>:<source_return_id>` /
`RETURNCASE` (functions/returns/dal/return_store.py documents it); ops reads it by that key, as it
reads orders by theirs, and answers the contract's view: the return, its lines with their
disposition (`null` until inspected) and its refund (status, amount as a decimal string in its
currency, the ERP credit memo and the channel refund once written), and (an extension) the
exchange's replacement order (`exchange`, null without one). Nothing here writes.
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.errors import NotFound, ValidationFailed

MAX_ID = 128


class ReturnReader(Protocol):
    def get_return(self, return_key: str) -> dict[str, Any] | None:
        """The stored return item (plain values), or None."""
        ...


def return_key(source: str, source_return_id: str) -> str:
    for field, value in (("source", source), ("source_return_id", source_return_id)):
        if not value or len(value) > MAX_ID:
            raise ValidationFailed(
                f"{field} must be 1 to {MAX_ID} characters", details=[{"field": field, "message": value[:64]}]
            )
    return f"{source}:{source_return_id}"


def return_view(item: dict[str, Any]) -> dict[str, Any]:
    refund = item.get("refund") or {}
    return {
        "return_id": item["return_key"],
        "source": item["source"],
        "source_return_id": item["source_return_id"],
        "channel": item["channel"],
        "channel_order_id": item["channel_order_id"],
        "order_id": item.get("order_id"),
        "status": item["status"],
        "correlation_id": item["correlation_id"],
        "lines": [
            {"sku": line["sku"], "quantity": int(line["quantity"]), "disposition": line.get("disposition")}
            for line in item.get("lines") or []
        ],
        "refund": {
            "status": refund.get("status"),
            "amount": None if refund.get("amount") is None else str(refund["amount"]),
            "currency": refund.get("currency"),
            "erp_credit_memo_id": refund.get("erp_credit_memo_id"),
            "channel_refund_id": refund.get("channel_refund_id"),
        },
        "exchange": _exchange_view(item.get("replacement"), refund.get("exchange_credit")),
        "rejected_reasons": list(item.get("rejected_reasons") or []),
        "exception_reason": item.get("exception_reason"),
        "updated_at": item.get("updated_at"),
    }


def _exchange_view(replacement: dict[str, Any] | None, credit: Any) -> dict[str, Any] | None:
    """The replacement order an exchange ships (null: no unit exchanged, or not inspected yet)."""
    if not replacement:
        return None
    units: dict[str, int] = {}
    for line in replacement.get("lines") or []:
        sku = str(line["item"]["sku"])
        units[sku] = units.get(sku, 0) + 1
    return {
        "order_id": replacement["order_id"],
        "channel": replacement["channel"],
        "channel_order_id": replacement["channel_order_id"],
        "status": "ORDERED" if replacement.get("sent") else "PENDING",
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in units.items()],
        "credit": None if credit is None else str(credit),
    }


def get_return(source: str, source_return_id: str, reader: ReturnReader) -> dict[str, Any]:
    key = return_key(source, source_return_id)
    item = reader.get_return(key)
    if item is None:
        raise NotFound(f"no return {key}")
    return return_view(item)
