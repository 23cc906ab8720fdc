"""The POS file import's environment, read once per cold start."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator

from shared.settings import PullIntakeSettings

ENV_POS_STORE_TIME_ZONES = "POS_STORE_TIME_ZONES"


class PosFilesSettings(PullIntakeSettings):
    pos_files_bucket_name: Annotated[str, Field(min_length=3)]
    # JSON {"<store_id>": "<IANA time zone>"}: the stores' wall clocks the files are written in.
    pos_store_time_zones: dict[str, str] = {}

    @field_validator("pos_store_time_zones", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value
