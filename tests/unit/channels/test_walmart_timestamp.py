"""Walmart's `WM_SEC.TIMESTAMP` is Unix epoch seconds ("Security and authenticity", performance webhooks).

A delivery signed with the current time in seconds is accepted; the 300 s window holds both ways;
a millisecond value (recognised by its size) is read as milliseconds, inside the same window.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime

import pytest

from local.signing import fixture_request, signed_headers
from shared.channels.base import Headers, WebhookRequest
from shared.channels.registry import adapter_for
from shared.channels.walmart import timestamp_seconds
from shared.errors import SignatureInvalid, TimestampStale

SECRET = "wm-secret"
PATH = "/v1/webhooks/walmart"
BODY = fixture_request("walmart/po_created")[0]


def walmart_request(timestamp: str, body: bytes = BODY) -> WebhookRequest:
    """Signed by hand as Walmart's page says: base64(HMAC-SHA256(secret, METHOD\\nPATH\\nTS\\nsha256hex(body)))."""
    canonical = f"POST\n{PATH}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), canonical, hashlib.sha256).digest()).decode()
    headers = Headers({"WM_SEC.TIMESTAMP": timestamp, "WM_SEC.SIGNATURE": signature})
    return WebhookRequest(method="POST", path_with_query=PATH, body=body, headers=headers)


def verify(timestamp: str, now: datetime) -> None:
    adapter_for("walmart").verify(walmart_request(timestamp), SECRET, now)


def test_a_delivery_signed_now_in_epoch_seconds_is_accepted() -> None:
    now = datetime.now(UTC)
    verify(str(int(now.timestamp())), now)  # today's code read this as ms: "1.79 billion s old"


@pytest.mark.parametrize("offset", [-299, 299])
def test_seconds_within_300_s_either_way_are_accepted(offset: int) -> None:
    now = datetime.now(UTC)
    verify(str(int(now.timestamp()) + offset), now)


@pytest.mark.parametrize(("offset", "says"), [(-301, "old"), (301, "in the future")])
def test_seconds_beyond_300_s_either_way_are_stale(offset: int, says: str) -> None:
    now = datetime.now(UTC)
    with pytest.raises(TimestampStale, match=says):
        verify(str(int(now.timestamp()) + offset), now)


def test_a_millisecond_value_is_read_as_milliseconds_inside_the_same_window() -> None:
    now = datetime.now(UTC)
    verify(str(int(now.timestamp() * 1000)), now)
    with pytest.raises(TimestampStale):
        verify(str(int((now.timestamp() - 301) * 1000)), now)


def test_the_unit_is_chosen_by_magnitude() -> None:
    assert timestamp_seconds(1_796_285_000) == 1_796_285_000
    assert timestamp_seconds(1_796_285_000_123) == pytest.approx(1_796_285_000.123)


def test_a_timestamp_that_is_not_an_integer_is_refused_as_a_bad_signature() -> None:
    with pytest.raises(SignatureInvalid):
        verify("2026-12-03T08:00:00Z", datetime.now(UTC))


def test_local_signing_sends_seconds_as_walmart_does() -> None:
    before = int(time.time())
    headers = signed_headers("walmart", BODY, secret=SECRET)
    assert before <= int(headers["WM_SEC.TIMESTAMP"]) <= int(time.time())
    adapter_for("walmart").verify(
        WebhookRequest(method="POST", path_with_query=PATH, body=BODY, headers=Headers(headers)),
        SECRET,
        datetime.now(UTC),
    )
