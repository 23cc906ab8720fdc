"""Signed URLs and paths hold behind API Gateway's stage prefix and on a custom domain, with no setting.

Walmart signs "the request path with query string, exactly as received" and Square signs the
notification URL: both are what the vendor called. On the default execute-api URL that path holds
the stage (`/dev/v1/webhooks/walmart`); API Gateway's REST proxy event then carries `path` without it
and `requestContext.path` with it. On a custom domain (base path mapped to the stage) both are the
path the vendor sent. The events below are shaped as AWS sends them (tests/support/apigw.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from base64 import b64encode
from collections.abc import Iterator
from typing import Any

import pytest

from functions.ingest.adapters.memory import MemorySecrets
from functions.ingest.handlers import webhook
from local.signing import fixture_request
from tests.support.apigw import FakeLambdaContext, rest_event
from tests.unit.ingest.conftest import SECRETS, Fakes

EXECUTE_API = "abc123defg.execute-api.eu-west-1.amazonaws.com"
CUSTOM_DOMAIN = "hooks.retailer.example"
STAGE = "dev"
WALMART_SECRET = "test-walmart-secret"


@pytest.fixture(autouse=True)
def wired(fakes: Fakes) -> Iterator[Fakes]:
    fakes.secrets = MemorySecrets({**SECRETS, "walmart": WALMART_SECRET})
    fakes.webhook_base_url = None  # no setting: the URL comes from the request
    _wired.append(fakes)
    yield fakes
    _wired.clear()


_wired: list[Fakes] = []  # the fakes of the running test, passed as the handler's deps


def handle(event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = webhook.lambda_handler(event, FakeLambdaContext(), deps=_wired[-1].ports)
    return answer


def deliver(source: str, body: bytes, headers: dict[str, str], *, on: str, **kwargs: Any) -> int:
    """POST as the vendor would to `on` ("execute-api": the default URL with the stage, or "custom")."""
    on_execute_api = on == "execute-api"
    event = rest_event(
        "POST",
        f"/v1/webhooks/{source}",
        body=body,
        headers=headers,
        domain=EXECUTE_API if on_execute_api else CUSTOM_DOMAIN,
        stage=STAGE,
        stage_in_url=on_execute_api,
        **kwargs,
    )
    return int(handle(event)["statusCode"])


def public_base(on: str) -> str:
    return f"https://{EXECUTE_API}/{STAGE}" if on == "execute-api" else f"https://{CUSTOM_DOMAIN}"


def walmart_headers(path_with_query: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Signed by hand from Walmart's "Security and authenticity" page, not by local/signing.py."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    canonical = f"POST\n{path_with_query}\n{ts}\n{hashlib.sha256(body).hexdigest()}".encode()
    signature = b64encode(hmac.new(WALMART_SECRET.encode(), canonical, hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json", "WM_SEC.TIMESTAMP": ts, "WM_SEC.SIGNATURE": signature}


PO_CREATED = fixture_request("walmart/po_created")[0]


# Walmart: the signed path ----------------------------------------------------------------------


def test_walmart_signed_over_the_stage_path_is_accepted_on_the_default_execute_api_url(fakes: Fakes) -> None:
    # GIVEN Walmart calls https://<api>.execute-api.../dev/v1/webhooks/walmart and signs that path
    headers = walmart_headers(f"/{STAGE}/v1/webhooks/walmart", PO_CREATED)
    # THEN the handler checks the same path (requestContext.path), not the stage-less `path`
    assert deliver("walmart", PO_CREATED, headers, on="execute-api") == 202
    assert len(fakes.publisher.published) == 1


def test_walmart_signed_over_the_public_path_is_accepted_on_a_custom_domain(fakes: Fakes) -> None:
    headers = walmart_headers("/v1/webhooks/walmart", PO_CREATED)
    assert deliver("walmart", PO_CREATED, headers, on="custom") == 202
    assert len(fakes.publisher.published) == 1


@pytest.mark.parametrize("on", ["execute-api", "custom"])
def test_walmart_tampered_body_or_a_path_it_did_not_call_is_refused(on: str, fakes: Fakes) -> None:
    called = "/dev/v1/webhooks/walmart" if on == "execute-api" else "/v1/webhooks/walmart"
    other = "/v1/webhooks/walmart" if on == "execute-api" else "/dev/v1/webhooks/walmart"
    assert deliver("walmart", PO_CREATED + b" ", walmart_headers(called, PO_CREATED), on=on) == 401
    assert deliver("walmart", PO_CREATED, walmart_headers(other, PO_CREATED), on=on) == 401
    assert fakes.nothing_left_behind()


@pytest.mark.parametrize("on", ["execute-api", "custom"])
def test_walmart_query_string_is_part_of_the_signed_path(on: str) -> None:
    path = ("/dev" if on == "execute-api" else "") + "/v1/webhooks/walmart"
    query = {"seller": ["10001"]}
    signed = walmart_headers(f"{path}?seller=10001", PO_CREATED)
    assert deliver("walmart", PO_CREATED, signed, on=on, query=query) == 202
    assert deliver("walmart", PO_CREATED, walmart_headers(path, PO_CREATED), on=on, query=query) == 401


def test_local_signing_signs_the_path_of_the_base_url_it_is_given() -> None:
    body, headers = fixture_request("walmart/po_created", secret=WALMART_SECRET, base_url=public_base("execute-api"))
    assert deliver("walmart", body, headers, on="execute-api") == 202


# Square: the signed URL ------------------------------------------------------------------------


@pytest.mark.parametrize("on", ["execute-api", "custom"])
def test_square_signed_over_the_public_url_is_accepted_without_a_base_url_setting(on: str, fakes: Fakes) -> None:
    # GIVEN the subscription was registered with the URL Square calls (stage included on execute-api)
    body, headers = fixture_request(
        "square/order_updated_completed", secret=SECRETS["square"], base_url=public_base(on)
    )
    assert deliver("square", body, headers, on=on) == 202
    assert len(fakes.publisher.published) == 1


def test_square_signed_over_the_url_without_the_stage_is_refused_on_execute_api(fakes: Fakes) -> None:
    body, headers = fixture_request(
        "square/order_updated_completed", secret=SECRETS["square"], base_url=f"https://{EXECUTE_API}"
    )
    assert deliver("square", body, headers, on="execute-api") == 401
    assert fakes.nothing_left_behind()


def test_square_tampered_body_is_refused_on_both(fakes: Fakes) -> None:
    for on in ("execute-api", "custom"):
        body, headers = fixture_request(
            "square/order_updated_completed", secret=SECRETS["square"], base_url=public_base(on)
        )
        assert deliver("square", body.replace(b"COMPLETED", b"CANCELED", 1), headers, on=on) == 401
    assert fakes.nothing_left_behind()


def test_an_explicit_base_url_setting_still_wins(fakes: Fakes) -> None:
    fakes.webhook_base_url = "https://webhooks.retailer.example/edge"
    body, headers = fixture_request(
        "square/order_updated_completed", secret=SECRETS["square"], base_url="https://webhooks.retailer.example/edge"
    )
    assert deliver("square", body, headers, on="execute-api") == 202


# eBay: the endpoint URL of the challenge -------------------------------------------------------


def test_ebay_challenge_hashes_the_url_with_the_stage_on_execute_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EBAY_VERIFICATION_TOKEN", "verification-token-0123456789abcdef0123")
    event = rest_event(
        "GET",
        "/v1/webhooks/ebay",
        query={"challenge_code": ["a8628072"]},
        domain=EXECUTE_API,
        stage=STAGE,
        stage_in_url=True,
    )
    answer = handle(event)
    url = f"https://{EXECUTE_API}/{STAGE}/v1/webhooks/ebay"
    expected = hashlib.sha256(f"a8628072verification-token-0123456789abcdef0123{url}".encode()).hexdigest()
    assert (answer["statusCode"], json.loads(answer["body"])) == (200, {"challengeResponse": expected})
