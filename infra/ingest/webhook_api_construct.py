"""The REST API: public webhook routes (signature-checked in the function) and IAM-only ops routes."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import constants as c
from infra.shared.nag import acknowledge, acknowledge_resource

WEBHOOK_PATH = "/v1/webhooks/{source}"
OPS_PATH = "/v1/ops/{proxy+}"


def _error_template(code: str, message: str) -> dict[str, str]:
    """Errors API Gateway answers itself, in the contract's `{"error": {...}}` shape."""
    body = {"error": {"code": code, "message": message, "correlation_id": "$context.requestId"}}
    return {"application/json": json.dumps(body)}


class WebhookApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        ingest_function: lambda_.IFunction,
        ops_function: lambda_.IFunction,
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
                    f"{WEBHOOK_PATH}/POST": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=c.API_WEBHOOK_POST_RATE_LIMIT,
                        throttling_burst_limit=c.API_WEBHOOK_POST_BURST_LIMIT,
                    ),
                    f"{WEBHOOK_PATH}/GET": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=c.API_WEBHOOK_GET_RATE_LIMIT,
                        throttling_burst_limit=c.API_WEBHOOK_GET_BURST_LIMIT,
                    ),
                    f"{OPS_PATH}/ANY": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=c.API_OPS_RATE_LIMIT,
                        throttling_burst_limit=c.API_OPS_BURST_LIMIT,
                    ),
                },
            ),
        )
        api_resource = self.api.node.default_child
        assert isinstance(api_resource, apigw.CfnRestApi)
        api_resource.override_logical_id(c.ID_WEBHOOK_API)

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
        acknowledge_resource(
            self.ops_method,
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
        acknowledge_resource(
            self.api.deployment_stage,
            "AwsSolutions-APIG3",
            "Vendor webhook senders use unpublished, changing IP ranges, so IP-based WAF rules do not apply; "
            "stage and per-method throttling plus signature verification protect the routes",
        )
        acknowledge(
            self.api.node.find_child("CloudWatchRole"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway CloudWatch role needs AWS's managed push-to-logs policy; "
            "it is what API Gateway documents for access logging",
        )
        cdk.CfnOutput(self, "ApiUrl", value=self.api.url)
