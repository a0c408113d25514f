"""moto's per-request routing, remembered by what decides it (signed service, region, target prefix).

`DomainDispatcherApplication.get_application` finds a request's backend under one global lock by
matching the host against every service's URL patterns (hundreds of regular expressions), on every
request. For a SigV4-signed request to the services below, moto's own rules pick the backend from the
credential scope's service and region and, for DynamoDB, from the X-Amz-Target prefix
(`DynamoDB_20120810` or `DynamoDBStreams_20120810`), so the first answer for that key is the answer
for every later request with it. Anything else (unsigned, S3, special paths) takes moto's path.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

# Services whose backend moto infers from (service, region) alone (plus the target prefix for DynamoDB).
CACHED_SERVICES = frozenset(
    {"dynamodb", "lambda", "states", "sqs", "ssm", "secretsmanager", "sts", "sns", "events", "logs", "kms"}
)


def route_key(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith(("/moto-api", "/latest/", "/@connections")) or path == "/favicon.ico":
        return None
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    try:
        scope = authorization.split(",")[0].split()[1].split("/")
        _, _, region, service, _ = scope
    except (IndexError, ValueError):
        return None
    service = service.lower()
    if service not in CACHED_SERVICES:
        return None
    return service, region, str(environ.get("HTTP_X_AMZ_TARGET", "")).split(".", 1)[0]


class CachedDispatcher(DomainDispatcherApplication):
    """moto's dispatcher with its answer remembered per route key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._routes: dict[tuple[str, str, str], Flask] = {}

    def get_application(self, environ: dict[str, Any]) -> Flask:
        key = route_key(environ)
        if key is None:
            return super().get_application(environ)
        app = self._routes.get(key)
        if app is None:
            app = self._routes[key] = super().get_application(environ)
        return app
