"""The REST API: public webhook routes (signature-checked in the function) and IAM-only ops routes."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra import constants as c
from infra.shared.logical_ids import pin_logical_id
from infra.shared.nag import acknowledge, acknowledge_resource
from shared.limits import WEBHOOK_MAX_BODY_BYTES

WEBHOOK_PATH = "/v1/webhooks/{source}"
OPS_PATH = "/v1/ops/{proxy+}"
# The OpenAPI document of the API (CONTRACT.md, "API description"), served by the ops function.
OPENAPI_PATH = "/v1/openapi.json"
# The customer-safe order status (issue 12.3), behind the helpdesk integration's own API key.
STATUS_PATH = "/v1/status/orders/{channel}/{channel_order_id}"
# Per-method throttling below the stage's: `<path>/<method>` -> (rate, burst).
METHOD_THROTTLING = {
    f"{WEBHOOK_PATH}/POST": (c.API_WEBHOOK_POST_RATE_LIMIT, c.API_WEBHOOK_POST_BURST_LIMIT),
    f"{WEBHOOK_PATH}/GET": (c.API_WEBHOOK_GET_RATE_LIMIT, c.API_WEBHOOK_GET_BURST_LIMIT),
    f"{OPS_PATH}/ANY": (c.API_OPS_RATE_LIMIT, c.API_OPS_BURST_LIMIT),
    f"{OPENAPI_PATH}/GET": (c.API_OPS_RATE_LIMIT, c.API_OPS_BURST_LIMIT),
}


def _error_template(code: str, message: str) -> dict[str, str]:
    """Errors API Gateway answers itself, in the contract's `{"error": {...}}` shape."""
    body = {"error": {"code": code, "message": message, "correlation_id": "$context.requestId"}}
    return {"application/json": json.dumps(body)}


# What a refused request costs before the signature check (issue 14.2):
# - refused by the web ACL (oversize body, flood from one source, managed-rule match): WAF's
#   per-request charge only; no API Gateway request is billed, no Lambda invocation, no AWS call;
# - throttled by the stage or method bucket, or refused by API Gateway itself (10 MB payload
#   limit, unknown route): API Gateway's gateway response, no Lambda invocation, no AWS call;
# - reaching the ingest function with a bad signature: one Lambda invocation; the signing secret
#   comes from the function's in-memory cache (at most one Secrets Manager GetSecretValue per
#   execution environment every 5 minutes, functions/ingest/adapters/secrets.py); no DynamoDB,
#   SQS or S3 call (CONTRACT.md: a refused request leaves nothing behind but a log line and a metric).
WAF_BODY_RULE = "BodyOverContractLimit"
WAF_RATE_RULE = "RatePerSourceIpAndPath"
WAF_BODY_KEY = "payload_too_large"
# Requests per source IP and path in a 5-minute window. Shopify retries failed deliveries over
# 48 hours from a pool of addresses, so one address sending over 10/s to one route is a flood.
WAF_RATE_LIMIT_PER_5_MINUTES = 3000
WAF_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesCommonRuleSet",
)
# Vendor bodies are up to 256 KiB and their signature covers the raw bytes: the common rule set's
# body-size rule (8 KB) and body inspections would refuse real orders, so they only count.
WAF_COUNTED_RULES = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY")


def content_length_over(limit: int) -> str:
    """A regular expression matching a decimal Content-Length greater than `limit`.

    WAF compares sizes of text, not numbers, so the number is matched by its digits: any longer
    number, or one of equal length that is greater at its first differing digit.
    """
    digits = str(limit)
    options = [rf"[1-9]\d{{{len(digits)},}}"]
    for i, d in enumerate(digits):
        if d != "9":
            rest = len(digits) - i - 1
            tail = rf"\d{{{rest}}}" if rest else ""
            options.append(f"{digits[:i]}[{int(d) + 1}-9]{tail}")
    return "^0*(" + "|".join(options) + ")$"


def _edge_web_acl(scope: Construct, environment: str) -> wafv2.CfnWebACL:
    """The public edge's web ACL, evaluated before API Gateway throttling and before Lambda.

    - Body size: API Gateway REST accepts payloads up to 10 MB, a synchronous Lambda invoke takes
      6 MB ("Invocation payload (request and response): 6 MB each for request and response
      (synchronous)", Lambda quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
      so a 6-10 MB body would be a 5xx from API Gateway. The contract's limit is 256 KiB; the
      Content-Length header is checked here (a header, so no body inspection limit applies) and
      anything over it gets the contract's 413 body. "You can instruct AWS WAF to send a custom
      HTTP response back to the client for rule actions ... set to Block ... you define the
      status code, headers, and response body"
      (https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html);
      "Custom responses that you specify for the AWS WAF Block action take precedence over any
      response specifications that you define in your protected resource" (same page).
      A request without Content-Length (chunked) falls through to the function's own 413 check.
    - Flood: a rate-based rule keyed on source IP and URI path (AggregateKeyType CUSTOM_KEYS,
      AWS::WAFv2::WebACL RateBasedStatement), so one caller flooding one route is blocked while
      other sources and routes keep their share of the stage's throttle bucket.
    - AWS managed rule groups: IP reputation, known bad inputs, the common rule set (body rules
      counted only, see WAF_COUNTED_RULES).
    """
    correlation = "WAF"
    too_large = json.dumps(
        {
            "error": {
                "code": "PAYLOAD_TOO_LARGE",
                "message": f"body is over {WEBHOOK_MAX_BODY_BYTES} bytes",
                "correlation_id": correlation,
            }
        }
    )

    def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
        )

    rules = [
        wafv2.CfnWebACL.RuleProperty(
            name=WAF_BODY_RULE,
            priority=0,
            statement=wafv2.CfnWebACL.StatementProperty(
                regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": "content-length"}),
                    regex_string=content_length_over(WEBHOOK_MAX_BODY_BYTES),
                    text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
                )
            ),
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                        response_code=413, custom_response_body_key=WAF_BODY_KEY
                    )
                )
            ),
            visibility_config=visibility(WAF_BODY_RULE),
        ),
        wafv2.CfnWebACL.RuleProperty(
            name=WAF_RATE_RULE,
            priority=1,
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="CUSTOM_KEYS",
                    limit=WAF_RATE_LIMIT_PER_5_MINUTES,
                    evaluation_window_sec=300,
                    custom_keys=[
                        wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(ip={}),
                        wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(
                            uri_path=wafv2.CfnWebACL.RateLimitUriPathProperty(
                                text_transformations=[
                                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
                                ]
                            )
                        ),
                    ],
                )
            ),
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                        response_code=429, custom_response_body_key="throttled"
                    )
                )
            ),
            visibility_config=visibility(WAF_RATE_RULE),
        ),
    ]
    for priority, group in enumerate(WAF_MANAGED_RULE_GROUPS, start=2):
        counted = WAF_COUNTED_RULES if group == "AWSManagedRulesCommonRuleSet" else ()
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                            for rule in counted
                        ]
                        or None,
                    )
                ),
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                visibility_config=visibility(group),
            )
        )
    throttled = json.dumps(
        {"error": {"code": "THROTTLED", "message": "Too many requests; retry later", "correlation_id": correlation}}
    )
    return wafv2.CfnWebACL(
        scope,
        "EdgeWebAcl",
        name=f"{c.SERVICE}-{environment}-edge",
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        custom_response_bodies={
            WAF_BODY_KEY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                content_type="APPLICATION_JSON", content=too_large
            ),
            "throttled": wafv2.CfnWebACL.CustomResponseBodyProperty(content_type="APPLICATION_JSON", content=throttled),
        },
        rules=rules,
        visibility_config=visibility(f"{c.SERVICE}-{environment}-edge"),
    )


class WebhookApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        ingest_function: lambda_.IFunction,
        ops_function: lambda_.IFunction,
        status_function: lambda_.IFunction,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS, removal_policy=removal_policy
        )
        self.api = apigw.RestApi(
            self,
            c.ID_WEBHOOK_API,
            rest_api_name=f"{c.SERVICE}-{environment}",
            description=f"{c.SERVICE} {environment}: vendor webhooks and the ops API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Stage access logs need the account-level CloudWatch role.
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=environment,
                throttling_rate_limit=c.API_STAGE_RATE_LIMIT,
                throttling_burst_limit=c.API_STAGE_BURST_LIMIT,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # bodies carry customer data
                metrics_enabled=True,
                tracing_enabled=True,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                method_options={
                    method: apigw.MethodDeploymentOptions(throttling_rate_limit=rate, throttling_burst_limit=burst)
                    for method, (rate, burst) in METHOD_THROTTLING.items()
                },
            ),
        )
        pin_logical_id(self.api, c.ID_WEBHOOK_API)

        self.api.add_gateway_response(
            "Throttled",
            type=apigw.ResponseType.THROTTLED,
            status_code="429",
            templates=_error_template("THROTTLED", "Too many requests; retry later"),
        )
        self.api.add_gateway_response(
            "TooLarge",
            type=apigw.ResponseType.REQUEST_TOO_LARGE,
            status_code="413",
            templates=_error_template("PAYLOAD_TOO_LARGE", "Request body too large"),
        )

        # The body is the vendor's bytes and its signature covers them exactly, so only the
        # path parameter is validated here; the function validates the payload.
        params_validator = self.api.add_request_validator(
            "PathValidator", validate_request_parameters=True, validate_request_body=False
        )
        ingest = apigw.LambdaIntegration(ingest_function, proxy=True, allow_test_invoke=False)
        ops = apigw.LambdaIntegration(ops_function, proxy=True, allow_test_invoke=False)

        v1 = self.api.root.add_resource("v1")
        source = v1.add_resource("webhooks").add_resource("{source}")
        self.webhook_methods = [
            source.add_method(
                verb,
                ingest,
                authorization_type=apigw.AuthorizationType.NONE,
                request_parameters={"method.request.path.source": True},
                request_validator=params_validator,
            )
            for verb in ("POST", "GET")  # GET answers eBay's endpoint challenge
        ]
        self.ops_method = (
            v1.add_resource("ops")
            .add_resource("{proxy+}")
            .add_method("ANY", ops, authorization_type=apigw.AuthorizationType.IAM)
        )
        # IAM like the ops routes, not public: the document describes the ops API for operators and
        # their tooling (the CLI, the fuzzer), who sign with SigV4 anyway; vendors need none of it, and a
        # public route would be one more unauthenticated way to invoke the ops function.
        self.openapi_method = v1.add_resource("openapi.json").add_method(
            "GET", ops, authorization_type=apigw.AuthorizationType.IAM
        )

        self.status_method = self._status_route(v1, status_function, params_validator, environment)

        for method in self.webhook_methods:
            acknowledge_resource(
                method,
                "AwsSolutions-APIG4",
                "Vendor webhooks cannot send AWS credentials or tokens; every request is authenticated in "
                "the ingest function by the vendor's HMAC/ECDSA signature over the raw body",
            )
            acknowledge_resource(
                method,
                "AwsSolutions-COG4",
                "Vendor webhooks cannot use Cognito; authenticated by the vendor signature in the function",
            )
        for method in (self.ops_method, self.openapi_method):
            acknowledge_resource(
                method,
                "AwsSolutions-COG4",
                "Ops routes are for operators and automation with IAM identities: AWS_IAM (SigV4) authorization",
            )
        acknowledge_resource(
            self.api,
            "AwsSolutions-APIG2",
            "Path parameters are validated here; bodies are not, because the vendor signature covers the raw "
            "bytes and each vendor/topic has its own schema: the ingest function validates them and answers "
            "400 with field details in the contract's error shape",
        )
        self.web_acl = _edge_web_acl(self, environment)
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.api.deployment_stage.stage_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
        acknowledge(
            self.api.node.find_child("CloudWatchRole"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway CloudWatch role needs AWS's managed push-to-logs policy; "
            "it is what API Gateway documents for access logging",
        )
        cdk.CfnOutput(self, "ApiUrl", value=self.api.url)

    def _status_route(
        self,
        v1: apigw.Resource,
        status_function: lambda_.IFunction,
        validator: apigw.RequestValidator,
        environment: str,
    ) -> apigw.Method:
        """`GET /v1/status/orders/{channel}/{channel_order_id}` with `apiKeyRequired`: API Gateway
        refuses a request without a valid `x-api-key` (403) before any Lambda runs. The key belongs to
        one usage plan (rate, burst, daily quota) so a runaway helpdesk cannot drain the account's
        API Gateway or Lambda capacity. Deployed, API Gateway generates the key's value; the local
        environment's template names it (the local bridge checks it the same way)."""
        method = (
            v1.add_resource("status")
            .add_resource("orders")
            .add_resource("{channel}")
            .add_resource("{channel_order_id}")
            .add_method(
                "GET",
                apigw.LambdaIntegration(status_function, proxy=True, allow_test_invoke=False),
                authorization_type=apigw.AuthorizationType.NONE,
                api_key_required=True,
                request_parameters={
                    "method.request.path.channel": True,
                    "method.request.path.channel_order_id": True,
                },
                request_validator=validator,
            )
        )
        key = self.api.add_api_key(
            c.ID_STATUS_API_KEY,
            api_key_name=f"{c.SERVICE}-{environment}-status",
            description="The helpdesk integration's key for the customer-safe order status route",
            value=c.LOCAL_STATUS_API_KEY if environment == c.LOCAL_ENVIRONMENT else None,
        )
        plan = self.api.add_usage_plan(
            c.ID_STATUS_USAGE_PLAN,
            name=f"{c.SERVICE}-{environment}-status",
            throttle=apigw.ThrottleSettings(rate_limit=c.STATUS_API_RATE_LIMIT, burst_limit=c.STATUS_API_BURST_LIMIT),
            quota=apigw.QuotaSettings(limit=c.STATUS_API_DAILY_QUOTA, period=apigw.Period.DAY),
        )
        plan.add_api_key(key)
        plan.add_api_stage(stage=self.api.deployment_stage)
        for rule, reason in (
            (
                "AwsSolutions-APIG4",
                "A helpdesk integration sends a static header, not SigV4 or a user token: the route is "
                "guarded by its own API key and usage plan (API Gateway refuses a missing or wrong key "
                "before any Lambda runs) and answers a read-only, customer-safe view",
            ),
            ("AwsSolutions-COG4", "The helpdesk is a machine caller with an API key, not a Cognito user"),
        ):
            acknowledge_resource(method, rule, reason)
        return method
