"""`GET /v1/openapi.json`: the OpenAPI document of the webhook and ops routes (CONTRACT.md, "API
description").

The document is generated at build time (`make openapi`: infra/ops/openapi_document.py, from the
models the routes validate and answer with) and shipped in the asset beside this package, so serving
it imports no model: the file is read on the route's first request and kept for the warm ones.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.http_answers import APPLICATION_JSON

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi.json"

router = Router()


@lru_cache(maxsize=1)
def document_text() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@router.get("/v1/openapi.json")
def get_openapi_document() -> Response:
    return Response(status_code=200, content_type=APPLICATION_JSON, body=document_text())
