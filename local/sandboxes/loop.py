"""Loop Returns sandbox: the Return Actions API that ReturnFlow's ReportOutcome calls.

What it follows (found with the search tool):
- ``POST /api/v1/warehouse/return/{return_id}/process``: "Process a return in Loop based on the
  return ID. Processing a return will archive it in Loop and fulfill any remaining outcomes"; the
  answer is HTTP 200 with body ``true``, "an acknowledgement that Loop queued the work"
  (https://docs.loopreturns.com/openapi/returns-api.yaml, operation ``processReturn``).
- ``POST /api/v1/warehouse/return/{return_id}/close``: "Closing a return will not fulfill any
  outcomes such as exchanges or gift cards, and the items are not able to be used in a new return";
  200 ``true`` (https://docs.loopreturns.com/reference/closereturn).
- ``return_id`` is an integer path parameter; the API key goes in ``X-Authorization`` and needs the
  Returns scope ("Actioning on Returns", https://docs.loopreturns.com/integration-guides/return-actions).

Sandbox liberties: one API key (``LOOP_SANDBOX_API_KEY``, the functions' local default); a missing or
wrong key is 401 ``{"error": {"code": "UNAUTHORIZED", ...}}`` (the stored pages give the status, not
the body); any integer id is a return Loop knows (the webhook fixtures' ids need no seeding); an action
on a return already processed or closed answers ``true`` again and changes nothing, so a retried
ReportOutcome is harmless. ``GET /__admin/actions`` lists every action received in order, and
``GET /__admin/returns`` each return's final state.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, json_response, raw_header, route, utc_now_iso
from local.sandboxes.stores import clear_stores, counted

LOOP_SANDBOX_API_KEY = "local-loop-api-key"  # functions/returns/settings.py's local default
ACTION_PATH = "/api/v1/warehouse/return/<int:return_id>/<any(process, close):action>"
STATES = {"process": "processed", "close": "closed"}


class LoopSandbox(Sandbox):
    name: ClassVar[str] = "loop"

    def __init__(self, api_key: str = LOOP_SANDBOX_API_KEY) -> None:
        self.api_key = api_key
        self._store_lock = threading.Lock()
        self._actions: list[dict[str, Any]] = []
        self._states: dict[str, str] = {}
        super().__init__()

    def before_route(self, request: Request) -> Response | None:
        if raw_header(request, "X-Authorization") == self.api_key:
            return None
        return self.error(401, "UNAUTHORIZED", "A valid API key with the Returns scope is required.")

    @route("POST", ACTION_PATH)
    def return_action(self, request: Request, return_id: int, action: str) -> Response:
        key = str(return_id)
        with self._store_lock:
            final = self._states.get(key)
            applied = final is None
            if applied:
                self._states[key] = STATES[action]
            self._actions.append(
                {
                    "return_id": key,
                    "action": action,
                    "applied": applied,
                    "state": self._states[key],
                    "at": utc_now_iso(),
                }
            )
        return json_response(True)

    def actions(self) -> list[dict[str, Any]]:
        """Every action received, in order (for in-process callers)."""
        with self._store_lock:
            return [dict(action) for action in self._actions]

    def states(self) -> dict[str, str]:
        """Each return's final state: ``processed`` or ``closed``."""
        with self._store_lock:
            return dict(self._states)

    @admin_route("GET", "actions")
    def admin_get_actions(self, request: Request) -> Response:
        return counted("items", self.actions())

    @admin_route("GET", "returns")
    def admin_get_returns(self, request: Request) -> Response:
        return json_response(self.states())

    def reset_state(self) -> None:
        clear_stores(self._store_lock, self._actions, self._states)
