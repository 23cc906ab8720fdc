"""Shared base of the sandboxes: a threaded WSGI server with a WireMock-like admin API.

Every sandbox answers its vendor routes and, under ``/__admin``, the admin API of the
contract (``/work/shared/CONTRACT.md``, "Local stack addresses"):

- ``GET /__admin/requests``: ``{"requests": [...], "meta": {"total": n}}``, oldest first; each entry
  ``{"method", "path", "query", "body", "status", "at", "headers"}``. ``body`` is the parsed JSON when
  the body is JSON, else the text, else ``null``; ``status`` is ``null`` while the call is in flight.
  Optional filters ``?method=PUT`` and ``?path=/prefix``.
- ``DELETE /__admin/requests``: clears the journal and the stats.
- ``GET /__admin/stats``: ``{"requests": n, "max_concurrent": k}`` since the last reset.
- ``GET|POST|DELETE /__admin/faults``: show, merge (``null`` removes a key), reset to the sandbox's
  defaults. Keys: ``outage``, ``throttle_rate``, ``latency_ms``, ``concurrency_limit``,
  ``retry_after`` (seconds sent in ``Retry-After``, default 1), plus any the sandbox adds.
- ``POST /__admin/reset``: journal, stats, faults and the sandbox's stored data back to the start.

How a vendor call is answered, in order:
1. It counts in ``requests`` and in flight (``max_concurrent`` is the most vendor calls in flight at
   once, refused ones included, so it measures the caller's own concurrency).
2. ``concurrency_limit``: a call arriving while that many admitted calls are being served answers 429.
3. ``latency_ms``: the admitted call sleeps first (holding its slot), whatever its answer.
4. ``outage``: 503.
5. ``throttle_rate``: counter-based, not random, so tests are exact. The n-th call since the faults
   last changed is throttled when ``floor(n * rate) > floor((n - 1) * rate)``: 0.5 throttles every 2nd
   call, 0.25 every 4th, 1 every call. Answers 429 with ``Retry-After``.
6. The vendor route.

Admin calls are neither journaled nor counted. The journal keeps the latest 50,000 calls.
Error bodies use each vendor's own shape.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ADMIN_PREFIX = "/__admin"
BASE_FAULT_KEYS = frozenset({"outage", "throttle_rate", "latency_ms", "concurrency_limit", "retry_after"})
DEFAULT_RETRY_AFTER_S = 1
# Bounds memory under `make bench`; the stats keep counting past it.
JOURNAL_MAX_ENTRIES = 50_000
_RAW_HEADERS_KEY = "retail_sync.raw_headers"
_ROUTES_ATTR = "_sandbox_routes"
_logger = logging.getLogger(__name__)
# A route handler: a method taking ``(request, **url_values)`` and returning a ``Response``.
Handler = TypeVar("Handler", bound=Callable[..., Response])


def utc_now_iso() -> str:
    """RFC 3339 UTC timestamp with milliseconds, as the vendors write them."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def read_json(request: Request) -> Any:
    """The request body as JSON; raises ``ValueError`` when it is missing or not JSON."""
    raw = request.get_data(cache=True)
    if not raw:
        raise ValueError("request body is empty")
    return json.loads(raw)


def _journal_body(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class _SandboxRequestHandler(WSGIRequestHandler):
    """Keeps the raw request headers (werkzeug drops names with ``_``, such as Walmart's
    ``WM_SEC.ACCESS_TOKEN``) and does not print one access-log line per call."""

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        environ[_RAW_HEADERS_KEY] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def raw_headers(request: Request) -> dict[str, str]:
    """Request headers exactly as sent (names keep their case and underscores)."""
    pairs = request.environ.get(_RAW_HEADERS_KEY)
    if pairs is None:
        return dict(request.headers.items())
    headers: dict[str, str] = {}
    for name, value in pairs:
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


def has_bearer_token(authorization: str) -> bool:
    """Whether an ``Authorization`` value is ``Bearer <non-blank token>``."""
    return authorization.startswith("Bearer ") and bool(authorization.removeprefix("Bearer ").strip())


def route(method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
    """Serves the decorated handler at ``path`` for ``method`` (stack it for more routes); ``options``
    go to werkzeug's ``Rule`` (``defaults``). A path under ``/__admin`` is an admin route."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, _ROUTES_ATTR, ((method, path, options), *getattr(handler, _ROUTES_ATTR, ())))
        return handler

    return mark


def admin_route(method: str, resource: str) -> Callable[[Handler], Handler]:
    """``route`` for ``/__admin/<resource>``."""
    return route(method, f"{ADMIN_PREFIX}/{resource}")


def _is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def declared_rules(cls: type) -> tuple[list[Rule], list[Rule]]:
    """(vendor rules, admin rules) of the handlers ``cls`` and its bases mark with ``route``; a
    subclass's own marks on a method replace the inherited ones."""
    marked: dict[str, tuple[tuple[str, str, dict[str, Any]], ...]] = {}
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            routes = getattr(member, _ROUTES_ATTR, None)
            if routes is not None:
                marked[name] = routes
    vendor: list[Rule] = []
    admin: list[Rule] = []
    for endpoint, routes in marked.items():
        for method, path, options in routes:
            rule = Rule(path, endpoint=endpoint, methods=[method], **options)
            (admin if _is_admin_path(path) else vendor).append(rule)
    return vendor, admin


def raw_header(request: Request, name: str) -> str | None:
    """One raw header, looked up case-insensitively."""
    wanted = name.lower()
    for key, value in raw_headers(request).items():
        if key.lower() == wanted:
            return value
    return None


class Sandbox:
    """A vendor sandbox: subclasses give ``name``, ``error()`` and their handlers.

    A handler is a method taking ``(request, **url_values)`` and returning a ``Response``, marked
    with ``@route(method, path)`` (vendor routes) or ``@admin_route(method, resource)`` (admin routes,
    here and in the admin mixins).
    """

    name: ClassVar[str] = "sandbox"
    # (code, detail) of the injected-fault answers; ``fault_response`` shapes them with ``error()``.
    outage_error: ClassVar[tuple[str, str]] = ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
    throttle_error: ClassVar[tuple[str, str]] = ("TOO_MANY_REQUESTS", "Too many requests.")
    # Paths of another vendor service the sandbox also serves (Login with Amazon beside SP-API): answered
    # without journal, stats or faults, as that other host's calls would not show in this one's.
    other_service_paths: ClassVar[frozenset[str]] = frozenset()
    # Paths journaled and counted like any call but never given an injected fault (outage, throttle,
    # concurrency, latency): the faults model the vendor's record API, not its token endpoint, so a
    # test of "the ERP answers 429" is not decided by whether a token happened to be cached.
    fault_exempt_paths: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, default_faults: dict[str, Any] | None = None) -> None:
        # What DELETE /__admin/faults goes back to (the ERP starts with its concurrency limit).
        self.default_faults: dict[str, Any] = dict(default_faults or {})
        self._lock = threading.Lock()
        self._journal: deque[dict[str, Any]] = deque(maxlen=JOURNAL_MAX_ENTRIES)
        self._requests = 0
        self._in_flight = 0
        self._max_concurrent = 0
        self._admitted = 0
        self._faults: dict[str, Any] = dict(self.default_faults)
        self._throttle_rate = Fraction(0)
        self._throttle_count = 0
        self._apply_faults_locked()
        vendor_rules, admin_rules = declared_rules(type(self))
        self._url_map = Map(vendor_rules, strict_slashes=False, merge_slashes=False)
        self._admin_map = Map(admin_rules, strict_slashes=False)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # ----- what subclasses provide -------------------------------------------------------------

    def error(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> Response:
        """An error in the vendor's own shape (``error_body``)."""
        return self.field_error(status, code, detail, None, headers)

    def field_error(
        self, status: int, code: str, detail: str, field: str | None, headers: dict[str, str] | None = None
    ) -> Response:
        """An error naming the part of the request at fault, for the vendors whose errors carry one
        (Walmart's and Square's ``field``, NetSuite's ``o:errorPath``)."""
        return json_response(self.error_body(status, code, detail, field), status, headers)

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        """The body of an error in the vendor's own shape."""
        return {"error": {"code": code, "message": detail}}

    def fault_response(self, kind: str, retry_after: int) -> Response:
        """The answer to an injected fault: ``kind`` is ``outage``, ``throttle`` or ``concurrency``."""
        if kind == "outage":
            return self.error(503, *self.outage_error)
        return self.error(429, *self.throttle_error, self.throttle_headers(retry_after))

    def throttle_headers(self, retry_after: int) -> dict[str, str]:
        """Headers of a 429 answer to an injected fault."""
        return {"Retry-After": str(retry_after)}

    def before_route(self, request: Request) -> Response | None:
        """A chance to refuse a call before routing (authentication)."""
        return None

    def admit_call(self, handler: Callable[..., Response]) -> tuple[Response | None, dict[str, str]]:
        """Before a routed handler: (its refusal, or ``None``; headers for its answer). Rate limits."""
        return None, {}

    def validate_extra_fault(self, key: str, value: Any) -> Any:
        """Validates a sandbox-specific fault key; raises ``ValueError`` for unknown keys."""
        raise ValueError(f"unknown fault {key!r}")

    def on_faults_changed(self) -> None:
        """Called (without the lock) after the faults changed."""

    def reset_state(self) -> None:
        """Forgets the sandbox's stored data (``POST /__admin/reset``)."""

    # ----- server ------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serves on ``host:port`` (0 picks a free port) in a daemon thread; returns the base URL."""
        if self._server is not None:
            raise RuntimeError(f"sandbox {self.name} is already started")
        server = make_server(host, port, self, threaded=True, request_handler=_SandboxRequestHandler)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sandbox-{self.name}",
            daemon=True,
        )
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"sandbox {self.name} is not started")
        return f"http://{self._server.host}:{self._server.server_port}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"sandbox {self.name} is not started")
        return self._server.server_port

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    # ----- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if _is_admin_path(request.path):
            response = self._dispatch(self._admin_map, request, admin=True)
        elif request.path in self.other_service_paths:
            response = self._dispatch(self._url_map, request, admin=False)
        else:
            response = self._serve_vendor_call(request)
        return response(environ, start_response)

    def _serve_vendor_call(self, request: Request) -> Response:
        entry = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "body": _journal_body(request.get_data(cache=True)),
            "status": None,
            "at": utc_now_iso(),
            "headers": raw_headers(request),
        }
        with self._lock:
            self._journal.append(entry)
            self._requests += 1
            self._in_flight += 1
            self._max_concurrent = max(self._max_concurrent, self._in_flight)
            faults = {} if request.path in self.fault_exempt_paths else dict(self._faults)
            limit = faults.get("concurrency_limit")
            admitted = limit is None or self._admitted < limit
            if admitted:
                self._admitted += 1
        retry_after = int(faults.get("retry_after", DEFAULT_RETRY_AFTER_S))
        try:
            if not admitted:
                response = self.fault_response("concurrency", retry_after)
            else:
                try:
                    response = self._serve_admitted(request, faults, retry_after)
                finally:
                    with self._lock:
                        self._admitted -= 1
        finally:
            with self._lock:
                self._in_flight -= 1
        with self._lock:
            entry["status"] = response.status_code
        return response

    def _serve_admitted(self, request: Request, faults: dict[str, Any], retry_after: int) -> Response:
        latency_ms = faults.get("latency_ms", 0)
        if latency_ms:
            time.sleep(latency_ms / 1000)
        if faults.get("outage"):
            return self.fault_response("outage", retry_after)
        if faults and self._next_call_throttled():
            return self.fault_response("throttle", retry_after)
        refused = self.before_route(request)
        if refused is not None:
            return refused
        return self._dispatch(self._url_map, request, admin=False)

    def _next_call_throttled(self) -> bool:
        with self._lock:
            rate = self._throttle_rate
            if rate <= 0:
                return False
            self._throttle_count += 1
            n = self._throttle_count
        return math.floor(n * rate) > math.floor((n - 1) * rate)

    def _dispatch(self, url_map: Map, request: Request, *, admin: bool) -> Response:
        adapter = url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            if admin:
                return json_response({"error": f"no admin route {request.method} {request.path}"}, 404)
            return self.error(404, "NOT_FOUND", f"No route for {request.method} {request.path}.")
        except MethodNotAllowed:
            if admin:
                return json_response({"error": f"{request.method} not allowed on {request.path}"}, 405)
            return self.error(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed on {request.path}.")
        handler = getattr(self, str(endpoint))
        try:
            refused, headers = self.admit_call(handler)
            if refused is not None:
                return refused
            response: Response = handler(request, **values)
            response.headers.update(headers)
        except Exception:
            # One place, so a sandbox bug still answers in the vendor's shape and is journaled.
            _logger.exception("sandbox %s failed on %s %s", self.name, request.method, request.path)
            if admin:
                return json_response({"error": "sandbox error; see its log"}, 500)
            return self.error(500, "UNEXPECTED_ERROR", "An unexpected error occurred in the sandbox.")
        return response

    # ----- admin API ---------------------------------------------------------------------------

    @admin_route("GET", "requests")
    def admin_get_requests(self, request: Request) -> Response:
        method = request.args.get("method")
        path_prefix = request.args.get("path")
        with self._lock:
            entries = [dict(e) for e in self._journal]
        if method:
            entries = [e for e in entries if e["method"] == method.upper()]
        if path_prefix:
            entries = [e for e in entries if e["path"].startswith(path_prefix)]
        return json_response({"requests": entries, "meta": {"total": len(entries)}})

    @admin_route("DELETE", "requests")
    def admin_delete_requests(self, request: Request) -> Response:
        self.clear_journal()
        return json_response(self.stats())

    @admin_route("GET", "stats")
    def admin_get_stats(self, request: Request) -> Response:
        return json_response(self.stats())

    @admin_route("GET", "faults")
    def admin_get_faults(self, request: Request) -> Response:
        return json_response(self.faults())

    @admin_route("POST", "faults")
    def admin_post_faults(self, request: Request) -> Response:
        try:
            body = read_json(request)
            if not isinstance(body, dict):
                raise ValueError("faults must be a JSON object")
            return json_response(self.set_faults(body))
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)

    @admin_route("DELETE", "faults")
    def admin_delete_faults(self, request: Request) -> Response:
        return json_response(self.clear_faults())

    @admin_route("POST", "reset")
    def admin_reset(self, request: Request) -> Response:
        self.clear_journal()
        self.clear_faults()
        self.reset_state()
        return json_response({"reset": True})

    # ----- the same operations in process (the local stack and tests may call them directly) ---

    def journal(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._journal]

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"requests": self._requests, "max_concurrent": self._max_concurrent}

    def clear_journal(self) -> None:
        with self._lock:
            self._journal.clear()
            self._requests = 0
            self._max_concurrent = 0

    def faults(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._faults)

    def set_faults(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Merges ``changes`` into the faults (``None`` removes a key); returns the faults now."""
        validated = {key: self._validate_fault(key, value) for key, value in changes.items()}
        with self._lock:
            for key, value in validated.items():
                if value is None:
                    self._faults.pop(key, None)
                else:
                    self._faults[key] = value
            self._apply_faults_locked()
            current = dict(self._faults)
        self.on_faults_changed()
        return current

    def clear_faults(self) -> dict[str, Any]:
        with self._lock:
            self._faults = dict(self.default_faults)
            self._apply_faults_locked()
            current = dict(self._faults)
        self.on_faults_changed()
        return current

    def _apply_faults_locked(self) -> None:
        rate = self._faults.get("throttle_rate", 0)
        self._throttle_rate = Fraction(str(rate)).limit_denominator(1_000_000)
        self._throttle_count = 0

    def _validate_fault(self, key: str, value: Any) -> Any:
        if key not in BASE_FAULT_KEYS:
            return self.validate_extra_fault(key, value)
        if value is None:
            return None
        if key == "outage":
            if not isinstance(value, bool):
                raise ValueError("outage must be true or false")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{key} must be a number")
        if key == "throttle_rate":
            if not 0 <= value <= 1:
                raise ValueError("throttle_rate must be between 0 and 1")
            return value
        if key == "concurrency_limit":
            if int(value) != value or value < 1:
                raise ValueError("concurrency_limit must be a whole number of at least 1 (null lifts it)")
            return int(value)
        if value < 0:
            raise ValueError(f"{key} must not be negative")
        return int(value) if key == "retry_after" else value
