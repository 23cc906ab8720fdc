"""Settings of the reconciliation function (read once per cold start)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings


class ReconciliationSettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=3)]
    erp_base_url: Annotated[str, Field(min_length=8)]
    wms_base_url: Annotated[str, Field(min_length=8)]
    # A variance is corrected automatically only within both (units, and value where a cost is known).
    reconciliation_tolerance_units: Annotated[int, Field(ge=0)] = 5
    reconciliation_tolerance_value: Annotated[Decimal, Field(ge=0)] = Decimal("100")
    snapshot_timeout_seconds: float = 20.0
