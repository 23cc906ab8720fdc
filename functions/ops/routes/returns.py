"""Returns: one return with its lines' dispositions and its refund (CONTRACT.md, ReturnFlow)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.ops.routes._http import answer, deps

router = Router()


@router.get("/v1/ops/returns/<source>/<source_return_id>")
def get_return(source: str, source_return_id: str) -> Response:
    from functions.ops.logic.returns import get_return as view

    return answer(view(source, source_return_id, deps(router).need_returns()))
