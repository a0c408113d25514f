"""The API function: routes of every context on one resolver, validation, OpenAPI, JSON errors.

Each context contributes a Powertools `Router` (catalog, accounts, bookings, ...). Errors are mapped
here once: a DomainError becomes its 4xx with `{"error": {"code", "message"}}`, invalid input a 400
naming the field; anything else is a bug, logged with its trace and answered 500 without details.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.api.routers import ROUTERS
from trainbook.errors import DomainError

logger = Logger(service="api")
tracer = Tracer(service="api")

app = APIGatewayRestResolver(
    enable_validation=True,
    cors=CORSConfig(
        allow_origin=os.environ.get("CORS_ALLOW_ORIGIN", "*"),
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        expose_headers=["Location"],
        max_age=600,
    ),
)
# Relative link: it resolves beside /docs wherever the API's base is (`/` or `/api/`).
DESCRIPTION = (
    "Trainbook's REST API. Live updates (seat maps, booking progress, schedule changes) come over a "
    "WebSocket, described by the [AsyncAPI document](asyncapi.json)."
)
app.enable_swagger(path="/docs", title="Trainbook API", version="1.0.0", description=DESCRIPTION)
for router in ROUTERS:
    app.include_router(router)


def error(status: int, code: str, message: str) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message}},
    )


@app.exception_handler(DomainError)
def domain_error(exc: DomainError) -> Response[Any]:
    return error(exc.status, exc.code, exc.message)


@app.exception_handler(RequestValidationError)
def invalid_request(exc: RequestValidationError) -> Response[Any]:
    problems = []
    for problem in exc.errors():
        location = problem.get("loc", ())
        where = ".".join(str(part) for part in location if part not in ("body", "query", "path"))
        problems.append(f"{where}: {problem.get('msg')}" if where else str(problem.get("msg")))
    return error(400, "invalid_request", "; ".join(problems) or "the request is not valid")


@app.not_found
def not_found(exc: Exception) -> Response[Any]:
    return error(404, "no_such_route", f"no route {app.current_event.http_method} {app.current_event.path}")


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[Any]:
    return Response(
        200,
        content_types.APPLICATION_JSON,
        app.get_openapi_json_schema(title="Trainbook API", description=DESCRIPTION),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
