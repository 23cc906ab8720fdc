"""The HTTP bridge: routes from a CDK-shaped template, API Gateway REST proxy events and answers."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.api_event import HttpRequest
from local.api_routes import RouteTable
from local.bridge import ApiBridge
from local.lambda_runtime import FunctionSpec, Invocation
from local.template import Template


def _uri(function: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":apigateway:",
                {"Ref": "AWS::Region"},
                ":lambda:path/2015-03-31/functions/",
                {"Fn::GetAtt": [function, "Arn"]},
                "/invocations",
            ],
        ]
    }


def _resource(parent: str | None, part: str) -> dict[str, Any]:
    parent_id = {"Ref": parent} if parent else {"Fn::GetAtt": ["Api", "RootResourceId"]}
    return {
        "Type": "AWS::ApiGateway::Resource",
        "Properties": {"ParentId": parent_id, "PathPart": part, "RestApiId": {"Ref": "Api"}},
    }


def _method(resource: str, verb: str, function: str, auth: str = "NONE") -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "HttpMethod": verb,
            "ResourceId": {"Ref": resource},
            "RestApiId": {"Ref": "Api"},
            "AuthorizationType": auth,
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": _uri(function)},
        },
    }


TEMPLATE = Template(
    {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {}},
            "Ingest": {"Type": "AWS::Lambda::Function", "Properties": {}},
            "Ops": {"Type": "AWS::Lambda::Function", "Properties": {}},
            "V1": _resource(None, "v1"),
            "Webhooks": _resource("V1", "webhooks"),
            "Source": _resource("Webhooks", "{source}"),
            "SourcePost": _method("Source", "POST", "Ingest"),
            "OpsRes": _resource("V1", "ops"),
            "OpsProxy": _resource("OpsRes", "{proxy+}"),
            "OpsAny": _method("OpsProxy", "ANY", "Ops", auth="AWS_IAM"),
            "OpenApi": _resource("V1", "openapi.json"),
            "OpenApiGet": _method("OpenApi", "GET", "Ops", auth="AWS_IAM"),
            "Orders": _resource("OpsRes", "orders"),
            "OrdersGet": _method("Orders", "GET", "Ingest"),
        }
    }
)

FUNCTIONS = {
    logical_id: FunctionSpec(
        name=logical_id, arn=f"arn:aws:lambda:us-east-1:123456789012:function:{logical_id}", handler="unused"
    )
    for logical_id in ("Ingest", "Ops")
}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.result: Any = {"statusCode": 202, "headers": {"X-Answer": "yes"}, "body": '{"ok": true}'}
        self.error: dict[str, Any] | None = None

    def __call__(self, spec: FunctionSpec, event: Any) -> Invocation:
        self.calls.append((spec.name, event))
        return Invocation(self.result, self.error, "req-1")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def bridge(recorder: Recorder) -> Iterator[ApiBridge]:
    api = ApiBridge(recorder, health=lambda: {"status": "ok", "sandboxes": {}}, port=0)
    api.set_routes(RouteTable.from_template(TEMPLATE), FUNCTIONS, {"Api": "api123", "Source": "res456"})
    api.start()
    yield api
    api.stop()


def _request(
    method: str,
    path: str,
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    source_ip: str = "127.0.0.1",
) -> HttpRequest:
    path, _, query = path.partition("?")
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    return HttpRequest(method, path, pairs, headers or [], body, source_ip)  # type: ignore[arg-type]


def test_routes_are_read_from_resources_and_methods() -> None:
    routes = {(r.method, r.resource_path, r.function) for r in RouteTable.from_template(TEMPLATE).routes}

    assert routes == {
        ("POST", "/v1/webhooks/{source}", "Ingest"),
        ("ANY", "/v1/ops/{proxy+}", "Ops"),
        ("GET", "/v1/ops/orders", "Ingest"),
        ("GET", "/v1/openapi.json", "Ops"),
    }


def test_a_static_path_wins_over_a_greedy_one(bridge: ApiBridge, recorder: Recorder) -> None:
    bridge.handle(_request("GET", "/v1/ops/orders"))
    bridge.handle(_request("DELETE", "/v1/ops/orders/x/y"))

    assert [(name, event["resource"], event["pathParameters"]) for name, event in recorder.calls] == [
        ("Ingest", "/v1/ops/orders", None),
        ("Ops", "/v1/ops/{proxy+}", {"proxy": "orders/x/y"}),
    ]


def test_proxy_event_has_api_gateway_rest_shape(bridge: ApiBridge, recorder: Recorder) -> None:
    response = bridge.handle(
        _request(
            "POST",
            "/v1/webhooks/shopify?topic=a&topic=b",
            b'{"id": 1}',
            [("X-Shopify-Topic", "orders/create")],
        )
    )

    _, event = recorder.calls[0]
    assert response.status == 202
    assert ("X-Answer", "yes") in response.headers
    assert event["resource"] == "/v1/webhooks/{source}"
    assert event["path"] == "/v1/webhooks/shopify"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"source": "shopify"}
    assert event["queryStringParameters"] == {"topic": "b"}
    assert event["multiValueQueryStringParameters"] == {"topic": ["a", "b"]}
    assert event["headers"]["X-Shopify-Topic"] == "orders/create"
    assert event["multiValueHeaders"]["X-Shopify-Topic"] == ["orders/create"]
    assert event["body"] == '{"id": 1}' and event["isBase64Encoded"] is False
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == "local" and context["resourcePath"] == "/v1/webhooks/{source}"
    assert context["apiId"] == "api123" and context["resourceId"] == "res456"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert isinstance(context["requestTimeEpoch"], int) and context["requestId"]


def test_a_body_that_is_not_utf8_arrives_base64_encoded(bridge: ApiBridge, recorder: Recorder) -> None:
    bridge.handle(_request("POST", "/v1/webhooks/pos", b"\xff\xfe\x00"))

    _, event = recorder.calls[0]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe\x00"


def test_headers_keep_the_callers_spelling_over_http(bridge: ApiBridge, recorder: Recorder) -> None:
    connection = http.client.HTTPConnection(bridge.host, bridge.port, timeout=10)
    connection.putrequest("POST", "/v1/webhooks/walmart")
    for name, value in (
        ("WM_SEC.SIGNATURE", "sig"),
        ("x-square-hmacsha256-signature", "abc"),
        ("Content-Length", "2"),
    ):
        connection.putheader(name, value)
    connection.endheaders(b"{}")
    response = connection.getresponse()
    response.read()

    _, event = recorder.calls[0]
    assert response.status == 202
    assert event["headers"]["WM_SEC.SIGNATURE"] == "sig"
    assert event["headers"]["x-square-hmacsha256-signature"] == "abc"


def test_multi_value_response_headers_are_all_sent(bridge: ApiBridge, recorder: Recorder) -> None:
    recorder.result = {
        "statusCode": 200,
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": "hi",
        "headers": {"Content-Type": "text/plain"},
    }

    response = bridge.handle(_request("POST", "/v1/webhooks/shopify"))

    assert [v for n, v in response.headers if n == "Set-Cookie"] == ["a=1", "b=2"]
    assert response.body == b"hi"


def test_unknown_route_is_404_and_wrong_method_is_405(bridge: ApiBridge) -> None:
    missing = bridge.handle(_request("GET", "/v2/nothing"))
    wrong = bridge.handle(_request("GET", "/v1/webhooks/shopify"))

    assert missing.status == 404 and json.loads(missing.body)["error"]["code"] == "NOT_FOUND"
    assert wrong.status == 405 and json.loads(wrong.body)["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert ("Allow", "POST") in wrong.headers


def test_ops_routes_answer_loopback_callers_only(bridge: ApiBridge, recorder: Recorder) -> None:
    outside = bridge.handle(_request("GET", "/v1/ops/inventory/SKU-1", source_ip="10.1.2.3"))
    inside = bridge.handle(_request("GET", "/v1/ops/inventory/SKU-1"))

    assert outside.status == 403
    assert inside.status == 202
    assert recorder.calls[0][1]["requestContext"]["identity"]["userArn"]


def test_the_openapi_document_is_served_by_the_ops_function_to_loopback_callers() -> None:
    # GIVEN the bridge invoking the real ops handler for the template's GET /v1/openapi.json
    from functions.ops.handlers.api import lambda_handler
    from tests.support.apigw import FakeLambdaContext

    def ops(spec: FunctionSpec, event: Any) -> Invocation:
        return Invocation(lambda_handler(event, FakeLambdaContext()), None, "req-1")

    api = ApiBridge(ops, health=lambda: {"status": "ok", "sandboxes": {}}, port=0)
    api.set_routes(RouteTable.from_template(TEMPLATE), FUNCTIONS, {})
    # WHEN a loopback caller and an outside one ask for it
    inside = api.handle(_request("GET", "/v1/openapi.json"))
    outside = api.handle(_request("GET", "/v1/openapi.json", source_ip="10.1.2.3"))
    # THEN the first gets the committed document, the other the IAM route's 403
    committed = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
    assert inside.status == 200 and inside.body == committed.read_bytes()
    assert outside.status == 403


def test_a_failing_function_or_a_malformed_result_is_a_502(bridge: ApiBridge, recorder: Recorder) -> None:
    recorder.error = {"errorType": "KeyError", "errorMessage": "x"}
    failed = bridge.handle(_request("POST", "/v1/webhooks/shopify"))
    recorder.error, recorder.result = None, {"body": "no status"}
    malformed = bridge.handle(_request("POST", "/v1/webhooks/shopify"))

    assert failed.status == 502 and json.loads(failed.body) == {"message": "Internal server error"}
    assert malformed.status == 502


def test_health_is_503_until_ready(recorder: Recorder) -> None:
    ready: dict[str, Any] = {}
    api = ApiBridge(recorder, health=lambda: ready.get("body"), port=0)

    before = api.handle(_request("GET", "/health"))
    ready["body"] = {"status": "ok", "sandboxes": {"erp": "http://127.0.0.1:1"}}
    api.set_routes(RouteTable.from_template(TEMPLATE), FUNCTIONS, {})
    after = api.handle(_request("GET", "/health"))

    assert before.status == 503
    assert after.status == 200 and json.loads(after.body)["sandboxes"] == {"erp": "http://127.0.0.1:1"}
