"""eBay's getPublicKey lookup: the kid of an unauthenticated request cannot steer it or burn the quota.

The kid comes from `X-EBAY-SIGNATURE`, which anyone can send. It must look like a key id before it
goes (percent-encoded) into `/commerce/notification/v1/public_key/{kid}` with our bearer token; a
kid eBay does not know is cached like a known one (for less time); concurrent requests for one kid
make one lookup. eBay's API is mocked with respx: every HTTP request is counted.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx

from functions.ingest.adapters.memory import MemorySecrets
from functions.ingest.handlers import webhook
from local.sandboxes.ebay_keys import TEST_KEY_ID, TEST_PUBLIC_KEY_PEM
from local.signing import fixture_request, sign_ebay
from shared.channels import ebay
from shared.channels.registry import adapter_for
from shared.errors import SignatureInvalid, UpstreamUnavailable
from tests.support.apigw import FakeLambdaContext, rest_event
from tests.unit.ingest.conftest import SECRETS, Fakes

EBAY = "https://api.ebay.test"
KEY_URL = f"{EBAY}/commerce/notification/v1/public_key/"
UNKNOWN_KID = "6a7f8e2c-1b3d-4c5e-9f00-0123456789ab"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(clock: Clock) -> ebay.NotificationApiKeys:
    settings = ebay.EbaySettings(
        ebay_api_base_url=EBAY, ebay_client_id="client-id", ebay_client_secret="client-secret"
    )
    return ebay.NotificationApiKeys(settings, clock=clock)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=EBAY, assert_all_called=False) as router:
        router.post("/identity/v1/oauth2/token").respond(
            200, json={"access_token": "app-token", "expires_in": 7200, "token_type": "Application Access Token"}
        )
        yield router


def key_route(api: respx.MockRouter, answer: Callable[[httpx.Request], httpx.Response]) -> respx.Route:
    return api.route(method="GET", url__startswith=KEY_URL).mock(side_effect=answer)


def known_key(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/" + TEST_KEY_ID):
        return httpx.Response(200, json={"algorithm": "ECDSA", "digest": "SHA1", "key": TEST_PUBLIC_KEY_PEM})
    return httpx.Response(404, json={"errors": [{"errorId": 195001, "message": "The public key was not found."}]})


def slow(answer: Callable[[httpx.Request], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    def slowly(request: httpx.Request) -> httpx.Response:
        time.sleep(0.2)  # long enough for every other thread to arrive while the lookup is out
        return answer(request)

    return slowly


def header_with_kid(kid: str) -> str:
    header = {"alg": "ecdsa", "kid": kid, "signature": "MEUCIQ==", "digest": "SHA1"}
    return base64.b64encode(json.dumps(header).encode()).decode()


ATTACKS = [
    "../../../identity/v1/oauth2/token",
    "abc?x=1",
    "abc#frag",
    "..%2F..%2Fidentity",
    "abc/def",
    "abc def",
    "-leading-dash",
    "k" * 129,
]


# Validation: nothing reaches eBay ---------------------------------------------------------------


@pytest.mark.parametrize("kid", ATTACKS)
def test_a_kid_that_is_not_a_key_id_is_refused_without_any_http_request(
    kid: str, keys: ebay.NotificationApiKeys, api: respx.MockRouter
) -> None:
    with pytest.raises(SignatureInvalid, match="kid"):
        keys.pem_for(kid)
    assert api.calls.call_count == 0 and keys.fetches == 0


@pytest.fixture
def wired(keys: ebay.NotificationApiKeys, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fakes]:
    fakes = Fakes(secrets=MemorySecrets({**SECRETS, "ebay": "unused"}), webhook_base_url="https://api.example.com")
    monkeypatch.setattr(adapter_for("ebay"), "keys", keys)
    yield fakes


@pytest.mark.parametrize("kid", ["../../../identity/v1/oauth2/token", "abc?x=1"])
def test_the_webhook_answers_401_to_a_traversal_or_query_kid_and_calls_no_ebay_endpoint(
    kid: str, wired: Fakes, api: respx.MockRouter
) -> None:
    body, _ = fixture_request("ebay/marketplace_account_deletion")
    event = rest_event("POST", "/v1/webhooks/ebay", body=body, headers={"X-EBAY-SIGNATURE": header_with_kid(kid)})
    response = webhook.lambda_handler(event, FakeLambdaContext(), deps=wired.ports)
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["error"]["code"] == "SIGNATURE_INVALID"
    assert api.calls.call_count == 0  # neither the token endpoint nor any other eBay path
    assert wired.nothing_left_behind()


def test_a_genuine_notification_still_verifies_through_the_webhook(wired: Fakes, api: respx.MockRouter) -> None:
    route = key_route(api, known_key)
    body, _ = fixture_request("ebay/marketplace_account_deletion")
    event = rest_event("POST", "/v1/webhooks/ebay", body=body, headers={"X-EBAY-SIGNATURE": sign_ebay(body)})
    assert webhook.lambda_handler(event, FakeLambdaContext(), deps=wired.ports)["statusCode"] == 202
    assert route.call_count == 1 and route.calls.last.request.url.path.endswith(f"/public_key/{TEST_KEY_ID}")
    assert route.calls.last.request.headers["Authorization"] == "Bearer app-token"


# Caching: hits and misses -----------------------------------------------------------------------


def test_a_kid_ebay_does_not_know_is_cached_and_asked_again_after_the_miss_ttl(
    keys: ebay.NotificationApiKeys, api: respx.MockRouter, clock: Clock
) -> None:
    route = key_route(api, known_key)
    for _ in range(5):
        with pytest.raises(SignatureInvalid):
            keys.pem_for(UNKNOWN_KID)
    assert route.call_count == 1  # a flood with one unknown kid costs one getPublicKey call
    clock.now += ebay.MISS_CACHE_SECONDS + 1
    with pytest.raises(SignatureInvalid):
        keys.pem_for(UNKNOWN_KID)
    assert route.call_count == 2


def test_a_known_key_is_cached_for_an_hour(keys: ebay.NotificationApiKeys, api: respx.MockRouter, clock: Clock) -> None:
    route = key_route(api, known_key)
    first = keys.pem_for(TEST_KEY_ID)
    clock.now += ebay.KEY_CACHE_SECONDS - 1
    assert keys.pem_for(TEST_KEY_ID) == first and route.call_count == 1
    clock.now += 2
    keys.pem_for(TEST_KEY_ID)
    assert route.call_count == 2


def test_an_ebay_outage_is_not_cached_so_the_next_delivery_asks_again(
    keys: ebay.NotificationApiKeys, api: respx.MockRouter
) -> None:
    answers = iter([httpx.Response(503), None])
    route = key_route(api, lambda request: next(answers) or known_key(request))
    with pytest.raises(UpstreamUnavailable):  # 503 to the vendor: eBay retries the delivery
        keys.pem_for(TEST_KEY_ID)
    assert keys.pem_for(TEST_KEY_ID).startswith("-----BEGIN PUBLIC KEY-----")
    assert route.call_count == 2


def test_the_cache_is_bounded_whatever_the_number_of_kids(
    keys: ebay.NotificationApiKeys, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ebay, "MAX_CACHED_KIDS", 3)
    key_route(api, known_key)
    for n in range(10):
        with pytest.raises(SignatureInvalid):
            keys.pem_for(f"unknown-{n}")
    assert len(keys._keys) <= 3


# Single flight: one lookup per kid while others wait -----------------------------------------


def concurrently(n: int, call: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * n
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return results


def test_concurrent_requests_for_one_unknown_kid_make_one_lookup(
    keys: ebay.NotificationApiKeys, api: respx.MockRouter
) -> None:
    route = key_route(api, slow(known_key))
    results = concurrently(8, lambda: keys.pem_for(UNKNOWN_KID))
    assert route.call_count == 1
    assert all(isinstance(result, SignatureInvalid) for result in results)


def test_concurrent_requests_for_one_known_kid_make_one_lookup_and_all_get_the_key(
    keys: ebay.NotificationApiKeys, api: respx.MockRouter
) -> None:
    route = key_route(api, slow(known_key))
    results = concurrently(8, lambda: keys.pem_for(TEST_KEY_ID))
    assert route.call_count == 1
    assert len(set(results)) == 1 and str(results[0]).startswith("-----BEGIN PUBLIC KEY-----")


def test_requests_waiting_on_a_lookup_that_meets_an_outage_get_503_not_a_lookup_each(
    keys: ebay.NotificationApiKeys, api: respx.MockRouter
) -> None:
    route = key_route(api, slow(lambda request: httpx.Response(500)))
    results = concurrently(8, lambda: keys.pem_for(TEST_KEY_ID))
    assert route.call_count == 1
    assert all(isinstance(result, UpstreamUnavailable) for result in results)
