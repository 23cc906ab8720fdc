"""Run ids of the reconciliations (inventory and settlements): time-ordered, so runs list newest
first by sorting their ids (`20261204T210300Z-1a2b3c4d`)."""

from __future__ import annotations

import uuid
from datetime import datetime


def new_run_id(at: datetime) -> str:
    return f"{at.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"
