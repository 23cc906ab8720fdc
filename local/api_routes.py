"""The REST API's routes, read from the template's AWS::ApiGateway::Resource and ::Method resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from local.template import Template


@dataclass(frozen=True)
class Route:
    resource_path: str  # "/v1/webhooks/{source}"
    method: str  # "POST", or "ANY"
    integration: str  # "AWS_PROXY", "MOCK", ...
    function: str | None  # logical id of the proxied function
    authorization: str = "NONE"  # "AWS_IAM" for the ops routes
    api_key_required: bool = False  # the status route: a valid `x-api-key` of the template's keys
    api_logical_id: str = ""
    resource_logical_id: str = ""
    mock_response: dict[str, Any] = field(default_factory=dict)

    @property
    def segments(self) -> list[str]:
        return [part for part in self.resource_path.split("/") if part]


@dataclass(frozen=True)
class Match:
    route: Route
    path_parameters: dict[str, str]


class RouteTable:
    def __init__(self, routes: list[Route], api_keys: frozenset[str] = frozenset()) -> None:
        self.routes = routes
        # The values of the template's AWS::ApiGateway::ApiKey resources (the local environment's
        # template names its key; a deployed one leaves it to API Gateway, so none is accepted here).
        self.api_keys = api_keys

    @classmethod
    def from_template(cls, template: Template) -> RouteTable:
        resources = template.of_type("AWS::ApiGateway::Resource")
        paths: dict[str, str] = {}

        def path_of(resource_id: Any) -> str:
            referenced = template.referenced(resource_id, "AWS::ApiGateway::Resource")
            if not referenced:
                return ""  # Fn::GetAtt [RestApi, RootResourceId]: the root
            logical_id = referenced[0]
            if logical_id not in paths:
                properties = resources[logical_id]["Properties"]
                paths[logical_id] = f"{path_of(properties['ParentId'])}/{properties['PathPart']}"
            return paths[logical_id]

        routes = []
        for method in template.of_type("AWS::ApiGateway::Method").values():
            properties = method["Properties"]
            integration = properties.get("Integration", {})
            resource_refs = template.referenced(properties["ResourceId"], "AWS::ApiGateway::Resource")
            api_refs = template.referenced(properties.get("RestApiId"), "AWS::ApiGateway::RestApi")
            routes.append(
                Route(
                    resource_path=path_of(properties["ResourceId"]) or "/",
                    method=properties["HttpMethod"].upper(),
                    integration=integration.get("Type", "MOCK"),
                    function=template.function_of(integration.get("Uri")),
                    authorization=properties.get("AuthorizationType", "NONE"),
                    api_key_required=bool(properties.get("ApiKeyRequired", False)),
                    api_logical_id=api_refs[0] if api_refs else "",
                    resource_logical_id=resource_refs[0] if resource_refs else "",
                    mock_response=_mock_response(integration),
                )
            )
        keys = {
            str(resource["Properties"]["Value"])
            for resource in template.of_type("AWS::ApiGateway::ApiKey").values()
            if resource.get("Properties", {}).get("Value") and resource["Properties"].get("Enabled", True)
        }
        return cls(routes, frozenset(keys))

    def match(self, method: str, path: str) -> Match | list[str] | None:
        """The route for a request; the allowed methods when only the path matches; None."""
        segments = [part for part in path.split("/") if part]
        candidates: list[tuple[tuple[int, ...], Route, dict[str, str]]] = []
        for route in self.routes:
            matched = _match_segments(route.segments, segments)
            if matched is not None:
                candidates.append((matched[0], route, matched[1]))
        if not candidates:
            return None
        best = min(rank for rank, _, _ in candidates)
        on_path = [(route, params) for rank, route, params in candidates if rank == best]
        for wanted in (method.upper(), "ANY"):
            for route, params in on_path:
                if route.method == wanted:
                    return Match(route, params)
        return sorted({route.method for route, _ in on_path})


def _match_segments(pattern: list[str], segments: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """A specificity rank (static < {param} < {proxy+}, segment by segment) and the parameters."""
    rank: list[int] = []
    params: dict[str, str] = {}
    for index, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[index:]
            if not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            return (*rank, 2), params
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = segments[index]
            rank.append(1)
        elif part == segments[index]:
            rank.append(0)
        else:
            return None
    if len(segments) != len(pattern):
        return None
    return tuple(rank), params


def _mock_response(integration: dict[str, Any]) -> dict[str, Any]:
    """A MOCK integration's first response (CORS preflights): status and constant headers."""
    if integration.get("Type") != "MOCK":
        return {}
    responses = integration.get("IntegrationResponses") or [{}]
    first = responses[0]
    headers = {
        name.removeprefix("method.response.header."): str(value).strip("'")
        for name, value in (first.get("ResponseParameters") or {}).items()
        if isinstance(value, str)
    }
    return {"statusCode": int(first.get("StatusCode", 200)), "headers": headers}
