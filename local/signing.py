"""Sign webhook bodies the way each vendor does (the demo, the tests and curl users share this).

sign_shopify(body, secret)                  -> X-Shopify-Hmac-Sha256 value
sign_square(notification_url, body, key)    -> x-square-hmacsha256-signature value
sign_hmac_t_v1(body, secret, t)             -> X-Signature value (wms, pos, erp)
signed_headers("shopify", body, ...)        -> every header a delivery needs, signature included
fixture_request("shopify/orders_create")    -> (body bytes, signed headers) for an events/ fixture
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from shared.channels.signatures import hmac_sha256_base64, sign_t_v1

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"
OWN_SYSTEMS = ("wms", "pos", "erp")
DEFAULT_BASE_URL = "http://127.0.0.1:3000"


def local_secret(source: str) -> str:
    """The local stack's secret for a source (CONTRACT.md: `local-<source>-secret`)."""
    return f"local-{source}-secret"


def sign_shopify(body: bytes, secret: str) -> str:
    return hmac_sha256_base64(secret, body)


def sign_square(notification_url: str, body: bytes, key: str) -> str:
    return hmac_sha256_base64(key, notification_url.encode("utf-8") + body)


def sign_hmac_t_v1(body: bytes, secret: str, t: int | None = None) -> str:
    return sign_t_v1(body, secret, int(time.time()) if t is None else t)


def endpoint_url(source: str, base_url: str = DEFAULT_BASE_URL) -> str:
    return f"{base_url.rstrip('/')}/v1/webhooks/{source}"


def signed_headers(
    source: str,
    body: bytes,
    *,
    secret: str | None = None,
    headers: dict[str, str] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    t: int | None = None,
) -> dict[str, str]:
    """`headers` (topic, delivery id, ...) plus Content-Type and the source's signature header."""
    key = secret if secret is not None else local_secret(source)
    out = {"Content-Type": "application/json", **(headers or {})}
    if source == "shopify":
        out["X-Shopify-Hmac-Sha256"] = sign_shopify(body, key)
    elif source == "square":
        out["x-square-hmacsha256-signature"] = sign_square(endpoint_url(source, base_url), body, key)
    elif source in OWN_SYSTEMS:
        out["X-Signature"] = sign_hmac_t_v1(body, key, t)
    else:
        raise ValueError(f"no signing scheme for source {source!r}")
    return out


def fixture_request(
    name: str, *, secret: str | None = None, base_url: str = DEFAULT_BASE_URL, t: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """Body and signed headers for `events/<source>/<case>.json` (+ `<case>.headers.json` if present)."""
    source = name.split("/", 1)[0]
    body = (EVENTS_DIR / f"{name}.json").read_bytes()
    headers_path = EVENTS_DIR / f"{name}.headers.json"
    headers = json.loads(headers_path.read_text()) if headers_path.is_file() else {}
    return body, signed_headers(source, body, secret=secret, headers=headers, base_url=base_url, t=t)
