"""Dead-letter queues: redrive one back to its source queue."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.ops.routes._http import answer, deps

router = Router()


@router.post("/v1/ops/dlq/<queue>/redrive")
def redrive_dead_letters(queue: str) -> Response:
    from functions.ops.logic.dead_letters import redrive

    given = deps(router)
    return answer(redrive(given.need_redrive(), given.dead_letter_queues or {}, queue))
