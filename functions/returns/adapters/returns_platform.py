"""The returns platform (Loop): the return's outcome reported back.

Loop's Return Actions API (https://docs.loopreturns.com/integration-guides/return-actions): with
the `X-Authorization` API key, `POST /api/v1/warehouse/return/{return_id}/process` completes a
return (Loop then runs its outcomes), `POST /api/v1/warehouse/return/{return_id}/close` closes it
without outcomes ("the items are not able to be used in a new return"). Both are safe to repeat.
Returns from other sources (a marketplace, a store) have no platform to tell.
"""

from __future__ import annotations

from typing import Protocol

from shared.adapters.http import HttpConnector
from shared.channels.clients._token import Token, read_token


class ReturnsPlatformPort(Protocol):
    def report(self, source: str, source_return_id: str, processed: bool) -> bool:
        """Tell the platform; False when the source has no platform to tell."""
        ...


class LoopReturns(HttpConnector):
    system = "loop"

    def __init__(self, base_url: str, api_key: Token, timeout: float = 10.0) -> None:
        """`api_key`: the key, or how to read it when a return is reported (deployed, the vendor
        secret's `loop_api_key`)."""
        super().__init__(base_url, timeout=timeout)
        self._key = api_key

    def report(self, source: str, source_return_id: str, processed: bool) -> bool:
        if source != "loop":
            return False
        action = "process" if processed else "close"
        key = read_token(self._key)
        self._send("POST", f"/api/v1/warehouse/return/{source_return_id}/{action}", headers={"X-Authorization": key})
        return True
