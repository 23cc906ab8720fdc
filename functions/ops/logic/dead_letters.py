"""`POST /v1/ops/dlq/{queue}/redrive`: a dead-letter queue's messages back to their source queue.

`{queue}` is a short name from the template's redrive policies (`DEAD_LETTER_QUEUES`, set by
infra/ops/ops_api_construct.py): `orders`, `inventory`, `pos-files`, `availability`,
`channel-outbound`. An unknown name is a 404 listing the known ones.
"""

from __future__ import annotations

from typing import Protocol

from shared.errors import NotFound
from shared.models.base import Model

MAX_MOVED = 1000  # per call: run it again for more
BUDGET_SECONDS = 20.0  # inside API Gateway's 29 s


class RedrivePort(Protocol):
    def move(self, dlq_url: str, queue_url: str, limit: int, budget_seconds: float) -> int: ...


class Redriven(Model):
    queue: str
    moved: int


def redrive(port: RedrivePort, queues: dict[str, dict[str, str]], queue: str) -> Redriven:
    pair = queues.get(queue)
    if pair is None:
        known = ", ".join(sorted(queues)) or "none configured"
        raise NotFound(f"no dead-letter queue named {queue[:64]} (known: {known})")
    return Redriven(queue=queue, moved=port.move(pair["dlq"], pair["queue"], MAX_MOVED, BUDGET_SECONDS))
