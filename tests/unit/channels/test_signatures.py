"""Signature schemes: what verifies, what is refused, and that signing and verifying agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from local.signing import sign_hmac_t_v1, sign_shopify, sign_square
from shared.channels.signatures import parse_t_v1, verify_base64_hmac, verify_t_v1
from shared.errors import SignatureInvalid, TimestampStale

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
BODY = b'{"event_id":"e1","event_type":"inventory.adjusted"}'
secrets = st.text(min_size=1, max_size=64).filter(lambda s: s.strip() != "")


def test_t_v1_signature_within_the_window_verifies() -> None:
    verify_t_v1(sign_hmac_t_v1(BODY, "s3cret", T - 299), BODY, "s3cret", NOW)


def test_t_v1_signature_older_than_300_seconds_is_stale() -> None:
    with pytest.raises(TimestampStale, match="301 s old"):
        verify_t_v1(sign_hmac_t_v1(BODY, "s3cret", T - 301), BODY, "s3cret", NOW)


def test_t_v1_signature_more_than_300_seconds_in_the_future_is_refused() -> None:
    with pytest.raises(TimestampStale, match="in the future"):
        verify_t_v1(sign_hmac_t_v1(BODY, "s3cret", T + 301), BODY, "s3cret", NOW)


def test_a_forged_stale_request_is_reported_as_a_bad_signature_not_as_stale() -> None:
    forged = sign_hmac_t_v1(BODY, "other", T - 3600)
    with pytest.raises(SignatureInvalid):
        verify_t_v1(forged, BODY, "s3cret", NOW)


def test_t_v1_accepts_any_of_several_signatures_during_a_secret_rotation() -> None:
    old = sign_hmac_t_v1(BODY, "old-secret", T)
    new = sign_hmac_t_v1(BODY, "new-secret", T)
    both = f"{old},v1={new.split('v1=')[1]}"
    verify_t_v1(both, BODY, "new-secret", NOW)


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=00", "t=123", "v1=abcd", "t=1,v1="])
def test_missing_or_malformed_x_signature_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureInvalid):
        verify_t_v1(header, BODY, "s3cret", NOW)


def test_parse_t_v1_reads_the_timestamp_and_every_v1() -> None:
    assert parse_t_v1("t=5, v1=AA ,v1=bb,v0=cc") == (5, ["aa", "bb"])


def test_base64_hmac_refuses_a_header_that_is_not_base64() -> None:
    with pytest.raises(SignatureInvalid, match="not base64"):
        verify_base64_hmac("not*base64!", "k", BODY, "X-Shopify-Hmac-Sha256")


@given(body=st.binary(max_size=2048), secret=secrets)
def test_shopify_signature_round_trips_and_any_tampering_fails(body: bytes, secret: str) -> None:
    signature = sign_shopify(body, secret)
    verify_base64_hmac(signature, secret, body, "X-Shopify-Hmac-Sha256")
    with pytest.raises(SignatureInvalid):
        verify_base64_hmac(signature, secret, body + b" ", "X-Shopify-Hmac-Sha256")


@given(body=st.binary(max_size=2048), key=secrets, path=st.from_regex(r"/[a-z0-9/]{0,30}", fullmatch=True))
def test_square_signature_covers_the_notification_url_as_well_as_the_body(body: bytes, key: str, path: str) -> None:
    url = f"https://api.example.com{path}"
    signature = sign_square(url, body, key)
    verify_base64_hmac(signature, key, url.encode() + body, "x-square-hmacsha256-signature")
    with pytest.raises(SignatureInvalid):
        verify_base64_hmac(signature, key, (url + "x").encode() + body, "x-square-hmacsha256-signature")


@given(body=st.binary(max_size=2048), secret=secrets, age=st.integers(min_value=-300, max_value=300))
def test_t_v1_signature_round_trips_inside_the_window(body: bytes, secret: str, age: int) -> None:
    header = sign_hmac_t_v1(body, secret, T - age)
    verify_t_v1(header, body, secret, NOW)
    with pytest.raises(SignatureInvalid):
        verify_t_v1(header, body + b"x", secret, NOW)
    with pytest.raises(SignatureInvalid):
        verify_t_v1(header, body, secret + "x", NOW)


@given(age=st.integers(min_value=301, max_value=10**7), sign=st.sampled_from([1, -1]))
def test_t_v1_refuses_every_timestamp_outside_the_window(age: int, sign: int) -> None:
    header = sign_hmac_t_v1(BODY, "s3cret", T - sign * age)
    with pytest.raises(TimestampStale):
        verify_t_v1(header, BODY, "s3cret", NOW + timedelta(0))
