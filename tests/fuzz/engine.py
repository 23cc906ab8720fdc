"""Fuzzing the public routes from outside, over HTTP, against a running local stack (issue 13).

Hypothesis generates requests of three kinds, each checked against the contract
(`../shared/CONTRACT.md`, "Answers" and "Error body"):
- a real vendor fixture, signed as the vendor signs it, then tampered with (a byte flipped, the
  body cut, the signature dropped or replaced, a timestamp outside the 300 s window, another
  source's endpoint): always refused, 401 for a signature or timestamp, 404 for an unknown source;
- a correctly signed body that is not the vendor's shape (any JSON or bytes): 400, or 202 with
  `"ignored": true` when its topic is one we do not handle, never queued as work;
- anything at all on the webhook and ops routes (methods, paths, query strings, headers, bodies).
Every answer: no 5xx; every error body `{"error": {"code", "message", "correlation_id"}}` with a
code from the closed list (`shared.errors.ErrorCode`); and a refused webhook leaves nothing
behind: the ingest function made no SQS or DynamoDB write while answering it (every AWS call the
stack makes is counted on the wire, attributed to the function that made it).

`make fuzz` runs 10,000 (`python -m tests.fuzz --requests 10000`); `make test` a sample
(tests/e2e/test_fuzz_public_routes.py).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from bench.aws_calls import counting
from infra.constants import LOCAL_STATUS_API_KEY, WEBHOOK_SOURCES
from local.signing import EVENTS_DIR, fixture_request, signed_headers
from shared.errors import ErrorCode

CODES = frozenset(code.value for code in ErrorCode)
MAX_BODY = 256 * 1024
TIMESTAMPED = ("wms", "pos", "erp", "walmart")
SIGNATURE_HEADERS = {
    "shopify": ("X-Shopify-Hmac-Sha256",),
    "square": ("x-square-hmacsha256-signature",),
    "loop": ("X-Loop-Signature",),
    "walmart": ("WM_SEC.SIGNATURE", "WM_SEC.TIMESTAMP"),
    "ebay": ("X-EBAY-SIGNATURE",),
    "wms": ("X-Signature",),
    "pos": ("X-Signature",),
    "erp": ("X-Signature",),
}
# What a refused webhook must never cause: a write by the ingest function.
INGEST_WRITES = frozenset({"SendMessage", "PutItem", "UpdateItem", "DeleteItem", "PutObject", "TransactWriteItems"})
# What a repeated delivery must never cause again: work queued (the message, or its claim check).
INGEST_ENQUEUES = frozenset({"SendMessage", "PutObject"})
OPS_ROUTES = (
    ("GET", "/v1/ops/transactions/{id}"),
    ("GET", "/v1/ops/find"),
    ("GET", "/v1/ops/orders/{channel}/{id}"),
    ("GET", "/v1/ops/inventory/{id}"),
    ("GET", "/v1/ops/allocation-rules"),
    ("PUT", "/v1/ops/allocation-rules"),
    ("GET", "/v1/ops/allocation-rules/{id}"),
    ("PUT", "/v1/ops/allocation-rules/{id}"),
    ("PUT", "/v1/ops/listings/{id}"),
    ("GET", "/v1/ops/reconciliations/{kind}"),
    ("POST", "/v1/ops/reconciliations/{kind}"),
    ("GET", "/v1/ops/reconciliations/{kind}/{id}"),
    ("GET", "/v1/ops/exceptions"),
    ("POST", "/v1/ops/exceptions/{id}/resolve"),
    ("POST", "/v1/ops/exceptions/{id}/retry"),
    ("GET", "/v1/ops/audit"),
    ("POST", "/v1/ops/parked/orders/replay"),
    ("POST", "/v1/ops/orders/{channel}/{id}/release"),
    ("POST", "/v1/ops/orders/{channel}/{id}/cancel"),
    ("GET", "/v1/ops/returns/{channel}/{id}"),
    ("POST", "/v1/ops/dlq/{id}/redrive"),
    ("GET", "/v1/openapi.json"),
    # The customer-status route, sent with the local API key (without it API Gateway answers 403 itself).
    ("GET", "/v1/status/orders/{channel}/{id}"),
)


def webhook_fixtures() -> dict[str, list[str]]:
    """Every vendor payload fixture a source receives, by source (`<source>/<case>`)."""
    out: dict[str, list[str]] = {}
    for source in WEBHOOK_SOURCES:
        folder = EVENTS_DIR / source
        if not folder.is_dir():
            continue
        names = [
            f"{source}/{path.stem}"
            for path in sorted(folder.glob("*.json"))
            if not path.name.endswith((".expected.json", ".headers.json"))
            and "response" not in path.stem
            and not path.stem.startswith("outbound")
        ]
        if names:
            out[source] = names
    return out


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    source: str | None = None
    expect_refused: bool = False  # a webhook the contract says must be refused (4xx)
    expect_status: tuple[int, ...] = ()

    def __repr__(self) -> str:
        body = self.body[:200] + (b"..." if len(self.body) > 200 else b"")
        where = f"{self.kind} {self.method} {self.path[:200]}"
        return f"Request({where} headers={self.headers} body={body!r} ({len(self.body)} B))"


@dataclass
class Tally:
    requests: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.by_status.items()))
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.by_kind.items()))
        fivexx = sum(n for status, n in self.by_status.items() if status >= 500)
        return (
            f"{self.requests} requests, {fivexx} 5xx, {len(self.failures)} failures; statuses {statuses}; kinds {kinds}"
        )


# -- strategies ------------------------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
_segment = st.one_of(
    st.sampled_from(["x", "..", "%2e%2e", "%2F", "shopify", "ORD-1", "a" * 300, "ünï", "null", "0", "-1"]),
    _text.filter(bool).map(lambda s: quote(s, safe="")),
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=12,
)
_bodies = st.one_of(
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=2048),
    st.sampled_from([b"", b"{", b"[]", b"{}", b'{"id": 1}', b"\xff\xfe", b"null"]),
)
_header_names = st.sampled_from(
    ["X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Signature", "WM_SEC.TIMESTAMP", "X-EBAY-SIGNATURE", "X-Foo"]
)
# Header values as HTTP allows them (visible ASCII and spaces): anything else never leaves a client.
_header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60).map(str.strip)
_headers = st.dictionaries(_header_names, _header_values, max_size=4)


def _strip_signature(source: str, headers: dict[str, str]) -> dict[str, str]:
    drop = {name.lower() for name in SIGNATURE_HEADERS.get(source, ())}
    return {k: v for k, v in headers.items() if k.lower() not in drop}


@st.composite
def tampered_fixture(draw: st.DrawFn, fixtures: dict[str, list[str]], base_url: str) -> Request:
    source = draw(st.sampled_from(sorted(fixtures)))
    name = draw(st.sampled_from(fixtures[source]))
    body, headers = fixture_request(name, base_url=base_url)
    mutation = draw(
        st.sampled_from(
            ["flip", "cut", "drop", "replace", "wrong_source"] + (["stale"] if source in TIMESTAMPED else [])
        )
    )
    path = f"/v1/webhooks/{source}"
    expect: tuple[int, ...] = (401,)
    if mutation == "flip" and body:
        index = draw(st.integers(0, len(body) - 1))
        flipped = bytes([body[index] ^ draw(st.integers(1, 255))])
        body = body[:index] + flipped + body[index + 1 :]
    elif mutation == "cut" and body:
        body = body[: draw(st.integers(0, len(body) - 1))]
    elif mutation == "drop":
        headers = _strip_signature(source, headers)
    elif mutation == "replace":
        headers = {**headers, SIGNATURE_HEADERS[source][0]: draw(_header_values)}
    elif mutation == "wrong_source":
        others = [s for s in SIGNATURE_HEADERS if s != source]
        path = f"/v1/webhooks/{draw(st.sampled_from(others))}"
    elif mutation == "stale":
        skew = draw(st.integers(301, 10**7)) * draw(st.sampled_from([-1, 1]))
        headers = signed_headers(
            source, body, headers=_strip_signature(source, headers), base_url=base_url, t=int(time.time()) + skew
        )
    return Request(
        f"tampered:{mutation}", "POST", path, headers, body, source, expect_refused=True, expect_status=expect
    )


@st.composite
def signed_garbage(draw: st.DrawFn, fixtures: dict[str, list[str]], base_url: str) -> Request:
    """A body that is not the vendor's shape, signed correctly, with the fixture's other headers."""
    source = draw(st.sampled_from(sorted(fixtures)))
    name = draw(st.sampled_from(fixtures[source]))
    _, headers = fixture_request(name, base_url=base_url)
    body = draw(_bodies)
    headers = signed_headers(source, body, headers=_strip_signature(source, headers), base_url=base_url)
    if "X-Shopify-Webhook-Id" in headers:
        headers["X-Shopify-Webhook-Id"] = f"fuzz-{draw(st.uuids())}"
    return Request("signed_garbage", "POST", f"/v1/webhooks/{source}", headers, body, source)


@st.composite
def anything_webhook(draw: st.DrawFn) -> Request:
    source = draw(st.one_of(st.sampled_from(sorted(SIGNATURE_HEADERS)), _segment))
    method = draw(st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH"]))
    size = draw(st.sampled_from([None, None, None, MAX_BODY + 1]))
    body = b"x" * size if size else draw(_bodies)
    refused = method == "POST" and source in SIGNATURE_HEADERS and source != "ebay"
    return Request(
        "anything_webhook", method, f"/v1/webhooks/{source}", draw(_headers), body, source, expect_refused=refused
    )


@st.composite
def anything_ops(draw: st.DrawFn) -> Request:
    method, template = draw(st.sampled_from(OPS_ROUTES))
    method = draw(st.sampled_from([method, method, method, "DELETE", "PATCH", "POST", "GET"]))
    path = template
    for slot in ("{channel}", "{kind}", "{id}"):
        while slot in path:
            path = path.replace(slot, draw(_segment), 1)
    query = draw(
        st.dictionaries(st.sampled_from(["id", "kind", "status", "limit", "next_token", "z"]), _text, max_size=3)
    )
    if query:
        path += "?" + "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    body = draw(_bodies) if method in ("POST", "PUT", "PATCH") else b""
    headers = {"Content-Type": "application/json"}
    if path.startswith("/v1/status/"):
        headers["x-api-key"] = LOCAL_STATUS_API_KEY
    return Request("anything_ops", method, path, headers, body)


def requests(fixtures: dict[str, list[str]], base_url: str) -> st.SearchStrategy[Request]:
    return st.one_of(
        tampered_fixture(fixtures, base_url),
        signed_garbage(fixtures, base_url),
        anything_webhook(),
        anything_ops(),
    )


# -- checks ----------------------------------------------------------------------------------------


def check(request: Request, answer: httpx.Response, ingest_writes: int) -> list[str]:
    """What the contract says this answer must be; an empty list when it is."""
    problems: list[str] = []
    where = f"{request.kind} {request.method} {request.path[:120]}"
    if answer.status_code >= 500:
        problems.append(f"{where}: {answer.status_code} {answer.text[:300]}")
    if answer.status_code >= 400:
        try:
            error = answer.json()["error"]
            if error["code"] not in CODES or not isinstance(error["message"], str) or not error["correlation_id"]:
                problems.append(f"{where}: error body off the contract: {answer.text[:300]}")
        except (ValueError, KeyError, TypeError):
            problems.append(f"{where}: {answer.status_code} without the contract's error body: {answer.text[:300]}")
    if request.expect_status and answer.status_code not in request.expect_status and answer.status_code != 429:
        problems.append(
            f"{where}: {answer.status_code}, the contract says {request.expect_status}: {answer.text[:200]}"
        )
    if request.expect_refused and answer.status_code < 400:
        problems.append(f"{where}: accepted ({answer.status_code}) a request that must be refused: {answer.text[:200]}")
    if request.kind == "signed_garbage" and answer.status_code == 202 and not answer.json().get("ignored"):
        problems.append(f"{where}: a body that is not the vendor's shape was queued as work: {request.body[:120]!r}")
    refused = answer.status_code >= 400
    if (refused or request.kind == "signed_garbage" and answer.status_code != 202) and ingest_writes:
        problems.append(f"{where}: refused with {answer.status_code} but ingest wrote {ingest_writes} times")
    return problems


@contextmanager
def ingest_write_counter(operations: frozenset[str] = INGEST_WRITES) -> Iterator[Callable[[], int]]:
    """How many of `operations` the ingest function has made so far (every AWS call counted)."""
    with counting() as calls:
        yield lambda: sum(n for (who, _, op, _), n in calls.items() if who.startswith("ingest:") and op in operations)


def run(base_url: str, requests_wanted: int, *, seed: int | None = None) -> Tally:
    """Send `requests_wanted` generated requests, one at a time, and check every answer; the same
    `seed` generates the same requests (no seed: derandomized, the same every run)."""
    fixtures = webhook_fixtures()
    tally = Tally()
    with httpx.Client(base_url=base_url, timeout=30) as client, ingest_write_counter() as writes:

        @settings(
            max_examples=requests_wanted,
            deadline=None,
            database=None,
            derandomize=seed is None,
            phases=(Phase.generate,),  # every example is one request: no shrinking, no replays
            suppress_health_check=list(HealthCheck),
        )
        @given(requests(fixtures, base_url))
        def one(request: Request) -> None:  # noqa: ANN202
            before = writes()
            answer = client.request(request.method, request.path, headers=request.headers, content=request.body)
            tally.requests += 1
            tally.by_status[answer.status_code] += 1
            tally.by_kind[request.kind] += 1
            tally.failures.extend(check(request, answer, writes() - before))

        (hypothesis_seed(seed)(one) if seed is not None else one)()
    return tally


def replay_every_source(base_url: str, fixtures: dict[str, list[str]] | None = None) -> list[str]:
    """Per source: a real delivery accepted once; the same bytes again are a duplicate that queues
    nothing; a replay outside the timestamp window (sources that sign a timestamp) is refused."""
    problems: list[str] = []
    fixtures = fixtures or webhook_fixtures()
    with httpx.Client(base_url=base_url, timeout=30) as client, ingest_write_counter(INGEST_ENQUEUES) as writes:
        for source, names in sorted(fixtures.items()):
            body, headers = fixture_request(names[0], base_url=base_url)
            first = client.post(f"/v1/webhooks/{source}", content=body, headers=headers)
            before = writes()
            again = client.post(f"/v1/webhooks/{source}", content=body, headers=headers)
            if first.status_code != 202 or again.status_code != 202 or not again.json().get("duplicate"):
                problems.append(f"{source}: replay answered {first.status_code}/{again.status_code} {again.text[:200]}")
            elif first.json()["correlation_id"] != again.json()["correlation_id"]:
                problems.append(f"{source}: a replay got another correlation id")
            if writes() - before:
                problems.append(f"{source}: the replay queued work again ({writes() - before} sends)")
            if source in TIMESTAMPED:
                stale = signed_headers(
                    source, body, headers=_strip_signature(source, headers), base_url=base_url, t=int(time.time()) - 301
                )
                refused = client.post(f"/v1/webhooks/{source}", content=body, headers=stale)
                if refused.status_code != 401:
                    problems.append(f"{source}: a stale replay answered {refused.status_code}")
    return problems
