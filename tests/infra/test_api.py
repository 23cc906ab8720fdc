"""The REST API: routes, authorization, throttling, logging."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra import constants as c
from local.api_routes import Match, RouteTable
from local.template import Template
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


def test_api_exposes_exactly_the_webhook_ops_and_status_routes(resources: dict[str, dict[str, Any]]) -> None:
    assert set(_methods(resources)) == {
        ("/v1/webhooks/{source}", "POST"),
        ("/v1/webhooks/{source}", "GET"),
        ("/v1/ops/{proxy+}", "ANY"),
        ("/v1/openapi.json", "GET"),
        ("/v1/status/orders/{channel}/{channel_order_id}", "GET"),
    }


def test_the_status_route_needs_its_api_key_and_reaches_only_the_status_function(
    resources: dict[str, dict[str, Any]],
) -> None:
    method = _methods(resources)[("/v1/status/orders/{channel}/{channel_order_id}", "GET")]
    assert method["ApiKeyRequired"] is True
    assert method["AuthorizationType"] == "NONE"
    assert f"<{c.ID_STATUS_API_FUNCTION}.Arn>" in render(method["Integration"]["Uri"])
    # One key, in one usage plan (rate, burst, daily quota) on the API's stage.
    keys = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::ApiKey"]
    plans = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::UsagePlan"]
    links = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::UsagePlanKey"]
    assert len(keys) == 1 and "Value" not in keys[0]["Properties"]  # deployed: API Gateway generates it
    assert len(plans) == 1 and len(links) == 1
    assert plans[0]["Throttle"] == {"RateLimit": c.STATUS_API_RATE_LIMIT, "BurstLimit": c.STATUS_API_BURST_LIMIT}
    assert plans[0]["Quota"] == {"Limit": c.STATUS_API_DAILY_QUOTA, "Period": "DAY"}
    assert plans[0]["ApiStages"][0]["ApiId"] == {"Ref": c.ID_WEBHOOK_API}


@pytest.mark.parametrize("verb", ["POST", "GET"])
def test_webhook_routes_are_public_lambda_proxies_to_ingest(resources: dict[str, dict[str, Any]], verb: str) -> None:
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


def test_the_openapi_document_is_served_by_the_ops_function_under_iam(resources: dict[str, dict[str, Any]]) -> None:
    method = _methods(resources)[("/v1/openapi.json", "GET")]
    assert method["AuthorizationType"] == "AWS_IAM"
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert f"<{c.ID_OPS_API_FUNCTION}.Arn>" in render(method["Integration"]["Uri"])


def test_every_documented_operation_reaches_its_function_with_its_authorization(
    resources: dict[str, dict[str, Any]],
) -> None:
    # The API Gateway routes (as the local stack reads them from the template) against docs/openapi.json:
    # a documented operation API Gateway does not route, or routes to the wrong function, fails here.
    routes = RouteTable.from_template(Template({"Resources": resources}))
    document = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
    for path, operations in document["paths"].items():
        for verb, operation in operations.items():
            concrete = path.replace("{source}", "shopify")
            for name in re.findall(r"{(\w+)}", concrete):
                concrete = concrete.replace(f"{{{name}}}", "x")
            matched = routes.match(verb.upper(), concrete)
            assert isinstance(matched, Match), f"{verb.upper()} {path} has no API Gateway route"
            function = (
                c.ID_INGEST_FUNCTION
                if path.startswith("/v1/webhooks/")
                else c.ID_STATUS_API_FUNCTION
                if path.startswith("/v1/status/")
                else c.ID_OPS_API_FUNCTION
            )
            assert matched.route.function is not None and function in matched.route.function, path
            schemes = {name for requirement in operation.get("security", []) for name in requirement}
            assert matched.route.authorization == ("AWS_IAM" if "sigv4" in schemes else "NONE"), path
            assert matched.route.api_key_required == ("status_api_key" in schemes), path


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


def _web_acl(resources: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    [(logical_id, acl)] = [(k, r) for k, r in resources.items() if r["Type"] == "AWS::WAFv2::WebACL"]
    return logical_id, acl["Properties"]


def test_the_api_stage_is_behind_a_regional_web_acl(resources: dict[str, dict[str, Any]]) -> None:
    acl_id, acl = _web_acl(resources)
    assert acl["Scope"] == "REGIONAL"
    [association] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    assert f"<{acl_id}.Arn>" in render(association["WebACLArn"])
    assert "/stages/" in render(association["ResourceArn"])


def test_the_web_acl_rate_limits_each_source_ip_and_path(resources: dict[str, dict[str, Any]]) -> None:
    rules = {r["Name"]: r for r in _web_acl(resources)[1]["Rules"]}
    rate = rules["RatePerSourceIpAndPath"]["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "CUSTOM_KEYS"
    assert [next(iter(key)) for key in rate["CustomKeys"]] == ["IP", "UriPath"]
    assert rules["RatePerSourceIpAndPath"]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429


def test_the_web_acl_runs_aws_managed_rule_groups_without_refusing_large_vendor_bodies(
    resources: dict[str, dict[str, Any]],
) -> None:
    rules = {r["Name"]: r for r in _web_acl(resources)[1]["Rules"]}
    managed = {
        name: rule["Statement"]["ManagedRuleGroupStatement"]
        for name, rule in rules.items()
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(managed)
    overrides = {o["Name"]: o["ActionToUse"] for o in managed["AWSManagedRulesCommonRuleSet"]["RuleActionOverrides"]}
    assert overrides["SizeRestrictions_BODY"] == {"Count": {}}


def test_bodies_over_the_contract_limit_get_the_contracts_413_before_lambda(
    resources: dict[str, dict[str, Any]],
) -> None:
    acl = _web_acl(resources)[1]
    [rule] = [r for r in acl["Rules"] if r["Priority"] == 0]
    statement = rule["Statement"]["RegexMatchStatement"]
    assert statement["FieldToMatch"] == {"SingleHeader": {"Name": "content-length"}}
    pattern = re.compile(statement["RegexString"])
    over = [c.WEBHOOK_MAX_BODY_BYTES + 1, 6 * 1024 * 1024 + 1, 8_000_000, 10 * 1024 * 1024]
    under = [0, 1, 8192, c.WEBHOOK_MAX_BODY_BYTES - 1, c.WEBHOOK_MAX_BODY_BYTES]
    assert all(pattern.match(str(n)) for n in over)
    assert not any(pattern.match(str(n)) for n in under)
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 413
    body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body["ContentType"] == "APPLICATION_JSON"
    assert json.loads(body["Content"])["error"]["code"] == "PAYLOAD_TOO_LARGE"
