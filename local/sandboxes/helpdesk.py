"""Customer-service platform sandbox (Zendesk): the Events API the customer-status publisher calls.

What it follows (found with the search tool):
- ``POST /api/v2/user_profiles/events`` ("Track Event Against a Sunshine Profile",
  https://developer.zendesk.com/api-reference/ticketing/users/events-api/events-api/): the body is
  ``{"profile": {...}, "event": {...}}``; "Events are created synchronously. You'll get a response
  with a "202" status if an event is created successfully"
  (https://developer.zendesk.com/documentation/ticketing/events/tracking-events).
- A profile "must contain at minimum": its ``source``, its ``type`` and "at least one identifier"
  (``identifiers``: ``[{"type", "value"}]``); an event has ``source``, ``type``, ``properties``
  (mandatory, an object), optionally ``description`` and ``created_at`` (ISO 8601).
- API token authentication: Basic ``{email}/token:{api_token}``; Zendesk answers an unauthenticated
  call 401 ``{"error": "Couldn't authenticate you"}``.
- ``GET /api/v2/user_profiles/events?identifier=<source>:<type>:<identifier type>:<value>`` lists a
  profile's events ("Accessing events by profile identifier query",
  https://developer.zendesk.com/documentation/ticketing/events/accessing-events/).

Sandbox liberties: one agent (``local-zendesk-email``, token ``local-zendesk-api-token``, the
functions' local defaults); a body missing what the page says is mandatory is 400
``{"error": "RecordInvalid", "description": ...}``; events are journalled in arrival order and
``GET /__admin/events`` lists them all (``DELETE`` clears them).
"""

from __future__ import annotations

import base64
import threading
import uuid
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, json_response, raw_header, read_json, route, utc_now_iso
from local.sandboxes.stores import counted

LOCAL_EMAIL = "local-zendesk-email"  # shared/adapters/vendor_auth.py local_default("zendesk_email")
LOCAL_API_TOKEN = "local-zendesk-api-token"
EVENTS_PATH = "/api/v2/user_profiles/events"


def _has_identifier(profile: dict[str, Any]) -> bool:
    identifiers = profile.get("identifiers")
    return isinstance(identifiers, list) and any(
        isinstance(i, dict) and i.get("type") and i.get("value") for i in identifiers
    )


class HelpdeskSandbox(Sandbox):
    name: ClassVar[str] = "helpdesk"

    def __init__(self, email: str = LOCAL_EMAIL, api_token: str = LOCAL_API_TOKEN) -> None:
        self._authorization = "Basic " + base64.b64encode(f"{email}/token:{api_token}".encode()).decode()
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        super().__init__()

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        """Zendesk's shape: ``{"error": ..., "description": ...}`` (401: the error alone)."""
        return {"error": detail} if status == 401 else {"error": code, "description": detail}

    def before_route(self, request: Request) -> Response | None:
        if raw_header(request, "Authorization") == self._authorization:
            return None
        return self.error(401, "Unauthorized", "Couldn't authenticate you")

    @route("POST", EVENTS_PATH)
    def track_event(self, request: Request) -> Response:
        try:
            body = read_json(request)
        except ValueError:
            return self.error(400, "InvalidJSON", "the body is not JSON")
        profile = body.get("profile") if isinstance(body, dict) else None
        event = body.get("event") if isinstance(body, dict) else None
        if not isinstance(profile, dict) or not profile.get("source") or not profile.get("type"):
            return self.error(400, "RecordInvalid", "profile needs source and type")
        if not _has_identifier(profile):
            return self.error(400, "RecordInvalid", "profile needs at least one identifier")
        if not isinstance(event, dict) or not event.get("source") or not event.get("type"):
            return self.error(400, "RecordInvalid", "event needs source and type")
        if not isinstance(event.get("properties"), dict):
            return self.error(400, "RecordInvalid", "event properties must be an object")
        stored = {
            "id": uuid.uuid4().hex[:20].upper(),
            "received_at": utc_now_iso(),
            "profile": profile,
            **{key: event.get(key) for key in ("source", "type", "description", "properties")},
            "created_at": event.get("created_at") or utc_now_iso(),
        }
        with self._lock:
            self._events.append(stored)
        return json_response({"event": {"id": stored["id"]}}, 202)

    @route("GET", EVENTS_PATH)
    def list_events(self, request: Request) -> Response:
        """Events of the profile an identifier query names (``source:type:identifier type:value``)."""
        query = request.args.get("identifier", "")
        parts = query.split(":", 3)
        if len(parts) != 4:
            return self.error(400, "InvalidIdentifier", "identifier is source:type:identifier type:value")
        source, kind, id_type, value = parts
        found = [
            event
            for event in self.events()
            if event["profile"].get("source") == source
            and event["profile"].get("type") == kind
            and {"type": id_type, "value": value} in event["profile"].get("identifiers", [])
        ]
        return json_response({"data": found})

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(event) for event in self._events]

    @admin_route("GET", "events")
    def admin_get_events(self, request: Request) -> Response:
        events = self.events()
        return counted("items", events)

    @admin_route("DELETE", "events")
    def admin_delete_events(self, request: Request) -> Response:
        self.reset_state()
        return json_response({"cleared": True})

    def reset_state(self) -> None:
        with self._lock:
            self._events.clear()
