"""HTTP on 127.0.0.1 to the template's API routes, as API Gateway's Lambda proxy integration would.

Also `GET /health`: 503 until the whole stack is ready, then 200 with the sandboxes' base URLs.
Methods with IAM authorization (the ops API) answer only loopback callers, as API Gateway's
`Missing Authentication Token` would for anyone else.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local.api_event import (
    HttpRequest,
    HttpResponse,
    error_response,
    gateway_error,
    proxy_event,
    proxy_response,
    split_stage,
)
from local.api_routes import Match, RouteTable
from local.api_throttling import Throttling
from local.lambda_runtime import FunctionSpec, Invocation
from shared.limits import WEBHOOK_MAX_BODY_BYTES

LOG = logging.getLogger("local.api")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
# Deployed, the web ACL refuses a Content-Length over the contract's limit with the contract's 413
# before API Gateway invokes anything (infra/ingest/webhook_api_construct.py, BodyOverContractLimit);
# 6-10 MB would otherwise be a 5xx (a synchronous Lambda invoke takes 6 MB). The bridge does the same.
EDGE_MAX_BODY_BYTES = WEBHOOK_MAX_BODY_BYTES

Invoker = Callable[[FunctionSpec, Any], Invocation]
HealthBody = Callable[[], dict[str, Any] | None]  # None: not ready


class _RawHeadersHandler(WSGIRequestHandler):
    """Keeps the request headers as sent: WSGI upper-cases them and drops names with `_`
    (Walmart's `WM_SEC.SIGNATURE`)."""

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ["local.raw_headers"] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        LOG.info("%s %s -> %s", self.command, self.path, code)


class ApiBridge:
    """Serves from `start()` on (`/health` says 503); routes answer once `set_routes()` is called."""

    def __init__(self, invoke: Invoker, health: HealthBody, host: str = "127.0.0.1", port: int = 3000) -> None:
        self.routes: RouteTable | None = None
        self._functions: dict[str, FunctionSpec] = {}  # by logical id
        self._physical_ids: dict[str, str] = {}
        self._throttling: Throttling | None = None
        self._invoke = invoke
        self._health = health
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._server = make_server(self.host, self.port, self._wsgi, threaded=True, request_handler=_RawHeadersHandler)
        self.port = self._server.server_port
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="api-bridge", daemon=True
        )
        self._thread.start()

    def set_routes(
        self,
        routes: RouteTable,
        functions: dict[str, FunctionSpec],
        physical_ids: dict[str, str],
        throttling: Throttling | None = None,
    ) -> None:
        self._throttling = throttling
        self._functions = functions
        self._physical_ids = physical_ids
        self.routes = routes

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        if request.method == "GET" and request.path.rstrip("/") == "/health":
            return self._health_response(request_id)
        if self.routes is None or self._health() is None:
            return error_response(503, "UPSTREAM_UNAVAILABLE", "the local stack is starting", request_id)
        if len(request.body) > MAX_BODY_BYTES:
            return gateway_error(413, f"HTTP content length exceeded {MAX_BODY_BYTES} bytes.", request_id)
        if len(request.body) > EDGE_MAX_BODY_BYTES:
            return error_response(413, "PAYLOAD_TOO_LARGE", f"body is over {EDGE_MAX_BODY_BYTES} bytes", request_id)
        matched = self.routes.match(request.method, split_stage(request.path))
        if matched is None:
            return error_response(404, "NOT_FOUND", f"no route for {request.method} {request.path}", request_id)
        if isinstance(matched, list):
            response = error_response(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed here", request_id)
            return HttpResponse(405, [*response.headers, ("Allow", ", ".join(matched))], response.body)
        if self._throttling is not None and not self._throttling.admit(matched.route.resource_path, request.method):
            return self._throttling.throttled_response(request_id)
        if matched.route.authorization == "AWS_IAM" and not _is_loopback(request.source_ip):
            return gateway_error(403, "Missing Authentication Token", request_id)
        if matched.route.api_key_required and _header(request, "x-api-key") not in self.routes.api_keys:
            return gateway_error(403, "Forbidden", request_id)  # API Gateway's answer to a missing or wrong key
        return self._integrate(request, matched, request_id)

    def _integrate(self, request: HttpRequest, match: Match, request_id: str) -> HttpResponse:
        route = match.route
        if route.integration == "MOCK":
            mock = route.mock_response
            return HttpResponse(mock.get("statusCode", 200), list(mock.get("headers", {}).items()), b"")
        if route.integration != "AWS_PROXY" or route.function not in self._functions:
            return gateway_error(502, f"{route.integration} integration is not run locally", request_id)
        event = proxy_event(
            request,
            match,
            api_id=self._physical_ids.get(route.api_logical_id, "local"),
            resource_id=self._physical_ids.get(route.resource_logical_id, "local"),
        )
        outcome = self._invoke(self._functions[route.function], event)
        if outcome.throttled:  # API Gateway turns Lambda's 429 into a 500
            return gateway_error(500, "Internal server error", request_id)
        if outcome.errored:
            LOG.warning(
                "%s %s: function failed: %s",
                request.method,
                request.path,
                (outcome.error or {}).get("errorType"),
            )
            return gateway_error(502, "Internal server error", request_id)
        return proxy_response(outcome.payload, event["requestContext"]["requestId"])

    def _health_response(self, request_id: str) -> HttpResponse:
        body = self._health()
        # Routes serve from the first body on; /health says 200 only once its status is "ok"
        # (`python -m local` seeds through the routes while it says "seeding").
        status = 200 if body is not None and body.get("status") == "ok" else 503
        payload = body if body is not None else {"status": "starting"}
        return HttpResponse(
            status,
            [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)],
            json.dumps(payload).encode(),
        )

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        http_request = HttpRequest(
            method=request.method,
            path=request.path,
            query=list(request.args.items(multi=True)),
            headers=environ.get("local.raw_headers") or list(request.headers.items()),
            body=request.get_data(cache=False),
            source_ip=request.remote_addr or "127.0.0.1",
        )
        response = self.handle(http_request)
        wsgi_response = Response(response.body, status=response.status)
        wsgi_response.headers.clear()
        for name, value in response.headers:
            wsgi_response.headers.add(name, value)
        return wsgi_response(environ, start_response)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _header(request: HttpRequest, name: str) -> str | None:
    """A request header by its name, case-insensitively (API Gateway reads `x-api-key` so)."""
    wanted = name.lower()
    return next((value for key, value in request.headers if key.lower() == wanted), None)
