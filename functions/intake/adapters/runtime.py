"""Builds the pollers' watermark store from their settings, once per cold start (their intake:
shared/adapters/intake_runtime.py).

Keyed by the settings object, so a new environment (the local stack booting again in the same
process, after ``shared.settings.cached`` was cleared) builds new collaborators.
"""

from __future__ import annotations

from functools import cache

from functions.intake.adapters.watermarks import DynamoWatermarkStore
from functions.intake.settings import PollerSettings


def watermarks_for(settings: PollerSettings) -> DynamoWatermarkStore:
    return _watermarks(settings.state_table_name)


@cache
def _watermarks(table_name: str) -> DynamoWatermarkStore:
    return DynamoWatermarkStore(table_name)
