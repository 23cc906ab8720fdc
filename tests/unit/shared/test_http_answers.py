"""One answer format for both HTTP APIs: the bytes pydantic writes, the contract's error document."""

from __future__ import annotations

from functions.ops.models.responses import ErrorDetail, ErrorResponse
from shared.errors import ErrorCode, SignatureInvalid, ValidationFailed
from shared.http_answers import error_answer, error_document, json_text, proxy_response


def test_a_plain_error_document_is_byte_for_byte_what_the_error_response_model_writes() -> None:
    for details in (None, [{"field": "id", "message": "Field required", "extra": None}]):
        document = error_document(ErrorCode.VALIDATION_FAILED, "bad – ünïcode", "corr-1234", details)
        model = ErrorResponse(error=ErrorDetail(**document["error"]))
        assert json_text(document, exclude_none=True) == model.model_dump_json(exclude_none=True)


def test_exclude_none_drops_top_level_none_fields_only() -> None:
    assert json_text({"a": 1, "ignored": None, "d": {"x": None}}, exclude_none=True) == '{"a":1,"d":{"x":null}}'
    assert json_text({"a": None}) == '{"a":null}'


def test_a_model_is_written_by_its_own_serializer() -> None:
    model = ErrorDetail(code="X", message="m", correlation_id="c")
    assert json_text(model, exclude_none=True) == model.model_dump_json(exclude_none=True)


def test_a_domain_error_answers_its_status_and_code_and_anything_else_a_500_without_its_text() -> None:
    status, body = error_answer(ValidationFailed("bad", details=[{"field": "x"}]), "corr-1", internal_message="oops")
    assert (status, body["error"]["code"], body["error"]["details"]) == (400, "VALIDATION_FAILED", [{"field": "x"}])
    assert error_answer(SignatureInvalid("no"), "corr-1", internal_message="oops")[0] == 401
    status, body = error_answer(KeyError("secret internals"), "corr-1", internal_message="oops")
    assert (status, body) == (500, {"error": {"code": "INTERNAL", "message": "oops", "correlation_id": "corr-1"}})


def test_the_proxy_answer_is_what_the_rest_resolver_returns_for_the_same_json_response() -> None:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

    from tests.support.apigw import FakeLambdaContext, rest_event

    app = APIGatewayRestResolver()
    body = json_text({"correlation_id": "corr-1234", "duplicate": False})

    @app.post("/v1/webhooks/<source>")
    def _answer(source: str) -> Response:
        return Response(status_code=202, content_type="application/json", body=body)

    resolved = app.resolve(rest_event("POST", "/v1/webhooks/shopify", body=b"{}"), FakeLambdaContext())  # type: ignore[arg-type]
    assert proxy_response(202, body) == resolved
