"""In-memory ports for unit tests, the bench and local experiments (no AWS)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.errors import DeliveryInProgress, SignatureInvalid
from shared.intake_ports import DeliveryWork

if TYPE_CHECKING:
    from shared.models import Envelope


class MemorySecrets:
    def __init__(self, secrets: dict[str, str] | None = None) -> None:
        self.secrets = secrets or {}

    def secret_for(self, source: str) -> str:
        try:
            return self.secrets[source]
        except KeyError:
            raise SignatureInvalid("no signing secret is configured for this source") from None


class MemoryPublisher:
    def __init__(self) -> None:
        self.published: list[tuple[Envelope, bytes]] = []
        self.fail_with: Exception | None = None

    def publish(self, envelope: Envelope, raw_body: bytes) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.published.append((envelope, raw_body))


class MemoryDedupe:
    """Same semantics as the Powertools adapter: results kept per key, nothing kept on failure."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.in_progress: set[str] = set()

    def once(self, key: str, work: DeliveryWork) -> tuple[dict[str, Any], bool]:
        if key in self.in_progress:
            raise DeliveryInProgress("this delivery is being accepted right now; retry shortly")
        if key in self.records:
            return dict(self.records[key]), True
        self.in_progress.add(key)
        try:
            result = work()
        finally:
            self.in_progress.discard(key)
        self.records[key] = dict(result)
        return result, False
