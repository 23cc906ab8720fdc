"""The local eBay notification signing key: a fixed ECDSA P-256 key pair, for tests and the local stack only.

eBay signs each push notification with ECDSA and names the key in the ``kid`` of the base64 JSON
``X-EBAY-SIGNATURE`` header; the receiver fetches the public half with the Notification API's
``GET /commerce/notification/v1/public_key/{public_key_id}``, which answers ``{"algorithm": "ECDSA",
"digest": "SHA1", "key": "<PEM>"}`` (https://developer.ebay.com/api-docs/commerce/notification/
resources/public_key/methods/getPublicKey). The eBay sandbox (``local/sandboxes/ebay.py``) serves
``PUBLIC_KEY_PEM`` under ``PUBLIC_KEY_ID``; ``local/signing.py`` signs fixtures with
``PRIVATE_KEY_PEM``. This key protects nothing: it is published here on purpose.
"""

from __future__ import annotations

PUBLIC_KEY_ID = "local-ebay-notification-key-1"
ALGORITHM = "ECDSA"
DIGEST = "SHA1"

PRIVATE_KEY_PEM = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTjWFQcjYOqJJkdPZ
piHC5y1jteJK/b84Vs7kTgwr04ShRANCAASS+Vz1RwOcpmtekNQ0WndxZJf9J1nr
rO2hgAm77QR9deioSbpC3z7hjHeH5/Niq8G0DQvD1OBZFLnnMGTTuw1B
-----END PRIVATE KEY-----
"""

PUBLIC_KEY_PEM = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEkvlc9UcDnKZrXpDUNFp3cWSX/SdZ
66ztoYAJu+0EfXXoqEm6Qt8+4Yx3h+fzYqvBtA0Lw9TgWRS55zBk07sNQQ==
-----END PUBLIC KEY-----
"""


def public_key_response() -> dict[str, str]:
    """What getPublicKey answers for ``PUBLIC_KEY_ID``."""
    return {"algorithm": ALGORITHM, "digest": DIGEST, "key": PUBLIC_KEY_PEM}


# The names the eBay webhook adapter's helpers use (local/signing.py).
TEST_KEY_ID = PUBLIC_KEY_ID
TEST_PRIVATE_KEY_PEM = PRIVATE_KEY_PEM
TEST_PUBLIC_KEY_PEM = PUBLIC_KEY_PEM


def __getattr__(name: str) -> object:
    # `EbayKeysSandbox` is the eBay sandbox (local/sandboxes/ebay.py), which serves these keys;
    # resolved lazily because that module imports the keys from here.
    if name == "EbayKeysSandbox":
        from local.sandboxes.ebay import EbaySandbox

        return EbaySandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
