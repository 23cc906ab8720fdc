"""The API description (CONTRACT.md, "API description"; issue 13 item 3): the document generated from
the route descriptions, the committed `docs/openapi.json`, the copy the ops function serves at
`GET /v1/openapi.json` and the routes the handlers really serve must agree.

A route added to an ops Router, or a webhook source registered, without its description in
`infra/ops/api_routes.py` fails here; so does a description whose route is gone, and a document
not regenerated (`make openapi`) after a model changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from functions.ingest.handlers import webhook
from functions.ingest.logic.request import api_request
from functions.ops.adapters.returns import DynamoReturnReader
from functions.ops.deps import Deps
from functions.ops.handlers.api import app
from functions.ops.routes.api_description import DOCUMENT
from functions.returns.dal.return_store import DynamoReturnStore
from functions.returns.models.returns import ReturnCase
from infra.ops.api_routes import (
    OPS_ROUTES,
    STATUS_ROUTES,
    ReturnView,
    WebhookAnswer,
    WebhookSource,
    webhook_routes,
    webhook_sources,
)
from infra.ops.openapi_document import SIGV4, document, render
from local.signing import fixture_request, signed_headers
from shared.adapters.state_store import DynamoStateStore
from shared.channels._pull import PullChannelAdapter
from shared.channels.registry import adapter_for, sources
from tests.fakes.aws import STATE_TABLE
from tests.fakes.ports import FakeTraceReader
from tests.support.apigw import FakeLambdaContext, rest_event
from tests.support.ops_transport import OpsLambdaTransport
from tests.unit.ingest.conftest import SECRETS, Fakes

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "docs" / "openapi.json"


def served_ops_routes() -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route the ops API's resolver serves."""
    return {
        (route.method, route.path.replace("<", "{").replace(">", "}"))
        for route in app._static_routes + app._dynamic_routes
    }


def undescribed(served: set[tuple[str, str]], described: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(served - described)


def documented_operations() -> set[tuple[str, str]]:
    paths: dict[str, dict[str, Any]] = json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def test_the_committed_and_the_bundled_documents_are_what_the_routes_generate() -> None:
    generated = render(document())
    assert COMMITTED.read_text(encoding="utf-8") == generated, "docs/openapi.json is stale: run `make openapi`"
    assert DOCUMENT.read_text(encoding="utf-8") == generated, "functions/ops/openapi.json is stale: `make openapi`"


def test_every_route_the_ops_api_serves_is_described_and_nothing_else() -> None:
    described = {(route.method, route.path) for route in OPS_ROUTES}
    assert undescribed(served_ops_routes(), described) == []
    assert undescribed(described, served_ops_routes()) == [], "a description whose route is gone"


def test_a_route_served_without_a_description_is_reported() -> None:
    # GIVEN the ops API's routes and one more that nobody described
    served = served_ops_routes() | {("POST", "/v1/ops/returns/{source}/{source_return_id}/close")}
    described = {(route.method, route.path) for route in OPS_ROUTES}
    # THEN the drift check names it
    assert undescribed(served, described) == [("POST", "/v1/ops/returns/{source}/{source_return_id}/close")]


def test_the_document_has_every_ops_webhook_and_status_operation() -> None:
    described = {(route.method, route.path) for route in (*OPS_ROUTES, *webhook_routes(), *STATUS_ROUTES)}
    assert documented_operations() == described
    assert ("GET", "/v1/openapi.json") in documented_operations()


def test_every_source_that_takes_webhooks_is_described_with_its_vendor_models() -> None:
    takes_webhooks = {name for name in sources() if not isinstance(adapter_for(name), PullChannelAdapter)}
    assert {each.source for each in webhook_sources()} == takes_webhooks
    post = json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"]["/v1/webhooks/{source}"]["post"]
    assert set(post["x-retail-sync-sources"]) == takes_webhooks
    schemas = json.loads(COMMITTED.read_text(encoding="utf-8"))["components"]["schemas"]
    for each in webhook_sources():
        assert all(model.__name__ in schemas for model in each.bodies)


@pytest.mark.parametrize("described", webhook_sources(), ids=lambda each: each.source)
def test_a_sources_described_signature_headers_are_the_ones_its_deliveries_are_signed_with(
    described: WebhookSource,
) -> None:
    signed = {name.lower() for name in signed_headers(described.source, b"{}", secret="s")} - {"content-type"}
    assert {str(param.alias).lower() for param in described.headers if param.signature} == signed


def test_the_webhook_edge_routes_exactly_the_described_webhook_paths() -> None:
    for route in webhook_routes():
        path = route.path.replace("{source}", "shopify")
        assert api_request({"path": path, "httpMethod": route.method}).source is not None
    assert api_request({"path": "/v1/webhooks", "httpMethod": "POST"}).source is None


def test_ops_operations_require_sigv4_the_status_route_its_key_and_webhooks_neither() -> None:
    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert data["components"]["securitySchemes"][SIGV4]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert data["components"]["securitySchemes"]["status_api_key"]["name"] == "x-api-key"
    for path, operations in data["paths"].items():
        for operation in operations.values():
            expected: list[dict[str, list[str]]] | None = [{SIGV4: []}]
            if path.startswith("/v1/webhooks/"):
                expected = None
            elif path.startswith("/v1/status/"):
                expected = [{"status_api_key": []}]
            assert operation.get("security") == expected, path


def test_no_operation_documents_powertools_422_the_apis_answer_400() -> None:
    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    answers = [set(op["responses"]) for ops in data["paths"].values() for op in ops.values()]
    assert all("422" not in each for each in answers)


def test_get_openapi_json_serves_the_committed_document() -> None:
    deps = Deps(store=DynamoStateStore(STATE_TABLE), trace=FakeTraceReader())
    with httpx.Client(transport=OpsLambdaTransport(deps), base_url="https://ops.example.com") as client:
        answer = client.get("/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.text == COMMITTED.read_text(encoding="utf-8")
    assert answer.json()["openapi"].startswith("3.")


def test_a_returns_answer_has_the_described_shape(dynamodb: Any) -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    DynamoReturnStore(STATE_TABLE).create(
        ReturnCase.model_validate(
            {
                "return_key": "loop:RET-1001",
                "source": "loop",
                "source_return_id": "RET-1001",
                "channel": "shopify",
                "channel_order_id": "820982911946154508",
                "order_id": "ord_1",
                "correlation_id": "corr-return-1",
                "status": "REFUNDED",
                "lines": [{"sku": "IPOD2008PINK", "quantity": 1, "disposition": "RESTOCK", "condition": "resellable"}],
                "refund": {"status": "POSTED", "amount": "234.82", "currency": "USD", "erp_credit_memo_id": "CM-7"},
                "created_at": at,
                "updated_at": at,
            }
        )
    )
    deps = Deps(store=DynamoStateStore(STATE_TABLE), trace=FakeTraceReader(), returns=DynamoReturnReader(STATE_TABLE))
    with httpx.Client(transport=OpsLambdaTransport(deps), base_url="https://ops.example.com") as client:
        answer = client.get("/v1/ops/returns/loop/RET-1001")
    assert answer.status_code == 200
    ReturnView.model_validate(answer.json())  # extra="forbid": a new field needs its description


@pytest.mark.parametrize("case", ["shopify/orders_create", "square/payment_updated_approved"])
def test_a_webhooks_202_answer_has_the_described_shape(case: str) -> None:
    source = case.split("/")[0]
    fakes = Fakes()
    fakes.webhook_base_url = "https://api.example.com"
    body, headers = fixture_request(case, secret=SECRETS[source], base_url="https://api.example.com")
    event = rest_event("POST", f"/v1/webhooks/{source}", body=body, headers=headers)
    response = webhook.lambda_handler(event, FakeLambdaContext(), deps=fakes.ports)
    assert response["statusCode"] == 202
    WebhookAnswer.model_validate(json.loads(response["body"]))


def test_the_fuzzer_sends_requests_to_every_documented_ops_operation() -> None:
    from tests.fuzz.engine import OPS_ROUTES as FUZZED

    def shape(path: str) -> str:
        return re.sub(r"{\w+}", "{}", path)

    documented = {(m, shape(p)) for m, p in documented_operations() if not p.startswith("/v1/webhooks/")}
    assert documented <= {(m, shape(p)) for m, p in FUZZED}


def test_the_document_is_a_valid_openapi_31_description() -> None:
    from openapi_spec_validator import validate

    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert data["openapi"].startswith("3.1")
    validate(data)  # raises OpenAPIValidationError with the offending path
