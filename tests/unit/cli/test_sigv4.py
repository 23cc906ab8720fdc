"""SigV4 for the deployed ops API: signed as API Gateway checks it, only when the API is not local."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from botocore.credentials import Credentials
from rich.console import Console
from typer.testing import CliRunner

from cli.client import ConfigError, OpsClient, SigV4Auth, is_loopback, region_for
from cli.main import Runtime, app

# AWS's published SigV4 test suite, case `get-vanilla`: GET / on example.amazonaws.com, service
# `service`, us-east-1, 2015-08-30T12:36:00Z, the documentation's example keys.
VANILLA_KEY = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
VANILLA_AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
)
API = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod"


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: dt.datetime(2015, 8, 30, 12, 36, 0))


def _signed(auth: SigV4Auth, request: httpx.Request) -> httpx.Request:
    flow = auth.sync_auth_flow(request)
    return next(flow)


def test_the_signature_matches_aws_published_test_vector(frozen_clock: None) -> None:
    request = httpx.Request("GET", "https://example.amazonaws.com/")

    signed = _signed(SigV4Auth("us-east-1", credentials=VANILLA_KEY, service="service"), request)

    assert signed.headers["Authorization"] == VANILLA_AUTHORIZATION
    assert signed.headers["X-Amz-Date"] == "20150830T123600Z"


class Recorder(httpx.BaseTransport):
    def __init__(self, status: int = 200, body: bytes = b"{}") -> None:
        self.requests: list[httpx.Request] = []
        self.status, self.body = status, body

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, content=self.body, headers={"Content-Type": "application/json"})


def test_a_deployed_api_is_called_signed_for_execute_api_in_its_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDCALLER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token")
    recorder = Recorder()

    client = OpsClient.connect(API, transport=recorder)
    client.resolve_exception("enrichment-1", "done", None)

    request = recorder.requests[0]
    authorization = request.headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDCALLER/")
    assert "/eu-west-1/execute-api/aws4_request" in authorization
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token" in authorization
    assert request.headers["X-Amz-Security-Token"] == "session-token"
    assert len(request.headers["X-Amz-Date"]) == len("20150830T123600Z")
    assert request.url.path == "/prod/v1/ops/exceptions/enrichment-1/resolve"


def test_the_signature_covers_the_body(frozen_clock: None) -> None:
    auth = SigV4Auth("eu-west-1", credentials=VANILLA_KEY)
    one = _signed(auth, httpx.Request("POST", f"{API}/v1/ops/exceptions/x/resolve", json={"note": "a"}))
    other = _signed(auth, httpx.Request("POST", f"{API}/v1/ops/exceptions/x/resolve", json={"note": "b"}))

    assert one.headers["Authorization"] != other.headers["Authorization"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"])
def test_the_local_stack_is_called_unsigned(url: str) -> None:
    recorder = Recorder()

    OpsClient.connect(url, transport=recorder).replay_parked()

    assert is_loopback(url)
    assert "Authorization" not in recorder.requests[0].headers
    assert "X-Amz-Date" not in recorder.requests[0].headers


def test_a_custom_domain_takes_its_region_from_the_environment() -> None:
    assert region_for("https://ops.retailer.example", {"AWS_REGION": "ap-southeast-2"}) == "ap-southeast-2"
    assert region_for(API, {"AWS_REGION": "ap-southeast-2"}) == "eu-west-1"
    with pytest.raises(ConfigError):
        region_for("https://ops.retailer.example", {})


def test_the_cli_without_a_region_for_a_custom_domain_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    recorder = Recorder()
    runtime = Runtime(transport=recorder, console=Console(width=200))

    result = CliRunner().invoke(app, ["--api-url", "https://ops.retailer.example", "find", "1001"], obj=runtime)

    assert result.exit_code == 1
    assert "set AWS_REGION" in result.stderr
    assert recorder.requests == []  # nothing unsigned left the machine


def test_the_api_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIL_SYNC_API_URL", API)
    recorder = Recorder(body=b'{"replayed": 3}')
    runtime = Runtime(transport=recorder, console=Console(width=200))

    result = CliRunner().invoke(app, ["orders", "replay"], obj=runtime)

    assert result.exit_code == 0, result.output
    assert "replayed 3" in result.stdout
    assert str(recorder.requests[0].url) == f"{API}/v1/ops/parked/orders/replay"
    assert recorder.requests[0].headers["Authorization"].startswith("AWS4-HMAC-SHA256 ")


def test_an_error_answer_without_the_contract_body_still_exits_1() -> None:
    # API Gateway's own 403 for a caller without execute-api:Invoke: {"message": "..."}
    recorder = Recorder(status=403, body=b'{"message": "User is not authorized to access this resource"}')
    runtime = Runtime(transport=recorder, console=Console(width=200))

    result = CliRunner().invoke(app, ["--api-url", "http://127.0.0.1:3000", "find", "1001"], obj=runtime)

    assert result.exit_code == 1
    assert "HTTP_403 (403): User is not authorized to access this resource" in result.stderr
