"""What arrives on the finance queue, turned into the payout to settle.

Messages (JSON bodies):
- `{"channel": "amazon", "report_ref": "<s3 key>"}` or `{"channel": "amazon", "report": "<text>"}`:
  a V2 settlement report, by reference when large (the poller stores it in the payload bucket, the
  claim check the webhook edge uses, so an SQS message stays under 256 KB);
- `{"channel": "shopify", "payout": {...}, "transactions": [...]}`: a payout and its balance
  transactions as the REST Admin API answers them, or `{"channel": "shopify", "payout_ref": <key>}`
  for that document in the payload bucket (what the poller sends);
- `{"channel": "walmart" | "ebay" | "square", "payout_ref": <key>}`: the document the settlement poller
  stored for a Walmart recon report (`{"report_date", "recon": {"reportData": [...]}}`), an eBay payout
  (`{"payout", "transactions"}`) or a Square payout (`{"payout", "entries", "orders"}`); the same
  document may also come inline (its keys beside `channel`);
- `{"channel": "...", "payout_id": "..."}`: settle a stored payout again (an ops retry of a
  settlement exception puts exactly this back, tagged with the exception's id).

Each channel's parser is imported with its first document (a worker builds only the vendor models it
reads).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from functions.finance.adapters.amazon_settlement import parse_settlement_report
from functions.finance.logic.settle import PayoutStore
from shared.errors import NotFound, ValidationFailed
from shared.models.settlement import Payout


def payout_of(body: str, store: PayoutStore, read_report: Callable[[str], str]) -> Payout:
    try:
        message: Any = json.loads(body)
    except ValueError:
        raise ValidationFailed("finance message is not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("channel"), str):
        raise ValidationFailed("finance message names no channel")
    channel = message["channel"]
    if "report_ref" in message or "report" in message:
        text = message.get("report") or read_report(str(message["report_ref"]))
        return parse_settlement_report(str(text), channel=channel)
    inline = DOCUMENT_KEYS.get(channel)
    if inline is not None and (inline in message or "payout_ref" in message):
        document = message if inline in message else json.loads(read_report(str(message["payout_ref"])))
        if not isinstance(document, dict) or inline not in document:
            raise ValidationFailed(f"the {channel} payout document has no {inline!r}")
        return payout_from_document(channel, document)
    if "payout_id" in message:
        payout = store.get_payout(channel, str(message["payout_id"]))
        if payout is None:
            raise NotFound(f"no stored {channel} payout {message['payout_id']}")
        return payout
    raise ValidationFailed(f"finance message for {channel} carries no report, payout or payout_id")


# The key that marks a channel's payout document (and tells it from a stored payout's id).
DOCUMENT_KEYS = {"shopify": "payout", "ebay": "payout", "square": "payout", "walmart": "recon"}


def payout_from_document(channel: str, document: dict[str, Any]) -> Payout:
    if channel == "shopify":
        from functions.finance.adapters.shopify_payouts import payout_from_shopify

        return payout_from_shopify(document["payout"], list(document.get("transactions") or []))
    if channel == "ebay":
        from functions.finance.adapters.ebay_finances import payout_from_ebay

        return payout_from_ebay(document["payout"], list(document.get("transactions") or []))
    if channel == "square":
        from functions.finance.adapters.square_payouts import payout_from_square

        orders = document.get("orders") or {}
        return payout_from_square(document["payout"], list(document.get("entries") or []), dict(orders))
    if channel == "walmart":
        from functions.finance.adapters.walmart_recon import payout_from_walmart_recon

        if not isinstance(document.get("report_date"), str):
            raise ValidationFailed("a Walmart recon document names no report_date")
        return payout_from_walmart_recon(document["recon"], document["report_date"])
    raise ValidationFailed(f"no payout document parser for channel {channel}")
