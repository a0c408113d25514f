"""Every 4xx and 5xx of a Trainbook resolver in one shape: `{"error": {"code", "message"}}`.

Installed on each resolver (the API function's and the payment simulator's token route) so that
domain errors, validation, content type, undecodable or oversized bodies and unknown routes all
answer the same way. A request body is checked before routing: it is JSON (any other content
type is 415), valid UTF-8 (else 400 `invalid_body`) and at most MAX_BODY_BYTES (else 413).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import Logger
from pydantic import BaseModel, Field

from trainbook.errors import DomainError, TooManyRequests

MAX_BODY_BYTES = 64 * 1024  # the largest request any route takes is a booking of 8 passengers (~2 KB)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable: what the client may branch on")
    message: str = Field(description="what went wrong, for a person")


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: ErrorDetail


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message}},
        headers=headers,
    )


def refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """The proxy answer to a request whose body no route can read (before routing); None if it is fine."""
    problem = body_problem(event)
    if problem is None:
        return None
    status, code, message = problem
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": content_types.APPLICATION_JSON,
            "Access-Control-Allow-Origin": os.environ.get("CORS_ALLOW_ORIGIN", "*"),
        },
        "body": json.dumps({"error": {"code": code, "message": message}}),
        "isBase64Encoded": False,
    }


def body_problem(event: dict[str, Any]) -> tuple[int, str, str] | None:
    """(status, code, message) for a body no route can read; None when the body is fine."""
    if str(event.get("httpMethod", "")).upper() not in BODY_METHODS or not event.get("body"):
        return None
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items() if v is not None}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        return 415, "unsupported_media_type", f"send the body as application/json, not {media_type[:60]}"
    raw: bytes | str = event["body"]
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(str(raw), validate=True)
        except (binascii.Error, ValueError):
            return 400, "invalid_body", "the body is not valid base64"
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        return 413, "payload_too_large", f"a request body is at most {MAX_BODY_BYTES} bytes"
    try:
        if isinstance(raw, bytes):
            raw.decode("utf-8")
        else:
            raw.encode("utf-8")
    except UnicodeError:
        return 400, "invalid_body", "the body is not valid UTF-8 text"
    return None


def install_error_handlers(app: APIGatewayRestResolver, logger: Logger) -> None:
    """Map every error a route can raise to its answer, once for the whole resolver."""

    @app.exception_handler(TooManyRequests)
    def too_many(exc: TooManyRequests) -> Response[Any]:
        return error(exc.status, exc.code, exc.message, {"Retry-After": str(exc.retry_after)})

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

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported(exc: RequestUnsupportedContentType) -> Response[Any]:
        return error(415, "unsupported_media_type", "send the body as application/json")

    @app.exception_handler(UnicodeDecodeError)
    def undecodable(exc: UnicodeDecodeError) -> Response[Any]:
        return error(400, "invalid_body", "the body is not valid UTF-8 text")

    @app.not_found
    def not_found(exc: Exception) -> Response[Any]:
        event = app.current_event
        return error(404, "no_such_route", f"no route {event.http_method} {event.path}")

    @app.exception_handler(Exception)
    def bug(exc: Exception) -> Response[Any]:
        logger.exception("unexpected error")
        return error(500, "internal", "something went wrong on our side; it was logged")
