"""The base of every model in the asset.

`defer_build`: pydantic builds a model's validator and serializer when it is first used, not when
its class is defined. A handler module defines (or imports) many more models than one request
touches; building all of them at import cost each cold start 30-120 ms (issue 7). The first
validation of a model builds it (about 1 ms for a small one, measured by `make bench` as the
first request's cost). See https://docs.pydantic.dev/latest/api/config/#pydantic.config.ConfigDict.defer_build
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
