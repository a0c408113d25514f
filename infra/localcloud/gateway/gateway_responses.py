"""API Gateway's own answers (401, 403, missing route, too large ...), as the template's GatewayResponses say.

API Gateway answers some requests without calling any function. Each such answer has a response type
(UNAUTHORIZED, ACCESS_DENIED, MISSING_AUTHENTICATION_TOKEN, REQUEST_TOO_LARGE, ...); a REST API may
override its status, body template and headers (SAM `GatewayResponses`, translated to the OpenAPI
extension `x-amazon-apigateway-gateway-responses`). A type the API does not override falls back to
DEFAULT_4XX or DEFAULT_5XX, and then to API Gateway's built-in `{"message": ...}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's REST payload limit

# Response type -> (status, message) when the API does not override it.
BUILT_IN: dict[str, tuple[int, str]] = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource with an explicit deny"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "THROTTLED": (429, "Too Many Requests"),
    "AUTHORIZER_FAILURE": (500, "Internal server error"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "Internal server error"),
    "INTEGRATION_FAILURE": (502, "Internal server error"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out"),
}


@dataclass(frozen=True)
class GatewayResponse:
    status: int | None
    templates: dict[str, str]
    headers: dict[str, str]


def read_gateway_responses(body: dict[str, Any]) -> dict[str, GatewayResponse]:
    """The overrides declared in a REST API's OpenAPI body."""
    declared = body.get("x-amazon-apigateway-gateway-responses") or {}
    responses: dict[str, GatewayResponse] = {}
    for kind, settings in declared.items():
        headers = {
            key.rsplit(".", 1)[-1]: str(value).strip("'")
            for key, value in (settings.get("responseParameters") or {}).items()
            if key.startswith("gatewayresponse.header.")
        }
        status = settings.get("statusCode")
        responses[str(kind)] = GatewayResponse(
            int(status) if status is not None else None,
            {str(k): str(v) for k, v in (settings.get("responseTemplates") or {}).items()},
            headers,
        )
    return responses


def gateway_response(
    responses: dict[str, GatewayResponse], kind: str, message: str | None = None, status: int | None = None
) -> Response:
    """API Gateway's answer of type `kind`, with the API's override (or the fallbacks) applied."""
    default_status, default_message = BUILT_IN.get(kind, (status or 500, "Internal server error"))
    message = message if message is not None else default_message
    fallback = "DEFAULT_5XX" if (status or default_status) >= 500 else "DEFAULT_4XX"
    override = responses.get(kind) or responses.get(fallback)
    final_status = (override.status if override and override.status else None) or status or default_status
    template = (override.templates.get("application/json") if override else None) or None
    if template is None:
        body = json.dumps({"message": message})
    else:
        body = (
            template.replace("$context.error.messageString", json.dumps(message))
            .replace("$context.error.message", message)
            .replace("$context.error.responseType", kind)
        )
    response = Response(body, status_code=final_status, media_type="application/json")
    for key, value in (override.headers if override else {}).items():
        response.headers[key] = value
    response.headers["x-amzn-ErrorType"] = _error_type(kind)
    return response


def _error_type(kind: str) -> str:
    return {
        "UNAUTHORIZED": "UnauthorizedException",
        "ACCESS_DENIED": "AccessDeniedException",
        "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
        "REQUEST_TOO_LARGE": "RequestTooLargeException",
    }.get(kind, "InternalServerErrorException")
