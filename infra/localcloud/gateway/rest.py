"""REST API requests -> API Gateway proxy events (REST v1 format) -> the function's response, unchanged."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localcloud.gateway.authorizers import Decision, decide, identity_present
from localcloud.gateway.config import GatewayConfig, RestRoute
from localcloud.gateway.gateway_responses import MAX_PAYLOAD_BYTES, gateway_response
from localcloud.gateway.invoker import LambdaInvoker
from localcloud.template.stack import ACCOUNT_ID


def find_route(config: GatewayConfig, method: str, path: str) -> tuple[RestRoute, dict[str, str], str] | None:
    """The most specific route for a path under a REST stage (`/<stage>/...`), its parameters and the stage.

    As on execute-api, a REST route is reached only under its stage: every other path is the web app's.
    """
    stage, _, rest = path.lstrip("/").partition("/")
    if stage not in config.rest_stages:
        return None
    candidate = "/" + rest
    matches = [(route, p) for route in config.rest_routes if (p := route.match(candidate)) is not None]
    for wanted in (method, "ANY"):
        for route, params in matches:
            if route.method == wanted:
                return route, params, stage
    return None


def _body(raw: bytes) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode(), True


def _multi(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    return grouped


def proxy_event(
    request: Request,
    route: RestRoute,
    params: dict[str, str],
    stage: str,
    raw: bytes,
    authorizer_context: dict[str, Any] | None,
) -> dict[str, Any]:
    headers = _multi(
        [(key.title() if key.islower() else key, value) for key, value in request.headers.items()]
    )
    query = _multi(list(request.query_params.multi_items()))
    body, encoded = _body(raw)
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "resourceId": route.resource,
        "resourcePath": route.resource,
        "httpMethod": request.method,
        "extendedRequestId": uuid.uuid4().hex,
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "path": request_path(request),  # with the stage, as execute-api sends it
        "accountId": ACCOUNT_ID,
        "protocol": "HTTP/1.1",
        "stage": stage,
        "domainPrefix": "localhost",
        "requestTimeEpoch": int(time.time() * 1000),
        "requestId": str(uuid.uuid4()),
        "domainName": request.url.hostname or "localhost",
        "apiId": route.api_id,
        "identity": {
            "sourceIp": request.client.host if request.client else "127.0.0.1",
            "userAgent": request.headers.get("user-agent", ""),
        },
    }
    if authorizer_context is not None:
        context["authorizer"] = authorizer_context
    return {
        "resource": route.resource,
        "path": request_path(request)[len(stage) + 1 :],  # without the stage, as execute-api sends it
        "httpMethod": request.method,
        "headers": {key: values[-1] for key, values in headers.items()} or None,
        "multiValueHeaders": headers or None,
        "queryStringParameters": {key: values[-1] for key, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }


def method_arn(route: RestRoute, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:local:{ACCOUNT_ID}:{route.api_id}/{stage or 'local'}/{method}{path}"


def function_response(payload: Any, config: GatewayConfig | None = None) -> Response:
    """Map the function's proxy response; anything malformed is API Gateway's 502."""
    responses = config.gateway_responses if config else {}
    if not isinstance(payload, dict) or not isinstance(payload.get("statusCode", 200), int):
        return gateway_response(responses, "INTEGRATION_FAILURE")
    body = payload.get("body") or ""
    if not isinstance(body, str):
        return gateway_response(responses, "INTEGRATION_FAILURE")
    content = base64.b64decode(body) if payload.get("isBase64Encoded") else body.encode()
    response = Response(content, status_code=int(payload.get("statusCode", 200)))
    del response.headers["content-type"]
    for key, value in (payload.get("headers") or {}).items():
        response.headers[key] = str(value)
    for key, values in (payload.get("multiValueHeaders") or {}).items():
        if key in (payload.get("headers") or {}):
            continue
        for value in values:
            response.headers.append(key, str(value))
    response.headers.setdefault("content-type", "application/json")
    return response


async def handle_rest(request: Request, config: GatewayConfig, invoker: LambdaInvoker) -> Response | None:
    """None when no route matches (the caller may serve the front end instead)."""
    path = request_path(request)
    found = find_route(config, request.method, path)
    if found is None:
        return None
    route, params, stage = found
    if route.function is None:  # MOCK integration: SAM's CORS preflight
        return Response(status_code=route.mock_status, headers=dict(route.mock_headers))
    raw = await request.body()
    if len(raw) > MAX_PAYLOAD_BYTES:
        return gateway_response(config.gateway_responses, "REQUEST_TOO_LARGE")
    authorizer_context: dict[str, Any] | None = None
    if route.authorizer is not None:
        authorizer = route.authorizer
        arn = method_arn(route, stage, request.method, path[len(stage) + 1 :])
        if authorizer.kind == "TOKEN":
            token = request.headers.get(authorizer.token_header)
            if not token:
                return gateway_response(config.gateway_responses, "UNAUTHORIZED")
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
        else:
            if not identity_present(authorizer, dict(request.headers), dict(request.query_params)):
                return gateway_response(config.gateway_responses, "UNAUTHORIZED")
            event = {
                "type": "REQUEST",
                "methodArn": arn,
                **proxy_event(request, route, params, stage, raw, None),
            }
        decision = await decide(invoker, authorizer, event)
        if not decision.allowed:
            return refusal(config, decision)
        authorizer_context = decision.context
    assert route.function is not None
    result = await invoker.invoke(
        route.function, proxy_event(request, route, params, stage, raw, authorizer_context)
    )
    if result.function_error:
        return gateway_response(config.gateway_responses, "INTEGRATION_FAILURE")
    return function_response(result.payload, config)


def request_path(request: Request) -> str:
    """The decoded path as the client sent it. Not `request.url.path`: urllib's URL parsing silently drops
    tabs and newlines, so `/runs/%0A/arrival` would become `/runs//arrival` and match no route."""
    return str(request.scope["path"])


def missing_route(config: GatewayConfig) -> Response:
    # What API Gateway answers for a path or method the API does not declare.
    return gateway_response(config.gateway_responses, "MISSING_AUTHENTICATION_TOKEN")


def refusal(config: GatewayConfig, decision: Decision) -> Response:
    """The authorizer said no: 401 (Unauthorized), 403 (a Deny) or 500 (a broken authorizer)."""
    kind = {401: "UNAUTHORIZED", 403: "ACCESS_DENIED"}.get(decision.status, "AUTHORIZER_FAILURE")
    return gateway_response(config.gateway_responses, kind)
