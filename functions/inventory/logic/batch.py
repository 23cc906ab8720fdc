"""One SQS batch of the inventory queue: movements aggregated per position, the rest record by record.

Records whose envelope normalizes to stock movements only are applied together (one write per
position for the whole batch, docs/inventory.md); their exactly-once comes from the movement
markers. Anything else (adjustments, shipments, and every record that does not parse or
normalize, which the record path turns into poison) goes through the idempotent record worker.
Failures come back as a partial batch response, so only the failed records are retried; one
failing on its last receive is kept as a `dead_letter` exception first (shared/adapters/dead_letters.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.inventory.logic.intake import InventoryIntake
from shared.adapters.dead_letters import DeadLetters, process_sqs_batch
from shared.envelope_worker import EnvelopeWorker
from shared.models import Envelope, InventoryMovement
from shared.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext


class InventoryBatch:
    def __init__(
        self, records: EnvelopeWorker, intake: InventoryIntake | None = None, letters: DeadLetters | None = None
    ) -> None:
        self.records = records
        self.intake = intake  # None: no aggregation, every record on its own
        self.letters = letters

    def handle(self, event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        self.records.config.register_lambda_context(context)
        aggregated: list[tuple[str, Envelope, list[InventoryMovement]]] = []
        rest: list[dict[str, Any]] = []
        for record in event.get("Records", []):
            split = self._movements_of(record)
            if split is None:
                rest.append(record)
            else:
                aggregated.append((record["messageId"], *split))
        failures: list[str] = []
        # Absolute reports (adjustments) and shipments first: a count in the same batch as newer
        # deltas then lands before them instead of being refused as older.
        if rest:
            response = process_sqs_batch({"Records": rest}, self.records, self.letters, context)
            failures += [str(item["itemIdentifier"]) for item in response.get("batchItemFailures", [])]
        if aggregated and self.intake is not None:
            outcome = self.intake.apply_movements([(envelope, moves) for _, envelope, moves in aggregated])
            failures += [aggregated[i][0] for i in sorted(outcome.failed)]
            if self.letters is not None and outcome.failed:
                by_id = {record["messageId"]: record for record in event.get("Records", [])}
                for i in sorted(outcome.failed):
                    self.letters.failed(by_id[aggregated[i][0]], None, reason="movements not applied")
            logger.info(
                "movements applied in aggregate",
                records=len(aggregated),
                positions=outcome.positions,
                writes=outcome.writes,
                failed=len(outcome.failed),
            )
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures]}

    def _movements_of(self, record: dict[str, Any]) -> tuple[Envelope, list[InventoryMovement]] | None:
        """(envelope, movements) when the record holds movements only; None sends it to the record path."""
        if self.intake is None:
            return None
        try:
            envelope, commands = self.intake.normalize(Envelope.model_validate_json(record["body"]))
        except Exception:  # noqa: BLE001  (the record path classifies it: poison or transient)
            return None
        if commands and all(isinstance(command, InventoryMovement) for command in commands):
            return envelope, [command for command in commands if isinstance(command, InventoryMovement)]
        return None
