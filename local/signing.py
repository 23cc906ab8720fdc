"""Sign webhook bodies the way each vendor does (the demo, the tests and curl users share this).

sign_shopify(body, secret)                  -> X-Shopify-Hmac-Sha256 value
sign_square(notification_url, body, key)    -> x-square-hmacsha256-signature value
sign_hmac_t_v1(body, secret, t)             -> X-Signature value (wms, pos, erp)
sign_loop(body, secret)                     -> X-Loop-Signature value
sign_walmart(method, path, ts, body, s)     -> WM_SEC.SIGNATURE value (WM_SEC.TIMESTAMP = ts, epoch seconds)
sign_ebay(body, private_key_pem, kid)       -> X-EBAY-SIGNATURE value (the eBay key sandbox's key by default)
signed_headers("shopify", body, ...)        -> every header a delivery needs, signature included
fixture_request("shopify/orders_create")    -> (body bytes, signed headers) for an events/ fixture

`base_url` is the public base the vendor calls, path included: behind API Gateway's default URL it
holds the stage (`https://<api>.execute-api.<region>.amazonaws.com/dev`), and Square's URL and
Walmart's signed path are taken from it, as the vendors sign what they call.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from shared.channels.signatures import hmac_sha256_base64, sign_t_v1
from shared.channels.walmart import sign_walmart

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


def sign_loop(body: bytes, secret: str) -> str:
    return hmac_sha256_base64(secret, body)


def sign_ebay(body: bytes, private_key_pem: str | None = None, kid: str | None = None) -> str:
    """eBay's header: base64 JSON {alg, kid, signature (DER, base64), digest} over the raw body."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from local.sandboxes.ebay_keys import TEST_KEY_ID, TEST_PRIVATE_KEY_PEM

    key = load_pem_private_key((private_key_pem or TEST_PRIVATE_KEY_PEM).encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signature = base64.b64encode(key.sign(body, ec.ECDSA(hashes.SHA1()))).decode()
    header = {"alg": "ecdsa", "kid": kid or TEST_KEY_ID, "signature": signature, "digest": "SHA1"}
    return base64.b64encode(json.dumps(header).encode()).decode()


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
    elif source == "loop":
        out["X-Loop-Signature"] = sign_loop(body, key)
    elif source == "walmart":
        # Walmart's WM_SEC.TIMESTAMP is Unix epoch seconds; the signed path is the one it calls.
        seconds = int(time.time()) if t is None else t
        path = urlsplit(endpoint_url(source, base_url)).path
        out["WM_SEC.TIMESTAMP"] = str(seconds)
        out["WM_SEC.SIGNATURE"] = sign_walmart("POST", path, seconds, body, key)
    elif source == "ebay":
        out["X-EBAY-SIGNATURE"] = sign_ebay(body)
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
