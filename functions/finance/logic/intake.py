"""What arrives on the finance queue, turned into the payout to settle.

Messages (JSON bodies):
- `{"channel": "amazon", "report_ref": "<s3 key>"}` or `{"channel": "amazon", "report": "<text>"}`:
  a V2 settlement report, by reference when large (the poller stores it in the payload bucket, the
  claim check the webhook edge uses, so an SQS message stays under 256 KB);
- `{"channel": "shopify", "payout": {...}, "transactions": [...]}`: a payout and its balance
  transactions as the REST Admin API answers them, or `{"channel": "shopify", "payout_ref": <key>}`
  for that document in the payload bucket (what the poller sends);
- `{"channel": "...", "payout_id": "..."}`: settle a stored payout again (an ops retry of a
  settlement exception puts exactly this back, tagged with the exception's id).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from functions.finance.adapters.amazon_settlement import parse_settlement_report
from functions.finance.adapters.shopify_payouts import payout_from_shopify
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
    if channel == "shopify" and ("payout" in message or "payout_ref" in message):
        document = message if "payout" in message else json.loads(read_report(str(message["payout_ref"])))
        return payout_from_shopify(document["payout"], list(document.get("transactions") or []))
    if "payout_id" in message:
        payout = store.get_payout(channel, str(message["payout_id"]))
        if payout is None:
            raise NotFound(f"no stored {channel} payout {message['payout_id']}")
        return payout
    raise ValidationFailed(f"finance message for {channel} carries no report, payout or payout_id")
