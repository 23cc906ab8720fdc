"""The REST API: routes, authorization, throttling, logging."""

from __future__ import annotations

from typing import Any

import pytest

from infra import constants as c
from tests.infra.conftest import render


def _resource_paths(resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Logical id of each API Gateway resource -> its full path."""
    parts = {
        k: (r["Properties"]["PathPart"], r["Properties"]["ParentId"])
        for k, r in resources.items()
        if r["Type"] == "AWS::ApiGateway::Resource"
    }

    def path(k: str) -> str:
        part, parent = parts[k]
        parent_id = parent.get("Ref")
        prefix = path(parent_id) if parent_id in parts else ""
        return f"{prefix}/{part}"

    return {k: path(k) for k in parts}


def _methods(resources: dict[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    paths = _resource_paths(resources)
    return {
        (paths[r["Properties"]["ResourceId"]["Ref"]], r["Properties"]["HttpMethod"]): r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::Method"
    }


def test_api_exposes_exactly_the_webhook_and_ops_routes(resources: dict[str, dict[str, Any]]) -> None:
    assert set(_methods(resources)) == {
        ("/v1/webhooks/{source}", "POST"),
        ("/v1/webhooks/{source}", "GET"),
        ("/v1/ops/{proxy+}", "ANY"),
    }


@pytest.mark.parametrize("verb", ["POST", "GET"])
def test_webhook_routes_are_public_lambda_proxies_to_ingest(
    resources: dict[str, dict[str, Any]], verb: str
) -> None:
    method = _methods(resources)[("/v1/webhooks/{source}", verb)]
    assert method["AuthorizationType"] == "NONE"
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert f"<{c.ID_INGEST_FUNCTION}.Arn>" in render(method["Integration"]["Uri"])
    assert method["RequestParameters"] == {"method.request.path.source": True}
    assert "RequestValidatorId" in method


def test_ops_routes_require_iam_authorization(resources: dict[str, dict[str, Any]]) -> None:
    method = _methods(resources)[("/v1/ops/{proxy+}", "ANY")]
    assert method["AuthorizationType"] == "AWS_IAM"
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert f"<{c.ID_OPS_API_FUNCTION}.Arn>" in render(method["Integration"]["Uri"])


def _stage(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    stages = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert len(stages) == 1
    return stages[0]


def test_stage_throttles_every_method_and_each_route_separately(resources: dict[str, dict[str, Any]]) -> None:
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in _stage(resources)["MethodSettings"]}
    stage_wide = settings[("/*", "*")]
    assert stage_wide["ThrottlingRateLimit"] == c.API_STAGE_RATE_LIMIT
    assert stage_wide["ThrottlingBurstLimit"] == c.API_STAGE_BURST_LIMIT
    post = settings[("/~1v1~1webhooks~1{source}", "POST")]
    assert post["ThrottlingRateLimit"] == c.API_WEBHOOK_POST_RATE_LIMIT
    ops = settings[("/~1v1~1ops~1{proxy+}", "ANY")]
    assert ops["ThrottlingRateLimit"] == c.API_OPS_RATE_LIMIT


def test_stage_writes_access_logs_and_traces(resources: dict[str, dict[str, Any]]) -> None:
    stage = _stage(resources)
    assert stage["StageName"] == "test"
    assert stage["TracingEnabled"] is True
    assert stage["AccessLogSetting"]["DestinationArn"]


def test_api_throttling_answers_in_the_contract_error_shape(resources: dict[str, dict[str, Any]]) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::GatewayResponse"
    }
    assert responses["THROTTLED"]["StatusCode"] == "429"
    assert '"code": "THROTTLED"' in responses["THROTTLED"]["ResponseTemplates"]["application/json"]
