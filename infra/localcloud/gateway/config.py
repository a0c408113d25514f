"""Routes, authorizers and WebSocket APIs read from the translated template (RestApi Body, ApiGatewayV2)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from localcloud.gateway.gateway_responses import GatewayResponse, read_gateway_responses
from localcloud.template.errors import TemplateError
from localcloud.template.stack import LocalStack, local_api_id

_FUNCTION_IN_URI = re.compile(r"functions/(arn:aws:lambda:[^/]+)/invocations")
_METHOD_KEYS = {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}


@dataclass(frozen=True)
class Authorizer:
    """A Lambda authorizer: TOKEN reads one header; REQUEST gets the whole request."""

    name: str
    kind: str  # "TOKEN" or "REQUEST"
    function: str
    identity_sources: tuple[str, ...] = ()
    token_header: str = "Authorization"


@dataclass(frozen=True)
class RestRoute:
    """One method on one resource path of a REST API."""

    api_id: str
    resource: str  # "/items/{id}"
    method: str  # "GET", ... or "ANY"
    function: str | None  # None for a MOCK integration (SAM's CORS preflight)
    authorizer: Authorizer | None = None
    mock_status: int = 200
    mock_headers: tuple[tuple[str, str], ...] = ()
    pattern: re.Pattern[str] = field(default=re.compile(""), compare=False)

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return None if found is None else {key: value for key, value in found.groupdict().items()}

    @property
    def specificity(self) -> tuple[int, int, int]:
        return (self.resource.count("+}"), self.resource.count("{"), -len(self.resource))


@dataclass(frozen=True)
class WebSocketApi:
    """A WEBSOCKET ApiGatewayV2 API: route key -> function, and the $connect authorizer."""

    api_id: str
    logical_id: str
    stage: str
    selection_expression: str
    routes: dict[str, str]
    connect_authorizer: Authorizer | None = None


@dataclass
class GatewayConfig:
    rest_routes: list[RestRoute] = field(default_factory=list)
    rest_stages: set[str] = field(default_factory=set)
    websockets: list[WebSocketApi] = field(default_factory=list)
    # The REST API's GatewayResponses (of the first REST API: a request that matches no route has no API).
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)

    def functions(self) -> set[str]:
        """Every function the gateway invokes: route integrations and authorizers, REST and WebSocket."""
        named: set[str | None] = set()
        for route in self.rest_routes:
            named |= {route.function, route.authorizer.function if route.authorizer else None}
        for api in self.websockets:
            named |= set(api.routes.values())
            named.add(api.connect_authorizer.function if api.connect_authorizer else None)
        return {name for name in named if name}


def _path_pattern(resource: str) -> re.Pattern[str]:
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", resource):
        if part.startswith("{") and part.endswith("+}"):
            pattern += f"(?P<{_group(part[1:-2])}>.+)"
        elif part.startswith("{"):
            pattern += f"(?P<{_group(part[1:-1])}>[^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(pattern)


def _group(name: str) -> str:
    if not name.isidentifier():
        raise TemplateError(f"path parameter {{{name}}} must be a valid identifier locally")
    return name


def _function_of(uri: Any) -> str | None:
    found = _FUNCTION_IN_URI.search(str(uri))
    return found.group(1).split(":")[6] if found else None


def _rest_authorizers(body: dict[str, Any]) -> dict[str, Authorizer]:
    schemes = body.get("securityDefinitions") or (body.get("components") or {}).get("securitySchemes") or {}
    authorizers: dict[str, Authorizer] = {}
    for name, scheme in schemes.items():
        settings = scheme.get("x-amazon-apigateway-authorizer")
        function = _function_of(settings.get("authorizerUri")) if settings else None
        if function is None:
            continue
        kind = str(settings.get("type", "token")).upper()
        sources = tuple(s.strip() for s in str(settings.get("identitySource", "")).split(",") if s.strip())
        authorizers[name] = Authorizer(
            name, kind, function, sources, str(scheme.get("name", "Authorization"))
        )
    return authorizers


def _api_body(stack: LocalStack, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
    if "Body" in props:
        body: dict[str, Any] = props["Body"]
        return body
    if "BodyS3Location" in props:
        text = stack.local_path(props["BodyS3Location"]).read_text(encoding="utf-8")
        loaded: dict[str, Any] = stack.resolver.resolve(
            yaml.safe_load(text) if not text.lstrip().startswith("{") else json.loads(text)
        )
        return loaded
    return {}


def _rest_routes(stack: LocalStack, logical_id: str) -> list[RestRoute]:
    api_id = local_api_id(logical_id)
    body = _api_body(stack, logical_id, stack.properties(logical_id))
    authorizers = _rest_authorizers(body)
    default_security = body.get("security") or []
    routes: list[RestRoute] = []
    for resource, methods in (body.get("paths") or {}).items():
        for method, operation in methods.items():
            if method not in _METHOD_KEYS:
                continue
            integration = operation.get("x-amazon-apigateway-integration") or {}
            verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            security = operation.get("security", default_security)
            names = [name for requirement in security for name in requirement]
            authorizer = next((authorizers[name] for name in names if name in authorizers), None)
            if str(integration.get("type", "")).lower() == "mock":
                response = (integration.get("responses") or {}).get("default") or {}
                headers = tuple(
                    (key.rsplit(".", 1)[-1], str(value).strip("'"))
                    for key, value in (response.get("responseParameters") or {}).items()
                    if key.startswith("method.response.header.")
                )
                routes.append(
                    RestRoute(
                        api_id,
                        resource,
                        verb,
                        None,
                        None,
                        int(response.get("statusCode", 200)),
                        headers,
                        _path_pattern(resource),
                    )
                )
                continue
            function = _function_of(integration.get("uri"))
            if function is None:
                continue  # HTTP and AWS-service integrations do not run locally
            # Preflight OPTIONS never runs the authorizer on AWS.
            routes.append(
                RestRoute(
                    api_id,
                    resource,
                    verb,
                    function,
                    None if verb == "OPTIONS" else authorizer,
                    pattern=_path_pattern(resource),
                )
            )
    return routes


def _websocket(stack: LocalStack, logical_id: str) -> WebSocketApi:
    api_id = local_api_id(logical_id)
    props = stack.properties(logical_id)
    integrations: dict[str, str] = {}
    for integration_id in stack.of_type("AWS::ApiGatewayV2::Integration"):
        integration = stack.properties(integration_id)
        function = _function_of(integration.get("IntegrationUri"))
        if integration.get("ApiId") == api_id and function:
            integrations[local_api_id(integration_id)] = function
    authorizers: dict[str, Authorizer] = {}
    for authorizer_id in stack.of_type("AWS::ApiGatewayV2::Authorizer"):
        settings = stack.properties(authorizer_id)
        function = _function_of(settings.get("AuthorizerUri"))
        if settings.get("ApiId") == api_id and function:
            sources = settings.get("IdentitySource") or []
            authorizers[local_api_id(authorizer_id)] = Authorizer(
                str(settings.get("Name", authorizer_id)),
                "REQUEST",
                function,
                tuple(sources if isinstance(sources, list) else [sources]),
            )
    routes: dict[str, str] = {}
    connect_authorizer = None
    for route_id in stack.of_type("AWS::ApiGatewayV2::Route"):
        route = stack.properties(route_id)
        if route.get("ApiId") != api_id:
            continue
        target = str(route.get("Target", "")).removeprefix("integrations/")
        if target in integrations:
            routes[str(route["RouteKey"])] = integrations[target]
        if route.get("RouteKey") == "$connect" and route.get("AuthorizationType") == "CUSTOM":
            connect_authorizer = authorizers.get(str(route.get("AuthorizerId")))
    stage = next(
        (
            str(stack.properties(i).get("StageName"))
            for i in stack.of_type("AWS::ApiGatewayV2::Stage")
            if stack.properties(i).get("ApiId") == api_id
        ),
        "$default",
    )
    return WebSocketApi(
        api_id,
        logical_id,
        stage,
        str(props.get("RouteSelectionExpression", "$request.body.action")),
        routes,
        connect_authorizer,
    )


def read_gateway_config(stack: LocalStack) -> GatewayConfig:
    config = GatewayConfig()
    for logical_id in stack.of_type("AWS::ApiGateway::RestApi"):
        config.rest_routes.extend(_rest_routes(stack, logical_id))
        if not config.gateway_responses:
            body = _api_body(stack, logical_id, stack.properties(logical_id))
            config.gateway_responses = read_gateway_responses(body)
    config.rest_routes.sort(key=lambda route: route.specificity)
    for stage_id in stack.of_type("AWS::ApiGateway::Stage"):
        config.rest_stages.add(str(stack.properties(stage_id).get("StageName")))
    for logical_id in stack.of_type("AWS::ApiGatewayV2::Api"):
        if stack.properties(logical_id).get("ProtocolType") == "WEBSOCKET":
            config.websockets.append(_websocket(stack, logical_id))
    return config
