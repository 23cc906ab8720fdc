"""The local API throttles like the deployed stage: per method settings from the template."""

from __future__ import annotations

import json

from local.api_throttling import Throttling
from local.template import Template

THROTTLED_TEMPLATE = (
    '{"error": {"code": "THROTTLED", "message": "Too many requests; retry later", '
    '"correlation_id": "$context.requestId"}}'
)


def _template(webhook_burst: int = 3) -> Template:
    return Template(
        {
            "Resources": {
                "Stage": {
                    "Type": "AWS::ApiGateway::Stage",
                    "Properties": {
                        "MethodSettings": [
                            {"HttpMethod": "*", "ResourcePath": "/*", "ThrottlingBurstLimit": 100,
                             "ThrottlingRateLimit": 50},
                            {"HttpMethod": "POST", "ResourcePath": "/~1v1~1webhooks~1{source}",
                             "ThrottlingBurstLimit": webhook_burst, "ThrottlingRateLimit": 0.001},
                        ]
                    },
                },
                "Throttled": {
                    "Type": "AWS::ApiGateway::GatewayResponse",
                    "Properties": {
                        "ResponseType": "THROTTLED",
                        "StatusCode": "429",
                        "ResponseTemplates": {"application/json": THROTTLED_TEMPLATE},
                    },
                },
            }
        }
    )


def test_a_burst_beyond_the_webhook_methods_limit_is_refused() -> None:
    throttling = Throttling.from_template(_template(webhook_burst=3))

    admitted = [throttling.admit("/v1/webhooks/{source}", "POST") for _ in range(5)]

    assert admitted == [True, True, True, False, False]


def test_other_methods_fall_back_to_the_stage_default() -> None:
    throttling = Throttling.from_template(_template(webhook_burst=1))
    throttling.admit("/v1/webhooks/{source}", "POST")

    assert throttling.admit("/v1/webhooks/{source}", "POST") is False
    assert all(throttling.admit("/v1/ops/{proxy+}", "GET") for _ in range(100))  # stage burst 100


def test_the_throttled_answer_is_the_templates_gateway_response_with_the_request_id() -> None:
    throttling = Throttling.from_template(_template())

    response = throttling.throttled_response("req-123")

    assert response.status == 429
    assert json.loads(response.body) == {
        "error": {"code": "THROTTLED", "message": "Too many requests; retry later", "correlation_id": "req-123"}
    }
