"""The vendors' token grants: one function per vendor that asks its token endpoint for an access token.

Each follows the vendor's own page (found with the search tool):

- Amazon SP-API, Login with Amazon: ``POST https://api.amazon.com/auth/o2/token`` (form
  ``grant_type=refresh_token``, ``refresh_token``, ``client_id``, ``client_secret``) answers
  ``{"access_token": "Atza|...", "token_type": "bearer", "expires_in": 3600, "refresh_token"}``;
  "An LWA access token expires one hour after it is issued" (developer-docs.amazon.com, "Connect to the
  SP-API"; developer.amazon.com/docs/login-with-amazon/access-token.html).
- Walmart Marketplace: ``POST /v3/token`` with ``Authorization: Basic base64(client_id:client_secret)``,
  ``WM_SVC.NAME``, ``WM_QOS.CORRELATION_ID`` (a new GUID), ``Accept: application/json``, form
  ``grant_type=client_credentials``; the token lives "15 minutes (900 seconds)" and calls send it in
  ``WM_SEC.ACCESS_TOKEN`` (developer.walmart.com/us-marketplace/reference, "Token API").
- Zalando zDirect: ``POST /auth/token`` with Basic client id:secret, form
  ``grant_type=client_credentials&scope=access_token_only``; "When your access token expires or is
  invalidated, request a new access token" (developers.merchants.zalando.com/docs/requesting-access-token.html,
  docs/auth.html). Production allows 8 token requests a minute: caching is not optional.
- eBay: ``POST /identity/v1/oauth2/token`` with Basic client id:secret, form ``grant_type=refresh_token``,
  ``refresh_token``, ``scope`` (a seller's user token, 7200 s).
- NetSuite REST (the ERP), OAuth 2.0 client credentials (machine to machine):
  ``POST /services/rest/auth/oauth2/v1/token`` with form ``grant_type=client_credentials``,
  ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`` and
  ``client_assertion``: a JWT whose header is ``{"typ": "JWT", "alg": "PS256", "kid": <certificate id>}``
  and whose payload is ``{"iss": <client id>, "scope": ["rest_webservices"], "aud": <token URL>,
  "iat", "exp"}`` (at most an hour), signed with the private half of the certificate registered in
  "OAuth 2.0 Client Credentials (M2M) Setup" (Oracle NetSuite help, "POST Request to the Token Endpoint
  and the Access Token Response", section_162755359851.html; "Using SuiteScript with OAuth 2.0",
  section_0312092247.html). The answer is ``{"access_token", "expires_in": "3600", "token_type": "bearer"}``.

A 400 or 401 from a token endpoint (``invalid_client``, ``invalid_grant``) is `CredentialsRejected`;
429, 5xx and timeouts are `TokenEndpointUnavailable`.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from shared.adapters.tokens import CredentialsRejected, Grant, TokenEndpointUnavailable

if TYPE_CHECKING:
    import httpx

WALMART_TOKEN_PATH = "/v3/token"
ZALANDO_TOKEN_PATH = "/auth/token"
EBAY_TOKEN_PATH = "/identity/v1/oauth2/token"
NETSUITE_TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
NETSUITE_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NETSUITE_SCOPES = ["rest_webservices"]
NETSUITE_ASSERTION_SECONDS = 300  # NetSuite accepts at most 3600
WALMART_SERVICE_NAME = "Walmart Marketplace"
TOKEN_TIMEOUT_SECONDS = 10.0


def _post_token(vendor: str, url: str, client: httpx.Client | None, **kwargs: Any) -> Grant:
    own = client is None
    import httpx  # with the first token, not at import

    http = client or httpx.Client(timeout=TOKEN_TIMEOUT_SECONDS)
    try:
        response = http.post(url, **kwargs)
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        raise TokenEndpointUnavailable(f"{vendor} token endpoint: {exc.__class__.__name__}") from exc
    finally:
        if own:
            http.close()
    if response.status_code == 429 or response.status_code >= 500:
        raise TokenEndpointUnavailable(f"{vendor} token endpoint answered {response.status_code}")
    if response.status_code >= 400:
        raise CredentialsRejected(
            f"{vendor} refused our credentials ({response.status_code} {response.text[:300]}): "
            "check the client id, secret and refresh token in the vendor secret"
        )
    try:
        body = response.json()
        return Grant(access_token=str(body["access_token"]), expires_in=float(body["expires_in"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise CredentialsRejected(f"{vendor} token endpoint answered without access_token/expires_in") from exc


def _basic(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


def lwa_grant(
    token_url: str, client_id: str, client_secret: str, refresh_token: str, client: httpx.Client | None = None
) -> Grant:
    """A Login with Amazon access token for SP-API, from the seller's refresh token."""
    return _post_token(
        "Amazon LWA",
        token_url,
        client,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        },
        headers={"Accept": "application/json"},
    )


def walmart_grant(base_url: str, client_id: str, client_secret: str, client: httpx.Client | None = None) -> Grant:
    """A Walmart Marketplace access token (client credentials)."""
    return _post_token(
        "Walmart",
        base_url.rstrip("/") + WALMART_TOKEN_PATH,
        client,
        data={"grant_type": "client_credentials"},
        headers={
            "Authorization": _basic(client_id, client_secret),
            "WM_SVC.NAME": WALMART_SERVICE_NAME,
            "WM_QOS.CORRELATION_ID": uuid.uuid4().hex,
            "Accept": "application/json",
        },
    )


def zalando_grant(base_url: str, client_id: str, client_secret: str, client: httpx.Client | None = None) -> Grant:
    """A zDirect access token (client credentials, no refresh token)."""
    return _post_token(
        "Zalando",
        base_url.rstrip("/") + ZALANDO_TOKEN_PATH,
        client,
        data={"grant_type": "client_credentials", "scope": "access_token_only"},
        headers={"Authorization": _basic(client_id, client_secret), "Accept": "application/json"},
    )


def ebay_user_grant(
    base_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    scope: str,
    client: httpx.Client | None = None,
) -> Grant:
    """An eBay user access token for ``scope``, from the seller's refresh token."""
    return _post_token(
        "eBay",
        base_url.rstrip("/") + EBAY_TOKEN_PATH,
        client,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": scope},
        headers={"Authorization": _basic(client_id, client_secret), "Accept": "application/json"},
    )


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def netsuite_client_assertion(
    token_url: str, client_id: str, certificate_id: str, private_key_pem: str, now: float | None = None
) -> str:
    """The PS256-signed JWT NetSuite's client credentials flow takes as ``client_assertion``."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    issued = int(time.time() if now is None else now)
    header = {"typ": "JWT", "alg": "PS256", "kid": certificate_id}
    payload = {
        "iss": client_id,
        "scope": NETSUITE_SCOPES,
        "aud": token_url,
        "iat": issued,
        "exp": issued + NETSUITE_ASSERTION_SECONDS,
    }
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except ValueError as exc:
        raise CredentialsRejected("the ERP private key is not a PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialsRejected("the ERP certificate key must be RSA (PS256)")
    # RFC 7518 3.5: PS256 is RSASSA-PSS with SHA-256, MGF1 SHA-256 and a 32-byte salt.
    signature = key.sign(
        signing_input.encode(), padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )
    return f"{signing_input}.{_b64url(signature)}"


def netsuite_grant(
    base_url: str, client_id: str, certificate_id: str, private_key_pem: str, client: httpx.Client | None = None
) -> Grant:
    """A NetSuite REST access token (OAuth 2.0 client credentials, JWT assertion)."""
    token_url = base_url.rstrip("/") + NETSUITE_TOKEN_PATH
    assertion = netsuite_client_assertion(token_url, client_id, certificate_id, private_key_pem)
    return _post_token(
        "NetSuite",
        token_url,
        client,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": NETSUITE_ASSERTION_TYPE,
            "client_assertion": assertion,
        },
        headers={"Accept": "application/json"},
    )
