"""The OpenAPI document as clients need it: real success codes, every error answer with its schema.

Powertools generates the document from the routes; it documents request validation as 422 with its
own schema, which this API never answers (validation is a 400 in the one error shape). `complete`
replaces that with what the API and the gateway in front of it really answer, by rule (a route with
a body can answer 413 and 415, a route behind the authorizer 401 ...) plus each route's own domain
errors (ROUTE_ERRORS). A test checks every answer the API gives against this document.
"""

from __future__ import annotations

from typing import Any

from trainbook.web.errors import ErrorBody

# Routes the authorizer does not guard (template.yaml gives them `Auth: {Authorizer: NONE}`).
PUBLIC_OPERATIONS = frozenset(
    {
        "GET /stations",
        "GET /search",
        "GET /runs/{run_id}",
        "GET /runs/{run_id}/seatmap",
        "POST /auth/register",
        "POST /auth/login",
        "POST /auth/refresh",
        "POST /auth/logout",
        "GET /tickets/public-key",
        "POST /payments/tokens",
        "GET /changes",
        "GET /discounts",
        "POST /quotes",
    }
)

# What each route answers beyond the rules in `complete`: status -> what it means.
ROUTE_ERRORS: dict[str, dict[int, str]] = {
    "GET /search": {404: "unknown_station", 400: "not_served, date_outside_sales_window"},
    "GET /runs/{run_id}": {404: "unknown_train_run"},
    "GET /runs/{run_id}/seatmap": {404: "unknown_train_run or unknown_station"},
    "POST /auth/register": {409: "email_taken"},
    "POST /auth/login": {401: "invalid_credentials", 429: "too_many_requests: too many failed sign-ins"},
    "POST /auth/refresh": {401: "invalid_refresh_token"},
    "POST /me/password": {401: "invalid_credentials: the current password is wrong"},
    "POST /bookings": {
        404: "unknown_train_run, unknown_station or unknown_seat",
        409: "conflict: this Idempotency-Key was used for another request, seat selection, train cancelled",
    },
    "POST /quotes": {
        404: "unknown_train_run, unknown_station or unknown_seat",
        409: "conflict: seat selection, train cancelled or departed",
    },
    "GET /bookings/{booking_id}": {404: "booking_not_found"},
    "GET /bookings/{booking_id}/refund": {
        404: "booking_not_found",
        409: "only a confirmed booking is refunded",
    },
    "GET /bookings/{booking_id}/events": {404: "booking_not_found"},
    "DELETE /bookings/{booking_id}": {404: "booking_not_found", 409: "only a confirmed booking is cancelled"},
    "GET /bookings/{booking_id}/trace": {404: "booking_not_found"},
    "GET /bookings/{booking_id}/ticket": {404: "not_found: no ticket (yet)"},
    "GET /bookings/{booking_id}/ticket.pdf": {404: "not_found: no ticket (yet)"},
    "POST /payments/tokens": {429: "too_many_requests: over the tokenization rate limit"},
    "POST /admin/runs/{run_id}/changes": {
        403: "forbidden: administrators only",
        404: "unknown_train_run",
        409: "run_arrived, run_already_cancelled, run_not_cancelled or departed (restore)",
    },
    "POST /admin/runs/{run_id}/arrival": {
        403: "forbidden: administrators only",
        404: "unknown_train_run",
        409: "the run has arrived already or is cancelled",
    },
    "POST /admin/days/{day}/close": {403: "forbidden: administrators only", 409: "the day has not come yet"},
    "GET /admin/analytics": {403: "forbidden: administrators only"},
    "POST /me/notifications/{notification_id}/read": {404: "not_found: no such notification of yours"},
}

GENERIC = {
    400: "invalid_request (a parameter or field is missing or wrong) or invalid_body",
    401: "unauthenticated: no valid access token",
    403: "forbidden: administrators only",
    404: "not found",
    413: "payload_too_large",
    415: "unsupported_media_type: the body is not application/json",
    500: "internal: a bug, logged",
}
_SCHEMA_REF = "#/components/schemas/ErrorBody"


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every error answer declared and the 422 Powertools adds removed."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schemas["ErrorBody"].pop("$defs", {}).items():
        schemas[name] = definition
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    document["components"].setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            key = f"{method.upper()} {path}"
            responses: dict[str, Any] = operation.setdefault("responses", {})
            responses.pop("422", None)
            wanted: dict[int, str] = {500: GENERIC[500]}
            if operation.get("parameters") or operation.get("requestBody"):
                wanted[400] = GENERIC[400]
            if operation.get("requestBody"):
                wanted[413], wanted[415] = GENERIC[413], GENERIC[415]
            if "{" in path:
                wanted[404] = GENERIC[404]
            if key not in PUBLIC_OPERATIONS:
                wanted[401] = GENERIC[401]
                operation["security"] = [{"bearer": []}]
            if path.startswith("/admin/"):
                wanted[403] = GENERIC[403]
            wanted.update(ROUTE_ERRORS.get(key, {}))
            for status, meaning in sorted(wanted.items()):
                declared = responses.setdefault(str(status), {})
                declared.setdefault("description", meaning)
                declared["content"] = {"application/json": {"schema": {"$ref": _SCHEMA_REF}}}
    return document
