"""The engine's own endpoints under /_localcloud/ (configure, health, flush, stats); every other request is
counted by kind and goes to moto."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from localcloud.stats import STATS, request_kind

CONTROL_PREFIX = "/_localcloud/"

Handler = Callable[[dict[str, Any]], dict[str, Any]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ControlApp:
    """WSGI middleware: /_localcloud/<name> goes to a handler, everything else to moto."""

    def __init__(self, moto_app: WsgiApp, handlers: dict[str, Handler]) -> None:
        self._moto_app = moto_app
        self._handlers = handlers

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if not path.startswith(CONTROL_PREFIX):
            STATS.count(request_kind(environ))
            return self._moto_app(environ, start_response)
        handler = self._handlers.get(path[len(CONTROL_PREFIX) :])
        if handler is None:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": "no such control endpoint"}']
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
        try:
            answer = handler(body)
            status = "200 OK"
        except Exception as error:  # the caller (trainbook up) prints this and stops
            answer, status = {"error": f"{type(error).__name__}: {error}"}, "500 Internal Server Error"
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(answer, default=str).encode()]
