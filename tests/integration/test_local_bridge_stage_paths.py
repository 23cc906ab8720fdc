"""The local bridge sends the proxy event AWS sends, on both URL shapes, so signed paths hold the same way.

`/v1/...` is a custom domain (base path mapped to the stage); `/local/v1/...` is the default
execute-api URL with the stage first. Driven over HTTP into the real ingest handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from functions.ingest.adapters.memory import MemorySecrets
from functions.ingest.handlers import webhook
from local.api_event import STAGE
from local.api_routes import RouteTable
from local.bridge import ApiBridge
from local.lambda_runtime import FunctionSpec, Invocation
from local.signing import fixture_request
from tests.integration.test_local_stack_bridge import FUNCTIONS, TEMPLATE
from tests.support.apigw import FakeLambdaContext
from tests.unit.ingest.conftest import SECRETS, Fakes

SECRET = "bridge-walmart-secret"


class Ingest:
    """The real webhook handler behind the bridge, on in-memory ports; keeps every event it saw."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.fakes = Fakes(secrets=MemorySecrets({**SECRETS, "walmart": SECRET}))

    def __call__(self, spec: FunctionSpec, event: Any) -> Invocation:
        self.events.append(event)
        # as deployed: no URL setting (the fakes' webhook_base_url is None)
        return Invocation(webhook.lambda_handler(event, FakeLambdaContext(), deps=self.fakes.ports), None, "req-1")


@pytest.fixture
def ingest() -> Iterator[Ingest]:
    yield Ingest()


@pytest.fixture
def bridge(ingest: Ingest) -> Iterator[ApiBridge]:
    api = ApiBridge(ingest, health=lambda: {"status": "ok", "sandboxes": {}}, port=0)
    api.set_routes(RouteTable.from_template(TEMPLATE), FUNCTIONS, {"Api": "api123", "Source": "res456"})
    api.start()
    yield api
    api.stop()


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=10).status_code


@pytest.mark.parametrize("stage_in_url", [False, True], ids=["custom-domain", "execute-api"])
def test_the_event_carries_path_and_request_context_as_aws_does(
    bridge: ApiBridge, ingest: Ingest, stage_in_url: bool
) -> None:
    sent = (f"/{STAGE}" if stage_in_url else "") + "/v1/webhooks/walmart"
    base = bridge.url + (f"/{STAGE}" if stage_in_url else "")
    body, headers = fixture_request("walmart/po_created", secret=SECRET, base_url=base)
    assert post(bridge.url + sent, body, headers) == 202
    event = ingest.events[-1]
    assert event["path"] == "/v1/webhooks/walmart"  # the resource path, stage stripped
    assert event["requestContext"]["path"] == sent  # what the client sent
    assert event["requestContext"]["stage"] == STAGE
    assert event["requestContext"]["domainName"] == f"{bridge.host}:{bridge.port}"
    assert event["pathParameters"] == {"source": "walmart"}


def test_a_delivery_signed_for_the_other_url_shape_is_refused(bridge: ApiBridge, ingest: Ingest) -> None:
    body, headers = fixture_request("walmart/po_created", secret=SECRET, base_url=bridge.url)  # no stage
    assert post(f"{bridge.url}/{STAGE}/v1/webhooks/walmart", body, headers) == 401
    body, headers = fixture_request("walmart/po_created", secret=SECRET, base_url=f"{bridge.url}/{STAGE}")
    assert post(f"{bridge.url}/v1/webhooks/walmart", body, headers) == 401
    assert ingest.fakes.nothing_left_behind()


@pytest.mark.parametrize("stage_in_url", [False, True], ids=["custom-domain", "execute-api"])
def test_square_signed_over_the_url_it_calls_is_accepted_without_a_url_setting(
    bridge: ApiBridge, ingest: Ingest, stage_in_url: bool
) -> None:
    base = bridge.url + (f"/{STAGE}" if stage_in_url else "")
    body, headers = fixture_request("square/order_updated_completed", secret=SECRETS["square"], base_url=base)
    assert post(f"{base}/v1/webhooks/square", body, headers) == 202
