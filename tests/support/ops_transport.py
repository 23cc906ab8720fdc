"""An httpx transport that answers from the ops Lambda handler, as API Gateway would call it.

Each request becomes the REST proxy event API Gateway sends (`rest_event`, resource
`/v1/ops/{proxy+}`), the handler answers with the collaborators the test gives it, and the
proxy response becomes the httpx response: clients are tested against the real routes.
"""

from __future__ import annotations

from typing import Any

import httpx

from functions.ops.handlers.api import Deps, lambda_handler
from tests.support.apigw import FakeLambdaContext, rest_event


class OpsLambdaTransport(httpx.BaseTransport):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        query: dict[str, list[str]] = {}
        for name, value in request.url.params.multi_items():
            query.setdefault(name, []).append(value)
        path = request.url.path
        event = rest_event(
            request.method,
            path,
            body=request.content or None,
            headers=dict(request.headers.items()),
            resource="/v1/ops/{proxy+}",
            path_parameters={"proxy": path.removeprefix("/v1/ops/")},
            query=query or None,
            domain=request.url.host,
        )
        answer: dict[str, Any] = lambda_handler(event, FakeLambdaContext(), deps=self.deps)
        headers = {name: values[-1] for name, values in (answer.get("multiValueHeaders") or {}).items()}
        return httpx.Response(answer["statusCode"], headers=headers, content=(answer.get("body") or "").encode())
