"""Signature schemes shared by the channel adapters (and by `local/signing.py`, which signs).

Every comparison is constant-time (`hmac.compare_digest`) and runs on bytes computed from the
raw request body, never on re-serialized JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime

from shared.errors import SignatureInvalid, TimestampStale

DEFAULT_TOLERANCE_SECONDS = 300


def hmac_sha256(key: str, message: bytes) -> bytes:
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()


def hmac_sha256_base64(key: str, message: bytes) -> str:
    return base64.b64encode(hmac_sha256(key, message)).decode("ascii")


def hmac_sha256_hex(key: str, message: bytes) -> str:
    return hmac_sha256(key, message).hex()


def verify_base64_hmac(header_value: str | None, key: str, message: bytes, header_name: str) -> None:
    """Shopify, Square, Loop: the header is base64(HMAC-SHA256(key, message))."""
    if not header_value:
        raise SignatureInvalid(f"missing {header_name} header")
    try:
        received = base64.b64decode(header_value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid(f"{header_name} is not base64") from exc
    if not hmac.compare_digest(received, hmac_sha256(key, message)):
        raise SignatureInvalid(f"{header_name} does not match the body")


def sign_t_v1(body: bytes, secret: str, timestamp: int) -> str:
    """The `X-Signature` value of the retailer's own systems: `t=<unix>,v1=<hex>`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return f"t={timestamp},v1={hmac_sha256_hex(secret, signed)}"


def parse_t_v1(header_value: str) -> tuple[int, list[str]]:
    """`t=<unix>,v1=<hex>[,v1=<hex>...]` -> (t, [hex...]); several v1 allow a secret rotation."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header_value.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError as exc:
                raise SignatureInvalid("X-Signature timestamp is not an integer") from exc
        elif name == "v1" and value:
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise SignatureInvalid("X-Signature must be t=<unix>,v1=<hex>")
    return timestamp, signatures


def verify_t_v1(
    header_value: str | None,
    body: bytes,
    secret: str,
    now: datetime,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    header_name: str = "X-Signature",
) -> None:
    """Check `t=,v1=`: hex HMAC-SHA256 of `"<t>.<body>"`, t within `tolerance_seconds` of now.

    The signature is checked before the timestamp, so a forged request is always
    SIGNATURE_INVALID and only a genuine but replayed (or clock-skewed) one is TIMESTAMP_STALE.
    Timestamps in the future beyond the tolerance are refused as well.
    """
    if not header_value:
        raise SignatureInvalid(f"missing {header_name} header")
    timestamp, candidates = parse_t_v1(header_value)
    expected = hmac_sha256_hex(secret, str(timestamp).encode("ascii") + b"." + body)
    # Compare every candidate (no early exit) so timing does not reveal which one matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(candidate.encode("ascii", "replace"), expected.encode("ascii"))
    if not matched:
        raise SignatureInvalid(f"{header_name} does not match the body")
    check_timestamp(f"{header_name} timestamp", timestamp, now, tolerance_seconds)


def check_timestamp(what: str, sent_at: float, now: datetime, tolerance_seconds: int) -> None:
    """TimestampStale when `sent_at` (epoch seconds) is more than `tolerance_seconds` from now, either way."""
    skew = now.timestamp() - sent_at
    if abs(skew) > tolerance_seconds:
        raise TimestampStale(
            f"{what} is {int(abs(skew))} s {'old' if skew > 0 else 'in the future'} (tolerance {tolerance_seconds} s)"
        )
